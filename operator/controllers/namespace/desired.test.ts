import { namespaceSchema } from '../../api/v1alpha1/namespace.ts';
import { desiredNamespaceObjects } from './desired.ts';

describe('namespace objects', () => {
  const ns = namespaceSchema.parse({
    apiVersion: 'millrace.dev/v1alpha1', kind: 'Namespace', metadata: { name: 'team-a' },
    spec: { workspace: 'prod', quotaCU: 8, members: [{ kind: 'User', name: 'alice', role: 'owner' }, { kind: 'ServiceAccount', name: 'ci', role: 'editor' }, { kind: 'Group', name: 'ops', role: 'viewer' }] },
  });
  const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Namespace', name: 'team-a', uid: 'u', controller: true, blockOwnerDeletion: true };
  const objs = desiredNamespaceObjects(ns, owner);
  test('a labelled, owned Kubernetes namespace and a ResourceQuota equal to the CU quota', () => {
    expect(objs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'team-a', labels: { 'millrace.dev/workspace': 'prod' }, ownerReferences: [owner] } });
    expect(objs[1]?.spec).toEqual({ hard: { 'requests.cpu': '8000m', 'limits.cpu': '8000m', 'requests.memory': '32768Mi', 'limits.memory': '32768Mi', 'requests.ephemeral-storage': '160G', 'limits.ephemeral-storage': '160G' } });
  });
  test('one RoleBinding per role to its ClusterRole, service accounts defaulting to this namespace', () => {
    const bindings = objs.filter((o) => o.kind === 'RoleBinding');
    expect(bindings.map((b) => [b.metadata.name, (b.roleRef as { name: string }).name])).toEqual([
      ['millrace-viewers', 'millrace-viewer'], ['millrace-editors', 'millrace-editor'], ['millrace-owners', 'millrace-owner'],
    ]);
    expect(bindings[1]?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'ci', namespace: 'team-a' }]);
    expect(bindings[2]?.subjects).toEqual([{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }]);
  });
});
