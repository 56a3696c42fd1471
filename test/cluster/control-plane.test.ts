// Proves the control-plane tier: a real API server with RBAC, ServiceAccount tokens, CRDs
// with schema validation, and ResourceQuota enforced at admission.
import { randomBytes } from 'node:crypto';
import { ApiextensionsV1Api, AuthenticationV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api, VersionApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { useControlPlane } from './environment.ts';
import { versions } from './kube/versions.ts';
import { eventually, kubeconfigWithToken, loadKubeconfig, rejectionOf, statusOf } from './support/kube-clients.ts';

const suffix = randomBytes(3).toString('hex');
const namespace = `cp-test-${suffix}`;
let admin: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  const { kubeconfigPath } = await useControlPlane();
  admin = loadKubeconfig(kubeconfigPath);
  core = admin.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  // Pods need the namespace's `default` ServiceAccount, made by the ServiceAccount controller.
  await eventually('the default ServiceAccount', () => core.readNamespacedServiceAccount({ namespace, name: 'default' }));
}, 15 * 60_000);

afterAll(async () => {
  if (core) await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test('the API server answers with the Kubernetes version that was built', async () => {
  const version = await admin.makeApiClient(VersionApi).getCode();
  expect(version.major).toBe('1');
  if (!process.env.KUBECONFIG) expect(version.gitVersion).toBe(versions.kubernetes);
}, 90_000);

test('a CRD is served, a custom resource is stored and an invalid one is rejected by its schema', async () => {
  const group = `test${suffix}.millrace.dev`;
  const crdName = `widgets.${group}`;
  const extensions = admin.makeApiClient(ApiextensionsV1Api);
  await extensions.createCustomResourceDefinition({
    body: {
      metadata: { name: crdName },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 } } } } } },
        }],
      },
    },
  });
  try {
    await eventually('the CRD to be established', async () => {
      const crd = await extensions.readCustomResourceDefinition({ name: crdName });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
    const objects = admin.makeApiClient(CustomObjectsApi);
    const target = { group, version: 'v1', namespace, plural: 'widgets' };
    await eventually('the new resource to be served', () =>
      objects.createNamespacedCustomObject({ ...target, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'good' }, spec: { size: 3 } } }));
    const stored = (await objects.getNamespacedCustomObject({ ...target, name: 'good' })) as { spec: { size: number } };
    expect(stored.spec.size).toBe(3);

    const rejected = await rejectionOf(objects.createNamespacedCustomObject({ ...target, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'bad' }, spec: { size: 0 } } }));
    expect(rejected.code).toBe(422);
    expect(rejected.message).toContain('spec.size');
  } finally {
    await extensions.deleteCustomResourceDefinition({ name: crdName });
  }
}, 90_000);

test('a ResourceQuota makes the API server reject a pod over quota', async () => {
  await core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: 'cpu' }, spec: { hard: { 'requests.cpu': '500m', 'limits.cpu': '500m' } } } });
  // Admission enforces a quota once the quota controller has computed its usage.
  await eventually('the quota controller to compute usage', async () => {
    const quota = await core.readNamespacedResourceQuota({ namespace, name: 'cpu' });
    return quota.status?.hard?.['requests.cpu'] ? true : undefined;
  });
  const pod = (name: string, cpu: string) => ({
    metadata: { name },
    spec: { containers: [{ name: 'main', image: 'millrace.local/busybox:1.35', resources: { requests: { cpu }, limits: { cpu } } }] },
  });
  expect(await statusOf(core.createNamespacedPod({ namespace, body: pod('fits', '300m') }))).toBe(0);
  const rejected = await rejectionOf(core.createNamespacedPod({ namespace, body: pod('too-big', '300m') }));
  expect(rejected.code).toBe(403);
  expect(rejected.message).toContain('exceeded quota');
}, 90_000);

test('RBAC: a ServiceAccount token may do what a RoleBinding grants and nothing else', async () => {
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
  const token = await eventually('a token for the ServiceAccount', async () =>
    (await core.createNamespacedServiceAccountToken({ namespace, name: 'reader', body: { spec: { audiences: [], expirationSeconds: 600 } } })).status?.token);
  const asReader = kubeconfigWithToken(admin, token).makeApiClient(CoreV1Api);

  const review = await kubeconfigWithToken(admin, token).makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
  expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${namespace}:reader`);
  expect(await statusOf(asReader.listNamespacedConfigMap({ namespace }))).toBe(403);

  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'configmap-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
    },
  });
  await eventually('the RoleBinding to take effect', async () => ((await statusOf(asReader.listNamespacedConfigMap({ namespace }))) === 0 ? true : undefined));
  expect(await statusOf(asReader.listNamespacedSecret({ namespace }))).toBe(403);
}, 90_000);
