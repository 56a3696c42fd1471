import { secretRefRefusal } from './secret-ref-policy.ts';

const secret = (labels?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3', namespace: 'x', labels } });

describe("a Workspace's secretRef", () => {
  test("a Secret in the operator's namespace is allowed", () => {
    expect(secretRefRefusal({ namespace: 'millrace-system', name: 's3' }, undefined)).toBeUndefined();
    expect(secretRefRefusal({ namespace: 'ops', name: 's3' }, undefined, 'ops')).toBeUndefined();
  });
  test('a Secret elsewhere only with the admin label', () => {
    expect(secretRefRefusal({ namespace: 'team-b', name: 's3' }, secret({ 'millrace.dev/workspace-credentials': 'true' }))).toBeUndefined();
    expect(secretRefRefusal({ namespace: 'kube-system', name: 'bootstrap-token' }, secret())).toBe(
      "spec.storage.secretRef: Secret kube-system/bootstrap-token is outside the operator's namespace millrace-system and not labelled millrace.dev/workspace-credentials=true; put the credentials in a Secret in millrace-system, or have the cluster admin label this one (and let the operator read it)");
    expect(secretRefRefusal({ namespace: 'team-b', name: 's3' }, secret({ 'millrace.dev/workspace-credentials': 'yes' }))).toMatch(/^spec\.storage\.secretRef: /);
    expect(secretRefRefusal({ namespace: 'team-b', name: 's3' }, undefined)).toMatch(/^spec\.storage\.secretRef: /);
  });
});
