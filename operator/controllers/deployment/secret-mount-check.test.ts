import { deploymentSchema, deploymentSpecSchema } from '../../api/v1alpha1/deployment.ts';
import { KubeApiError } from '../../kube/rest-client.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { decideDeployment } from './decide.ts';
import { desiredDeploymentObjects, specHash } from './desired.ts';
import { missingSecretProblem, MOUNT_GRACE_MS, podSecrets, podsToCheck, secretMountProblems, waitingForVolumesSince } from './secret-mount-check.ts';

const SCHEDULED_AT = '2026-01-01T12:00:00Z';
const T0 = Date.parse(SCHEDULED_AT);
// The status the kubelet writes for a pod whose Secret volume cannot be mounted (FailedMount):
// scheduled, sandbox not made, its container waiting in ContainerCreating without a message.
const stuck = (name = 'orders-jm-abc', role = 'jobmanager'): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { 'app.kubernetes.io/component': role } },
  status: {
    phase: 'Pending',
    conditions: [
      { type: 'PodReadyToStartContainers', status: 'False', lastTransitionTime: SCHEDULED_AT },
      { type: 'Initialized', status: 'True', lastTransitionTime: SCHEDULED_AT },
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: SCHEDULED_AT },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: SCHEDULED_AT },
    ],
    containerStatuses: [{ name: role, ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
  },
});
const withStatus = (pod: KubeObject, patch: (s: Record<string, unknown>) => void): KubeObject => {
  const copy = structuredClone(pod);
  patch(copy.status as Record<string, unknown>);
  return copy;
};

describe('waitingForVolumesSince', () => {
  test('a scheduled pod whose sandbox is not ready and whose container is ContainerCreating waits since it was scheduled', () => {
    expect(waitingForVolumesSince(stuck())).toBe(T0);
    // Right after scheduling the kubelet has not written container statuses yet: still waiting.
    expect(waitingForVolumesSince(withStatus(stuck(), (s) => { delete s.containerStatuses; }))).toBe(T0);
  });

  test('not waiting for volumes: an image pull (sandbox ready), a started or crashing container, an unscheduled, running or deleted pod', () => {
    const sandboxReady = withStatus(stuck(), (s) => { (s.conditions as Array<{ type: string; status: string }>)[0]!.status = 'True'; });
    expect(waitingForVolumesSince(sandboxReady)).toBeUndefined();
    expect(waitingForVolumesSince(withStatus(stuck(), (s) => { s.containerStatuses = [{ name: 'jobmanager', state: { waiting: { reason: 'ImagePullBackOff' } } }]; }))).toBeUndefined();
    expect(waitingForVolumesSince(withStatus(stuck(), (s) => { s.containerStatuses = [{ name: 'jobmanager', state: { running: { startedAt: SCHEDULED_AT } } }]; }))).toBeUndefined();
    expect(waitingForVolumesSince(withStatus(stuck(), (s) => { s.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }]; }))).toBeUndefined();
    expect(waitingForVolumesSince(withStatus(stuck(), (s) => { s.phase = 'Running'; }))).toBeUndefined();
    expect(waitingForVolumesSince({ ...stuck(), metadata: { name: 'x', deletionTimestamp: SCHEDULED_AT } })).toBeUndefined();
  });
});

describe('podsToCheck', () => {
  test('a pod is looked at once it has waited the grace; before that, when the grace ends', () => {
    expect(podsToCheck([stuck()], T0 + 1000)).toEqual({ due: [], recheckInMs: MOUNT_GRACE_MS - 1000 });
    expect(podsToCheck([stuck()], T0 + MOUNT_GRACE_MS).due).toHaveLength(1);
    expect(podsToCheck([withStatus(stuck(), (s) => { s.phase = 'Running'; })], T0 + 60_000)).toEqual({ due: [] });
  });
});

describe('podSecrets', () => {
  test('are exactly the Secret volumes desired.ts gives every pod (key, storage credentials, spec.secrets once each)', () => {
    const d = deploymentSchema.parse({
      apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' },
      spec: { source: { pipeline: 'x' }, secrets: ['kafka', 'pg', 'kafka'] },
    });
    const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'u-1', controller: true, blockOwnerDeletion: true };
    const storage = { bucket: 'b', prefix: '', region: 'us-east-1', forcePathStyle: true, secretName: 'millrace-s3-credentials' };
    const listed = podSecrets('orders', d.spec, storage.secretName);
    expect(listed).toEqual([
      { name: 'orders-auth', kind: 'key' },
      { name: 'millrace-s3-credentials', kind: 'storage' },
      { name: 'kafka', kind: 'listed', index: 0 },
      { name: 'pg', kind: 'listed', index: 1 },
    ]);
    for (const pod of desiredDeploymentObjects(d, { defaultImage: 'millrace:dev', owner, storage }).pods) {
      const volumes = (pod.spec as { volumes: Array<{ secret?: { secretName: string } }> }).volumes;
      expect(volumes.flatMap((v) => (v.secret ? [v.secret.secretName] : [])).sort()).toEqual(listed.map((s) => s.name).sort());
    }
  });
});

describe('missingSecretProblem', () => {
  test('names the pod, the Secret, what it is for, FailedMount and the fix', () => {
    expect(missingSecretProblem({ name: 'orders-jm-abc', role: 'jobmanager' }, { name: 'kafka', kind: 'listed', index: 1 }, 'team-a')).toEqual({
      pod: 'orders-jm-abc', role: 'jobmanager', reason: 'SecretMissing', permanent: false,
      message: "pod orders-jm-abc cannot start: Secret 'kafka' (spec.secrets[1]) does not exist in namespace team-a, so the kubelet cannot mount it (FailedMount) and the pod stays ContainerCreating; create it again (labelled millrace.dev/job-secret=true) or remove it from spec.secrets",
    });
    expect(missingSecretProblem({ name: 'p' }, { name: 'millrace-s3-credentials', kind: 'storage' }, 'team-a').message)
      .toMatch(/the namespace's storage credentials Secret 'millrace-s3-credentials' does not exist .*copies it again from the Workspace's Secret/);
    expect(missingSecretProblem({ name: 'p' }, { name: 'orders-auth', kind: 'key' }, 'team-a').message)
      .toMatch(/the Deployment's key Secret 'orders-auth' does not exist .*makes a new key when the Deployment starts again/);
  });
});

describe('secretMountProblems', () => {
  const secrets = podSecrets('orders', { secrets: ['kafka'] }, 'millrace-s3-credentials');
  // The API server's answers to the metadata GETs: the Secrets that exist.
  const api = (existing: string[]) => {
    const asked: string[] = [];
    const rest = {
      request: async (_method: string, path: string) => {
        const name = path.split('/').pop() ?? '';
        asked.push(name);
        if (!existing.includes(name)) throw new KubeApiError(404, 'NotFound', `secrets "${name}" not found`);
        return { metadata: { name } };
      },
    };
    return { asked, rest };
  };
  const clock = (now: number) => ({ now: () => now });

  test('no request while no pod has waited the grace; a missing Secret then speaks for every waiting pod', async () => {
    const early = api(['orders-auth', 'millrace-s3-credentials']);
    const before = await secretMountProblems({ rest: early.rest as never, clock: clock(T0 + 1000) as never }, 'team-a', secrets, [stuck()]);
    expect(before).toEqual({ problems: new Map(), recheckInMs: MOUNT_GRACE_MS - 1000 });
    expect(early.asked).toEqual([]);

    const late = api(['orders-auth', 'millrace-s3-credentials']);
    const after = await secretMountProblems({ rest: late.rest as never, clock: clock(T0 + MOUNT_GRACE_MS) as never }, 'team-a', secrets, [stuck(), stuck('orders-tm-abc-0', 'taskmanager')]);
    expect([...after.problems.keys()]).toEqual(['orders-jm-abc', 'orders-tm-abc-0']);
    expect(after.problems.get('orders-tm-abc-0')).toMatchObject({ role: 'taskmanager', reason: 'SecretMissing', message: expect.stringContaining("Secret 'kafka' (spec.secrets[0])") });
    expect(late.asked).toEqual(['orders-auth', 'millrace-s3-credentials', 'kafka']);
  });

  test('all Secrets there (the pod waits for something else): no problem; another error is not hidden', async () => {
    const all = api(['orders-auth', 'millrace-s3-credentials', 'kafka']);
    expect((await secretMountProblems({ rest: all.rest as never, clock: clock(T0 + 60_000) as never }, 'team-a', secrets, [stuck()])).problems.size).toBe(0);
    const refused = { request: async () => { throw new KubeApiError(403, 'Forbidden', 'secrets "orders-auth" is forbidden: User "op" cannot get resource "secrets"'); } };
    await expect(secretMountProblems({ rest: refused as never, clock: clock(T0 + 60_000) as never }, 'team-a', secrets, [stuck()])).rejects.toThrow(/cannot get resource "secrets"/);
  });
});

describe('a Deployment whose pod cannot mount a missing Secret (decide.ts)', () => {
  test('Starting shows SecretMissing with one Warning Event; at the progress deadline it fails with it', () => {
    const spec = deploymentSpecSchema.parse({ source: { pipeline: 'x' }, secrets: ['kafka'], progressDeadlineSeconds: 60 });
    const hash = specHash(spec);
    const problem = missingSecretProblem({ name: 'orders-jm-abc', role: 'jobmanager' }, { name: 'kafka', kind: 'listed', index: 0 }, 'team-a');
    const observed = { pods: [{ name: 'orders-jm-abc', hash, phase: 'Pending', cu: 0.25, terminating: false, problem }], jobManagerHash: hash, jobManagerError: 'JobManager pod orders-jm-abc is Pending' };
    const input = { spec, generation: 1, desiredHash: hash, admission: { admitted: true as const }, observed };
    const previous = { phase: 'Starting' as const, observedGeneration: 1, startingSince: '2026-01-01T12:00:00.000Z' };
    const starting = decideDeployment({ ...input, previous, now: '2026-01-01T12:00:20.000Z' });
    expect(starting.phase).toBe('Starting');
    expect(starting.conditions.find((c) => c.type === 'PodsHealthy')).toMatchObject({ status: 'False', reason: 'SecretMissing', message: problem.message });
    expect(starting.conditions.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'SecretMissing', message: expect.stringMatching(/^pod orders-jm-abc cannot start: Secret 'kafka'.*; retrying until 2026-01-01T12:01:00.000Z/) });
    expect(starting.events).toEqual([{ type: 'Warning', reason: 'SecretMissing', note: problem.message }]);
    // The next pass raises no second Event for the same cause.
    expect(decideDeployment({ ...input, previous: { ...previous, lastReportedCause: 'SecretMissing' }, now: '2026-01-01T12:00:30.000Z' }).events).toEqual([]);
    const failed = decideDeployment({ ...input, previous: { ...previous, lastReportedCause: 'SecretMissing' }, now: '2026-01-01T12:01:00.000Z' });
    expect(failed).toMatchObject({ phase: 'Failed', deletePods: ['orders-jm-abc'] });
    expect(failed.conditions.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'SecretMissing', message: expect.stringMatching(/^did not reach Running within 60 s \(spec.progressDeadlineSeconds\): pod orders-jm-abc cannot start: Secret 'kafka'/) });
  });
});
