// The per-Deployment key: a Secret made once with a random key, mounted into both roles, and the
// TaskManager told which job module is the only one it loads.
import { deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { KubeApiError } from '../../kube/rest-client.ts';
import { authSecretName, deploymentKeys, desiredAuthSecret, ensureAuthSecret, existingAuthSecretAction } from './auth-secret.ts';
import { desiredDeploymentObjects } from './desired.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'rates', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const d = deploymentSchema.parse({
  apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'rates', namespace: 'team-a' },
  spec: { source: { pipeline: 'source: { type: nexmark }\nsink: { type: blackhole }\n' }, parallelism: 2 },
});

test('both roles mount the key read-only for the runtime group and name it in MILLRACE_AUTH_KEY_FILE; the TaskManager gets --job', () => {
  const out = desiredDeploymentObjects(d, { defaultImage: 'millrace:dev', owner });
  for (const p of out.pods) {
    const spec = p.spec as { containers: Array<{ args: string[]; env: Array<{ name: string; value?: string }>; volumeMounts: unknown[] }>; volumes: unknown[] };
    const c = spec.containers[0]!;
    expect(c.env).toContainEqual({ name: 'MILLRACE_AUTH_KEY_FILE', value: '/var/run/secrets/millrace/auth/key' });
    expect(c.volumeMounts).toContainEqual({ name: 'auth', mountPath: '/var/run/secrets/millrace/auth', readOnly: true });
    expect(spec.volumes).toContainEqual({ name: 'auth', secret: { secretName: 'rates-auth', defaultMode: 0o440 } });
    expect(c.args.slice(c.args.indexOf('--job'), c.args.indexOf('--job') + 2)).toEqual(['--job', '/opt/millrace/runtime/pipeline/pipeline-job.ts']);
  }
});

test('the Secret is created once with 64 hex characters, owned by the Deployment, and never replaced', async () => {
  const objects = new Map<string, KubeObject>();
  const requests: string[] = [];
  const rest = {
    request: async () => { throw new Error('not expected: the Secret is this Deployment\'s own'); },
    mergePatch: async () => { throw new Error('not expected: the Secret was made with its finalizer'); },
    getOrUndefined: async <T extends KubeObject>(ref: { name: string }) => { requests.push('get'); return objects.get(ref.name) as T | undefined; },
    create: async <T extends KubeObject>(obj: KubeObject) => {
      requests.push('create');
      if (objects.has(obj.metadata.name)) throw new KubeApiError(409, 'AlreadyExists', 'exists');
      const stored = { ...obj, data: { key: Buffer.from((obj.stringData as { key: string }).key).toString('base64') } };
      objects.set(obj.metadata.name, stored);
      return stored as unknown as T;
    },
  };
  await ensureAuthSecret(rest, 'team-a', 'rates', owner);
  const first = objects.get(authSecretName('rates'))!;
  expect(first.metadata.ownerReferences).toEqual([owner]);
  expect(first.metadata.finalizers).toEqual(['millrace.dev/key-in-use']);
  expect((first.stringData as { key: string }).key).toMatch(/^[0-9a-f]{64}$/);
  expect(await ensureAuthSecret(rest, 'team-a', 'rates', owner)).toBe('kept');
  expect(objects.get(authSecretName('rates'))).toBe(first);
  // one request at creation; a 409 is followed by a GET of whose key it is
  expect(requests).toEqual(['create', 'create', 'get']);
  const key = await deploymentKeys(rest)({ namespace: 'team-a', name: 'rates' });
  expect(key?.source).toBe('Secret team-a/rates-auth');
  expect(await deploymentKeys(rest)({ namespace: 'team-a', name: 'other' })).toBeUndefined();
  expect(desiredAuthSecret('team-a', 'rates', owner, 'k').immutable).toBe(true);
});

test('an auth Secret left by a deleted Deployment of the same name is replaced, a Secret the operator did not make is refused', () => {
  const ours = { 'app.kubernetes.io/managed-by': 'millrace-operator' };
  expect(existingAuthSecretAction({ metadata: { name: 'rates-auth', labels: ours, ownerReferences: [owner] } }, owner)).toBe('keep');
  expect(existingAuthSecretAction({ metadata: { name: 'rates-auth', labels: ours, ownerReferences: [{ ...owner, uid: 'u-0' }] } }, owner)).toBe('replace');
  // its own key being deleted: kept while pods hold it, waited for (then a new key) when none does
  expect(existingAuthSecretAction({ metadata: { name: 'rates-auth', labels: ours, ownerReferences: [owner], deletionTimestamp: '2026-01-01T00:00:00Z' } }, owner, true)).toBe('keep');
  expect(existingAuthSecretAction({ metadata: { name: 'rates-auth', labels: ours, ownerReferences: [owner], deletionTimestamp: '2026-01-01T00:00:00Z' } }, owner)).toBe('wait');
  expect(existingAuthSecretAction({ metadata: { name: 'rates-auth' } }, owner)).toBe('foreign');
});
