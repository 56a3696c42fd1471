import { namespaceSchema } from '../../api/v1alpha1/namespace.ts';
import { desiredNamespaceObjects, desiredS3Secret } from './desired.ts';

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
  test('the workspace S3 Secret is copied with only its credential keys, owned by the Namespace', () => {
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    const source = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3', namespace: 'millrace-system' }, data: { AWS_ACCESS_KEY_ID: b64('id'), AWS_SECRET_ACCESS_KEY: b64('key'), unrelated: b64('x') } };
    expect(desiredS3Secret(ns, source, owner)).toEqual({
      apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
      metadata: { name: 'millrace-s3-credentials', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'millrace-operator', 'millrace.dev/workspace': 'prod' }, ownerReferences: [owner] },
      data: { AWS_ACCESS_KEY_ID: b64('id'), AWS_SECRET_ACCESS_KEY: b64('key') },
    });
    expect(desiredS3Secret(ns, { ...source, data: { AWS_ACCESS_KEY_ID: b64('id') } }, owner)).toBeUndefined();
    expect(desiredS3Secret(ns, undefined, owner)).toBeUndefined();
  });
  test('the operator binds its tenant ClusterRole to its own ServiceAccount right after the namespace, before the quota', () => {
    const access = { serviceAccount: { name: 'millrace', namespace: 'ops' }, tenantRole: 'millrace-tenant' };
    const withOperator = desiredNamespaceObjects(ns, owner, access);
    expect(withOperator.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/team-a', 'RoleBinding/millrace-operator', 'ResourceQuota/millrace-namespace-quota',
      'RoleBinding/millrace-viewers', 'RoleBinding/millrace-editors', 'RoleBinding/millrace-owners',
    ]);
    expect(withOperator[1]).toMatchObject({
      metadata: { namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'millrace-operator' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'millrace-tenant' },
      subjects: [{ kind: 'ServiceAccount', name: 'millrace', namespace: 'ops' }],
    });
    // Members cannot put themselves into it: the subjects come from the operator alone.
    const sneaky = namespaceSchema.parse({ ...ns, spec: { ...ns.spec, members: [{ kind: 'ServiceAccount', name: 'millrace', namespace: 'ops', role: 'editor' }] } });
    expect(desiredNamespaceObjects(sneaky, owner, access)[1]?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'millrace', namespace: 'ops' }]);
  });
  test('an operator not running as a ServiceAccount binds nothing for itself', () => {
    expect(objs.some((o) => o.metadata.name === 'millrace-operator')).toBe(false);
  });
});
