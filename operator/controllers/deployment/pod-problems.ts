// Why a Deployment's pods do not run, read from the pod status the kubelet and the scheduler
// write (pure): image pull errors, containers that cannot be created, unschedulable pods, crash
// loops (with the exit code and the container's termination message, where the runtime writes
// its coded start-up error), OOM kills and evictions. The reasons are the ones `kubectl get pods`
// shows, so a person finds the same word in the Deployment's status and in the pod list.
import type { KubeObject } from '../../kube/rest-client.ts';

export type PodProblemReason =
  | 'ImagePullBackOff' | 'InvalidImageName' | 'CreateContainerConfigError' | 'Unschedulable'
  | 'CrashLoopBackOff' | 'OOMKilled' | 'Evicted' | 'PodFailed' | 'JobLoadFailed' | 'JobBuildFailed'
  // A Secret volume of the pod does not exist (FailedMount; found by secret-mount-check.ts, not in the pod status).
  | 'SecretMissing';

export interface PodProblem {
  pod: string;
  /** jobmanager or taskmanager (the pod's component label), when known. */
  role?: string;
  reason: PodProblemReason;
  /** What a person needs to fix it: the container, the image, the scheduler's or the runtime's words. */
  message: string;
  /** Retrying cannot help: the same spec fails the same way (the deployment fails without waiting for the deadline). */
  permanent: boolean;
}

/** A container OOM-killed this recently is reported even if it runs again (its restart hides the kill otherwise). */
export const RECENT_OOM_MS = 5 * 60_000;

/**
 * Runtime start-up errors (runtime/bin/termination-message.ts writes them to the termination
 * log) that a restart cannot fix: the job module does not load, its build() throws, or the job it
 * builds is refused for its configuration (the termination message carries the most specific
 * code: a pipeline's, SQL's or connector's own, not MR_ERR_JOB_INVALID). The same spec fails the
 * same way every time, so these end the start at once instead of crash-looping to the deadline.
 * Codes that a change outside the spec can cure (storage, a Secret's content, Kafka) are not here.
 */
const JOB_START_CODES: Record<string, PodProblemReason> = {
  MR_ERR_JOB_LOAD: 'JobLoadFailed',
  // The artifact URL is one the runtime refuses to load (scheme, missing pin) or its digest differs.
  MR_ERR_JOB_URL_REFUSED: 'JobLoadFailed',
  MR_ERR_JOB_DIGEST_MISMATCH: 'JobLoadFailed',
  MR_ERR_JOB_INVALID: 'JobBuildFailed',
  // A file connector's path outside the allowed roots or inside a secret mount (runtime/connectors/file-roots.ts).
  MR_ERR_FILE_PATH_NOT_ALLOWED: 'JobBuildFailed',
  // The YAML pipeline (runtime/pipeline/parse.ts): not YAML, not a valid pipeline, no pipeline parameter.
  MR_ERR_PIPELINE_YAML: 'JobBuildFailed',
  MR_ERR_PIPELINE_INVALID: 'JobBuildFailed',
  MR_ERR_PIPELINE_PARAM: 'JobBuildFailed',
  // SQL that does not parse, validate or plan, or names what no catalog has (runtime/sql/).
  MR_ERR_SQL_PARSE: 'JobBuildFailed',
  MR_ERR_SQL_VALIDATE: 'JobBuildFailed',
  MR_ERR_SQL_UNSUPPORTED: 'JobBuildFailed',
  MR_ERR_SQL_PLAN: 'JobBuildFailed',
  MR_ERR_SQL_CATALOG: 'JobBuildFailed',
  // Connector and format options that do not validate (runtime/connectors/factory/, kafka/, nexmark/).
  MR_ERR_CONNECTOR_OPTIONS: 'JobBuildFailed',
  MR_ERR_CONNECTOR_UNKNOWN: 'JobBuildFailed',
  MR_ERR_FORMAT_UNKNOWN: 'JobBuildFailed',
  MR_ERR_KAFKA_OPTIONS: 'JobBuildFailed',
  MR_ERR_NEXMARK_CONFIG: 'JobBuildFailed',
  // An operator's parallelism above its maxParallelism (runtime/graph/job-graph.ts).
  MR_ERR_PARALLELISM_ABOVE_MAX: 'JobBuildFailed',
};

const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'RegistryUnavailable']);
const CREATE_CONFIG = new Set(['CreateContainerConfigError', 'CreateContainerError']);

interface Terminated { exitCode?: number; reason?: string; message?: string; finishedAt?: string }
interface ContainerState { waiting?: { reason?: string; message?: string }; running?: { startedAt?: string }; terminated?: Terminated }
interface ContainerStatus { name?: string; image?: string; restartCount?: number; state?: ContainerState; lastState?: ContainerState }
interface PodStatus { phase?: string; reason?: string; message?: string; conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>; containerStatuses?: ContainerStatus[] }

/** Long termination messages (the kubelet keeps up to 4 KiB; logs on FallbackToLogsOnError) are cut for status and Events. */
const MESSAGE_MAX = 1024;
const clip = (s: string) => {
  const t = s.trim();
  return t.length > MESSAGE_MAX ? `${t.slice(0, MESSAGE_MAX - 3)}...` : t;
};

/** The first MR_ERR_ code in a termination message and the reason it maps to, if it is a job start-up error. */
export function jobStartError(message: string | undefined): PodProblemReason | undefined {
  const code = /MR_ERR_[A-Z0-9_]+/.exec(message ?? '')?.[0];
  return code ? JOB_START_CODES[code] : undefined;
}

function containerProblem(c: ContainerStatus, now: number): Omit<PodProblem, 'pod' | 'role'> | undefined {
  const name = c.name ?? 'container';
  const restarts = c.restartCount ?? 0;
  const waiting = c.state?.waiting;
  if (waiting?.reason === 'InvalidImageName') {
    return { reason: 'InvalidImageName', message: `container ${name}: image ${c.image ?? ''} is not a valid image name: ${waiting.message ?? ''}`.trim(), permanent: true };
  }
  if (waiting?.reason && IMAGE_PULL.has(waiting.reason)) {
    return { reason: 'ImagePullBackOff', message: clip(`container ${name}: cannot pull image ${c.image ?? ''} (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}`), permanent: false };
  }
  if (waiting?.reason && CREATE_CONFIG.has(waiting.reason)) {
    return { reason: 'CreateContainerConfigError', message: clip(`container ${name} cannot be created (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}`), permanent: false };
  }
  // A crash: the container is terminated now, or waits in back-off after its last termination.
  const crashed = c.state?.terminated ?? (waiting?.reason === 'CrashLoopBackOff' ? c.lastState?.terminated : undefined);
  if (crashed && (crashed.exitCode !== 0 || waiting?.reason === 'CrashLoopBackOff')) {
    const times = restarts > 0 ? ` (restarted ${restarts} time${restarts === 1 ? '' : 's'})` : '';
    if (crashed.reason === 'OOMKilled') {
      return { reason: 'OOMKilled', message: `container ${name} was killed for exceeding its memory limit${times}; give it more CU`, permanent: false };
    }
    const said = crashed.message?.trim();
    const job = jobStartError(said);
    // Permanent once it failed the same way twice: a download hiccup gets one more try.
    if (job) return { reason: job, message: clip(said ?? ''), permanent: restarts >= 1 };
    return { reason: 'CrashLoopBackOff', message: clip(`container ${name} exited with code ${crashed.exitCode ?? '?'}${times}${said ? `: ${said}` : ''}`), permanent: false };
  }
  // Running again after an OOM kill: the kill still deserves a word for a while.
  const last = c.lastState?.terminated;
  if (c.state?.running && last?.reason === 'OOMKilled' && last.finishedAt && now - Date.parse(last.finishedAt) < RECENT_OOM_MS) {
    return { reason: 'OOMKilled', message: `container ${name} was killed for exceeding its memory limit at ${last.finishedAt} (restarted ${restarts} time${restarts === 1 ? '' : 's'}); give it more CU`, permanent: false };
  }
  return undefined;
}

// The kubelet's words when a pod used more local storage than its limits (eviction_manager.go:
// an emptyDir over its sizeLimit, the pod's or a container's ephemeral-storage limit), as opposed
// to a node short of memory or disk. The pods' storage comes with their CU, so that is the fix.
const OVER_STORAGE_LIMIT = /Usage of EmptyDir volume .* exceeds the limit|ephemeral local storage usage exceeds|exceeded its local ephemeral storage limit/;
const STORAGE_HINT = ' (local storage, /tmp included, is 20 GB per CU: give it more CU or write less there)';

/** What is wrong with one pod, or undefined when nothing is (a pod being deleted has no problem: it is going). */
export function classifyPod(pod: KubeObject, now: number): PodProblem | undefined {
  if (pod.metadata.deletionTimestamp) return undefined;
  const status = (pod.status ?? {}) as PodStatus;
  const base = { pod: pod.metadata.name, role: pod.metadata.labels?.['app.kubernetes.io/component'] };
  if (status.phase === 'Failed') {
    if (status.reason === 'Evicted') return { ...base, reason: 'Evicted', message: clip(`pod ${base.pod} was evicted: ${status.message?.trim() || 'no message'}${OVER_STORAGE_LIMIT.test(status.message ?? '') ? STORAGE_HINT : ''}`), permanent: false };
    return { ...base, reason: 'PodFailed', message: clip(`pod ${base.pod} failed${status.reason ? ` (${status.reason})` : ''}: ${status.message ?? 'no message'}`), permanent: false };
  }
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { ...base, reason: 'Unschedulable', message: clip(`pod ${base.pod} cannot be scheduled: ${scheduled.message ?? 'no node fits it'}`), permanent: false };
  }
  const images = new Map(((pod.spec as { containers?: Array<{ name?: string; image?: string }> } | undefined)?.containers ?? []).map((c) => [c.name, c.image]));
  for (const c of status.containerStatuses ?? []) {
    // The operator's pod cache keeps the image in the spec, not in the container status.
    const p = containerProblem({ ...c, image: c.image ?? images.get(c.name) }, now);
    if (p) return { ...base, ...p, message: `pod ${base.pod}: ${p.message}` };
  }
  return undefined;
}

/**
 * The problem that speaks for the deployment: a permanent one first, then the JobManager's (the
 * job cannot start without it), then the first TaskManager's. The others are counted in its message.
 */
export function mainProblem(problems: ReadonlyArray<PodProblem>): PodProblem | undefined {
  const rank = (p: PodProblem) => (p.permanent ? 0 : 2) + (p.role === 'jobmanager' ? 0 : 1);
  const sorted = [...problems].sort((a, b) => rank(a) - rank(b) || a.pod.localeCompare(b.pod));
  const first = sorted[0];
  if (!first || sorted.length === 1) return first;
  return { ...first, message: `${first.message} (and ${sorted.length - 1} more pod${sorted.length === 2 ? '' : 's'} with problems)` };
}

/** Problems of pods that are deleted and made again (phase Failed), not restarted in place. */
const REPLACED_POD_REASONS: ReadonlySet<string> = new Set<PodProblemReason>(['Evicted', 'PodFailed']);

/**
 * A problem of a pod the operator has since replaced, still worth a word: an evicted or failed pod
 * is deleted (its name is needed for the new one) in the pass that sees it, so without this the
 * cause would show for one pass only, the start would look healthy, and a start failing at its
 * progress deadline would fail without its cause. It is the PodsHealthy condition last written,
 * kept while recent (RECENT_OOM_MS since it turned False, like an OOM kill). Pure.
 */
export function lingeringProblem(previous: { status?: string; reason?: string; message?: string; lastTransitionTime?: string } | undefined, now: number): PodProblem | undefined {
  if (previous?.status !== 'False' || !previous.reason || !REPLACED_POD_REASONS.has(previous.reason)) return undefined;
  const since = Date.parse(previous.lastTransitionTime ?? '');
  if (!(now - since < RECENT_OOM_MS)) return undefined;
  const pod = /^pod (\S+)/.exec(previous.message ?? '')?.[1] ?? 'unknown';
  return { pod, reason: previous.reason as PodProblemReason, message: previous.message ?? '', permanent: false };
}
