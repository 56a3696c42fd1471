import type { KubeObject } from '../../kube/rest-client.ts';
import { classifyPod, jobStartError, lingeringProblem, mainProblem, RECENT_OOM_MS } from './pod-problems.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
// Pod statuses as the kubelet and the scheduler write them (shapes copied from real pods on the node tier).
const pod = (status: Record<string, unknown>, role = 'jobmanager', name = 'd-jm-abc'): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { 'app.kubernetes.io/component': role } }, status,
});
const container = (state: Record<string, unknown>) => ({ phase: 'Pending', containerStatuses: [{ name: 'jobmanager', image: 'localhost/nope:1', restartCount: 0, state }] });

describe('classifyPod', () => {
  test('a running, healthy pod has no problem; a pod being deleted neither', () => {
    expect(classifyPod(pod({ phase: 'Running', containerStatuses: [{ name: 'jobmanager', restartCount: 0, state: { running: { startedAt: 'x' } } }] }), NOW)).toBeUndefined();
    expect(classifyPod(pod({ phase: 'Pending', containerStatuses: [{ name: 'jobmanager', state: { waiting: { reason: 'ContainerCreating' } } }] }), NOW)).toBeUndefined();
    const deleting = { ...pod(container({ waiting: { reason: 'ImagePullBackOff' } })), metadata: { name: 'x', deletionTimestamp: 'now' } };
    expect(classifyPod(deleting, NOW)).toBeUndefined();
  });

  test('ErrImagePull and ImagePullBackOff are one cause with the image and the puller\'s words; not permanent (the image may appear)', () => {
    const err = classifyPod(pod(container({ waiting: { reason: 'ErrImagePull', message: 'failed to pull and unpack image "localhost/nope:1": not found' } })), NOW);
    expect(err).toEqual({ pod: 'd-jm-abc', role: 'jobmanager', reason: 'ImagePullBackOff', permanent: false, message: 'pod d-jm-abc: container jobmanager: cannot pull image localhost/nope:1 (ErrImagePull): failed to pull and unpack image "localhost/nope:1": not found' });
    expect(classifyPod(pod(container({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } })), NOW)?.reason).toBe('ImagePullBackOff');
  });

  test('an invalid image name is permanent', () => {
    expect(classifyPod(pod(container({ waiting: { reason: 'InvalidImageName', message: 'Failed to apply default image tag "Bad Name": invalid reference format' } })), NOW))
      .toMatchObject({ reason: 'InvalidImageName', permanent: true, message: expect.stringContaining('invalid reference format') });
  });

  test('CreateContainerConfigError names what is missing', () => {
    expect(classifyPod(pod(container({ waiting: { reason: 'CreateContainerConfigError', message: 'secret "s3" not found' } })), NOW))
      .toMatchObject({ reason: 'CreateContainerConfigError', permanent: false, message: 'pod d-jm-abc: container jobmanager cannot be created (CreateContainerConfigError): secret "s3" not found' });
  });

  test('unschedulable: the scheduler\'s message', () => {
    const p = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.' }] }, 'taskmanager', 'd-tm-abc-0');
    expect(classifyPod(p, NOW)).toEqual({ pod: 'd-tm-abc-0', role: 'taskmanager', reason: 'Unschedulable', permanent: false, message: expect.stringMatching(/^pod d-tm-abc-0 cannot be scheduled: 0\/1 nodes are available: 1 Insufficient cpu\./) });
  });

  test('a crash loop gives the exit code, restarts and the termination message', () => {
    const p = pod({ phase: 'Running', containerStatuses: [{ name: 'taskmanager', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }, lastState: { terminated: { exitCode: 137, reason: 'Error', message: 'killed' } } }] }, 'taskmanager');
    expect(classifyPod(p, NOW)).toMatchObject({ reason: 'CrashLoopBackOff', permanent: false, message: 'pod d-jm-abc: container taskmanager exited with code 137 (restarted 3 times): killed' });
    const first = pod({ phase: 'Running', containerStatuses: [{ name: 'jobmanager', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] });
    expect(classifyPod(first, NOW)?.message).toBe('pod d-jm-abc: container jobmanager exited with code 1');
  });

  test('a runtime start-up error in the termination message: JobLoadFailed / JobBuildFailed, permanent once it failed twice', () => {
    const load = 'MR_ERR_JOB_LOAD: cannot import job module s3://b/artifacts/namespaces/n/job.js: not found';
    const once = pod({ phase: 'Running', containerStatuses: [{ name: 'jobmanager', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error', message: load } } }] });
    expect(classifyPod(once, NOW)).toMatchObject({ reason: 'JobLoadFailed', permanent: false, message: `pod d-jm-abc: ${load}` });
    const twice = pod({ phase: 'Running', containerStatuses: [{ name: 'jobmanager', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', message: load } } }] });
    expect(classifyPod(twice, NOW)).toMatchObject({ reason: 'JobLoadFailed', permanent: true });
    const build = pod({ phase: 'Running', containerStatuses: [{ name: 'jobmanager', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, message: 'MR_ERR_JOB_INVALID: build failed on purpose' } } }] });
    expect(classifyPod(build, NOW)).toMatchObject({ reason: 'JobBuildFailed', permanent: true, message: 'pod d-jm-abc: MR_ERR_JOB_INVALID: build failed on purpose' });
  });

  test('a job refused for its configuration (a forbidden file path, a pipeline, SQL or connector error) is JobBuildFailed, permanent once it failed twice', () => {
    const refused = "MR_ERR_FILE_PATH_NOT_ALLOWED: path '/var/run/secrets/millrace/s3/AWS_SECRET_ACCESS_KEY' is inside /var/run/secrets, which file connectors never read or write; use a data directory";
    const looping = (message: string, restartCount: number) => pod({ phase: 'Running', containerStatuses: [{ name: 'jobmanager', restartCount, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', message } } }] });
    expect(classifyPod(looping(refused, 0), NOW)).toMatchObject({ reason: 'JobBuildFailed', permanent: false, message: `pod d-jm-abc: ${refused}` });
    expect(classifyPod(looping(refused, 1), NOW)).toMatchObject({ reason: 'JobBuildFailed', permanent: true, message: `pod d-jm-abc: ${refused}` });
    for (const message of [
      "MR_ERR_PIPELINE_INVALID: pipeline is invalid: source.type: Invalid option: expected one of \"nexmark\"|\"kafka\"|\"file\"",
      'MR_ERR_PIPELINE_YAML: pipeline is not valid YAML: unexpected end of the stream',
      "MR_ERR_SQL_PARSE: line 1, column 8: unexpected 'FORM'",
      "MR_ERR_SQL_VALIDATE: line 3, column 12: column 'pricee' not found",
      "MR_ERR_CONNECTOR_OPTIONS: table 'bids': option 'topic' is required",
      "MR_ERR_CONNECTOR_UNKNOWN: table 'bids': 'connector' = 'kafak' is not a connector",
      "MR_ERR_PARALLELISM_ABOVE_MAX: 'window' parallelism 300 exceeds maxParallelism 128",
    ]) expect(classifyPod(looping(message, 1), NOW)).toMatchObject({ reason: 'JobBuildFailed', permanent: true });
  });

  test('an other coded error is a crash loop, not a permanent failure', () => {
    expect(jobStartError('MR_ERR_STORAGE: bucket unreachable')).toBeUndefined();
    // a Secret's content or storage can change without a new spec: a restart may succeed
    expect(jobStartError("MR_ERR_SECRET: table 'bids': cannot read secret 'kafka' key 'password'")).toBeUndefined();
    expect(jobStartError('MR_ERR_STORAGE_IO: s3://b/ha/job.json: connect ECONNREFUSED')).toBeUndefined();
    expect(jobStartError('no code here')).toBeUndefined();
    expect(jobStartError('MR_ERR_JOB_LOAD: x')).toBe('JobLoadFailed');
    expect(jobStartError('MR_ERR_JOB_URL_REFUSED: job module s3://b/j.js: only file paths, file: URLs and sha256-pinned http(s) URLs are loaded')).toBe('JobLoadFailed');
    expect(jobStartError('MR_ERR_JOB_DIGEST_MISMATCH: job module x has sha256 a, not the pinned b')).toBe('JobLoadFailed');
  });

  test('OOMKilled, in back-off or recently even when running again; not an hour later', () => {
    const looping = pod({ phase: 'Running', containerStatuses: [{ name: 'taskmanager', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] });
    expect(classifyPod(looping, NOW)).toMatchObject({ reason: 'OOMKilled', message: 'pod d-jm-abc: container taskmanager was killed for exceeding its memory limit (restarted 1 time); give it more CU' });
    const recovered = (finishedAt: number) => pod({ phase: 'Running', containerStatuses: [{ name: 'taskmanager', restartCount: 1, state: { running: { startedAt: 'x' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: new Date(finishedAt).toISOString() } } }] });
    expect(classifyPod(recovered(NOW - 10_000), NOW)?.reason).toBe('OOMKilled');
    expect(classifyPod(recovered(NOW - RECENT_OOM_MS - 1), NOW)).toBeUndefined();
  });

  test('an evicted pod, and another failed pod', () => {
    expect(classifyPod(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: ephemeral-storage. ' }), NOW))
      .toMatchObject({ reason: 'Evicted', message: 'pod d-jm-abc was evicted: The node was low on resource: ephemeral-storage.' });
    expect(classifyPod(pod({ phase: 'Failed', reason: 'OutOfcpu', message: 'Pod was rejected: Node didn\'t have enough resource: cpu' }), NOW))
      .toMatchObject({ reason: 'PodFailed', message: expect.stringContaining('(OutOfcpu)') });
  });
});

describe('evictions', () => {
  // The kubelet's messages (pkg/kubelet/eviction/helpers.go, v1.34), with their trailing space.
  const evicted = (message: string) => classifyPod(pod({ phase: 'Failed', reason: 'Evicted', message }), NOW)?.message;
  const hint = ' (local storage, /tmp included, is 20 GB per CU: give it more CU or write less there)';

  test('over its own local storage limit: the kubelet\'s words and the fix (more CU); a node short of something gets no such hint', () => {
    expect(evicted('Usage of EmptyDir volume "scratch" exceeds the limit "5G". ')).toBe(`pod d-jm-abc was evicted: Usage of EmptyDir volume "scratch" exceeds the limit "5G".${hint}`);
    expect(evicted('Pod ephemeral local storage usage exceeds the total limit of containers 5G. ')).toBe(`pod d-jm-abc was evicted: Pod ephemeral local storage usage exceeds the total limit of containers 5G.${hint}`);
    expect(evicted('Container jobmanager exceeded its local ephemeral storage limit "5G". ')).toBe(`pod d-jm-abc was evicted: Container jobmanager exceeded its local ephemeral storage limit "5G".${hint}`);
    expect(evicted('The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi. ')).toBe('pod d-jm-abc was evicted: The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi.');
    expect(evicted('')).toBe('pod d-jm-abc was evicted: no message');
  });

  test('lingeringProblem: the PodsHealthy of a replaced (evicted or failed) pod speaks while recent; other causes and healthy pods do not', () => {
    const since = (ms: number) => new Date(NOW - ms).toISOString();
    const message = 'pod d-jm-abc was evicted: Usage of EmptyDir volume "scratch" exceeds the limit "5G".';
    expect(lingeringProblem({ status: 'False', reason: 'Evicted', message, lastTransitionTime: since(30_000) }, NOW))
      .toEqual({ pod: 'd-jm-abc', reason: 'Evicted', message, permanent: false });
    expect(lingeringProblem({ status: 'False', reason: 'PodFailed', message: 'pod d-tm-abc-0 failed (OutOfcpu): x', lastTransitionTime: since(1000) }, NOW)?.pod).toBe('d-tm-abc-0');
    expect(lingeringProblem({ status: 'False', reason: 'Evicted', message, lastTransitionTime: since(RECENT_OOM_MS + 1) }, NOW)).toBeUndefined();
    expect(lingeringProblem({ status: 'False', reason: 'Evicted', message }, NOW)).toBeUndefined(); // no time: not known to be recent
    // A pod restarted in place still shows its own problem; a pod that is gone cannot.
    expect(lingeringProblem({ status: 'False', reason: 'ImagePullBackOff', message: 'pod x: ...', lastTransitionTime: since(1000) }, NOW)).toBeUndefined();
    expect(lingeringProblem({ status: 'True', reason: 'NoProblems', message: 'none', lastTransitionTime: since(1000) }, NOW)).toBeUndefined();
    expect(lingeringProblem(undefined, NOW)).toBeUndefined();
  });
});

describe('mainProblem', () => {
  const p = (podName: string, roleName: string, permanent = false) => ({ pod: podName, role: roleName, reason: 'CrashLoopBackOff' as const, message: `m-${podName}`, permanent });
  test('none, one, and the JobManager\'s or a permanent one first with a count of the others', () => {
    expect(mainProblem([])).toBeUndefined();
    expect(mainProblem([p('tm-0', 'taskmanager')])).toEqual(p('tm-0', 'taskmanager'));
    expect(mainProblem([p('tm-0', 'taskmanager'), p('jm', 'jobmanager')])?.message).toBe('m-jm (and 1 more pod with problems)');
    expect(mainProblem([p('jm', 'jobmanager'), p('tm-1', 'taskmanager', true), p('tm-0', 'taskmanager')])).toMatchObject({ pod: 'tm-1', message: 'm-tm-1 (and 2 more pods with problems)' });
  });
});

test('the image comes from the pod spec when the status does not name it (the slim pod cache keeps only the spec\'s)', () => {
  const p: KubeObject = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'd-tm-1-0', labels: { 'app.kubernetes.io/component': 'taskmanager' } },
    spec: { containers: [{ name: 'taskmanager', image: 'localhost/millrace:missing' }] },
    status: { phase: 'Pending', containerStatuses: [{ name: 'taskmanager', restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "localhost/millrace:missing"' } } }] },
  };
  expect(classifyPod(p, NOW)?.message).toBe('pod d-tm-1-0: container taskmanager: cannot pull image localhost/millrace:missing (ImagePullBackOff): Back-off pulling image "localhost/millrace:missing"');
});
