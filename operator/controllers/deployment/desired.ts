// Desired objects of a running Deployment (pure): the runtime configuration (in the pods' own
// annotations, or a ConfigMap when it is large: config-files.ts), a Service in front of the
// JobManager, one JobManager pod and N TaskManager pods sized from CU (requests = limits; N
// counts the standby ones, which the JobManager keeps free: deployment-size.ts),
// marked with the queue's PriorityClass, locked down (non-root, no privilege escalation,
// read-only root, no service account token).
import { createHash } from 'node:crypto';
import type { Deployment, DeploymentSpec } from '../../api/v1alpha1/deployment.ts';
import { cuToResources } from '../../capacity/compute-units.ts';
import { deploymentSize } from '../../capacity/deployment-size.ts';
import type { KubeObject, OwnerReference } from '../../kube/rest-client.ts';
import { LABELS, MANAGED_BY } from '../shared/context.ts';
import { priorityClassName } from '../queue/desired.ts';
import { authEnv, authVolume, authVolumeMount } from './auth-secret.ts';
import type { PodIdentity } from './pod-identity.ts';
import type { PodJob } from './artifact-resolution.ts';
import { SQL_FILE, SQL_JOB_MODULE } from './sql-source.ts';
import { SQL_FILE_PARAM } from '../../../runtime/sql/physical/sql-job.ts';
import { secretMounts } from './secret-mounts.ts';
import { formatPins, SQL_MODULES_ENV } from '../../../runtime/sql/udf/udf-modules.ts';
import { configDelivery } from './config-files.ts';
import type { ConfigDelivery } from './config-files.ts';

export const JOBMANAGER_REST_PORT = 8081;
export const JOBMANAGER_RPC_PORT = 6123;
export const TASKMANAGER_PORT = 6122;
export const CONFIG_DIR = '/etc/millrace';
export const CONFIG_PATH = `${CONFIG_DIR}/millrace.json`;
/** Inline pipelines are mounted in CONFIG_DIR here and read by the pipeline job module. */
export const PIPELINE_FILE = 'pipeline.yaml';
export const PIPELINE_PATH = `${CONFIG_DIR}/${PIPELINE_FILE}`;
/** The runtime's job module that runs a YAML pipeline (runtime/pipeline/pipeline-job.ts in the image). */
export const PIPELINE_JOB_MODULE = '/opt/millrace/runtime/pipeline/pipeline-job.ts';
/** Where the workspace's S3 credentials (the namespace's copy of its Secret) are mounted. */
export const S3_CREDENTIALS_DIR = '/var/run/secrets/millrace/s3';

/** The workspace's checkpoint storage as pods see it (runtime/storage/README.md, settings). */
export interface PodStorage {
  bucket: string;
  prefix: string;
  region: string;
  forcePathStyle: boolean;
  endpoint?: string;
  /** Secret in the deployment's namespace with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. */
  secretName: string;
}

export interface DesiredOptions {
  defaultImage: string;
  owner: OwnerReference;
  /** Absent when the namespace's workspace is unknown: the runtime then uses its local default. */
  storage?: PodStorage;
  /** Storage path of the savepoint a (re)started job restores from (restore.savepointPath). */
  restoreSavepointPath?: string;
  /** Image and service account allowed by the Workspace (pod-identity.ts); absent: defaultImage, the namespace's default account. */
  identity?: PodIdentity;
  /** The artifact's job URL (a bucket artifact pinned by its resolved sha256, entry in the fragment) and its args (artifact-resolution.ts). */
  job?: PodJob;
  /** The pods' revision (job-stop.ts: spec hash, uid, run); absent: the spec hash. */
  revision?: string;
  /** A SQL job's function modules pinned by sha256 (sql-modules.ts): module as written → s3 URI; given to both roles. */
  sqlModules?: Record<string, string>;
}

/**
 * Probes by TCP connect: the REST port is meant to answer only requests signed with the
 * Deployment's credential, which a kubelet does not hold. A pod that stops listening is restarted; one that is not yet listening
 * gets no Service traffic; the startup probe gives a slow start (large restore) five minutes.
 */
export function probes(port: number): Record<string, unknown> {
  const tcpSocket = { port };
  return {
    startupProbe: { tcpSocket, periodSeconds: 2, failureThreshold: 150, timeoutSeconds: 2 },
    readinessProbe: { tcpSocket, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 2 },
    livenessProbe: { tcpSocket, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 5 },
  };
}

/**
 * Stable hash of what the pods are built from; a change means new pods. spec.state and
 * spec.savepoints and spec.progressDeadlineSeconds are the operator's own business (a change of
 * them never restarts a job), so they stay out, and pods of deployments made before a field existed keep their hash.
 */
export function specHash(spec: DeploymentSpec): string {
  const { state: _state, savepoints: _savepoints, progressDeadlineSeconds: _deadline, ...podRelevant } = spec;
  return createHash('sha256').update(canonicalJson(podRelevant)).digest('hex').slice(0, 10);
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const serviceName = (name: string) => `${name}-jobmanager`;
export const configMapName = (name: string) => `${name}-config`;
export const jobManagerPodName = (name: string, hash: string) => `${name}-jm-${hash}`;
export const taskManagerPodName = (name: string, hash: string, i: number) => `${name}-tm-${hash}-${i}`;

export function runtimeConfig(d: Deployment, restoreSavepointPath?: string): Record<string, unknown> {
  const s = d.spec;
  return {
    deployment: { namespace: d.metadata.namespace, name: d.metadata.name },
    source: s.source,
    parallelism: s.parallelism,
    taskManager: { slots: s.taskManager.slots },
    // The JobManager keeps this many TaskManagers free (runtime/jobmanager/jobmanager-config.ts); absent: none.
    ...(s.taskManager.standby ? { taskManagers: { standby: s.taskManager.standby } } : {}),
    // A savepoint the operator took (stateful upgrade or suspend) or one named by restore.savepointName.
    restore: restoreSavepointPath ? { ...s.restore, strategy: 'savepoint', savepointPath: restoreSavepointPath } : s.restore,
    checkpoints: s.checkpoints,
    restartStrategy: s.restartStrategy,
    configuration: s.configuration,
    jobManager: { address: `${serviceName(d.metadata.name)}.${d.metadata.namespace}.svc`, restPort: JOBMANAGER_REST_PORT, rpcPort: JOBMANAGER_RPC_PORT },
  };
}

/**
 * The runtime's restart strategy flag for the spec's restartStrategy; none when it is absent, so the
 * JobManager picks Flink's default (runtime/jobmanager/restart-strategy.ts defaultRestartStrategySpec).
 */
export function restartStrategyArgs(r: DeploymentSpec['restartStrategy']): string[] {
  if (r === undefined) return [];
  return ['--restart-strategy', restartStrategyValue(r)];
}

function restartStrategyValue(r: NonNullable<DeploymentSpec['restartStrategy']>): string {
  if (r.type === 'none') return 'none';
  if (r.type === 'exponentialDelay') return `exponential-delay:initialMs=${r.delaySeconds * 1000},maxMs=${Math.max(r.delaySeconds * 1000, 300_000)}`;
  return `fixed-delay:attempts=${r.attempts},delayMs=${r.delaySeconds * 1000}`;
}

/**
 * Command lines of the runtime (`millrace jobmanager|taskmanager`, runtime/bin/millrace.ts).
 * The JobManager runs the job in application mode: the artifact is the job module; an inline
 * pipeline runs through the runtime's pipeline job module reading the mounted pipeline file,
 * inline SQL through the runtime's SQL job module reading the mounted script (sql-source.ts).
 */
export function runtimeArgs(d: Deployment, role: 'jobmanager' | 'taskmanager', podJob?: PodJob): string[] {
  const s = d.spec;
  const job = podJob?.url ?? s.source.artifact?.uri ?? (s.source.pipeline !== undefined ? PIPELINE_JOB_MODULE : s.source.sql !== undefined ? SQL_JOB_MODULE : undefined);
  if (role === 'taskmanager') {
    // --job: the only module the TaskManager loads (runtime/artifacts/job-loader.ts)
    return ['taskmanager', '--jobmanager', `http://${serviceName(d.metadata.name)}.${d.metadata.namespace}.svc:${JOBMANAGER_REST_PORT}`, '--slots', String(s.taskManager.slots), '--host', '$(POD_IP)', '--port', String(TASKMANAGER_PORT), ...(job ? ['--job', job] : [])];
  }
  const args = ['jobmanager', '--host', '0.0.0.0', '--port', String(JOBMANAGER_REST_PORT), ...restartStrategyArgs(s.restartStrategy)];
  if (job) {
    args.push('--job', job, '--parallelism', String(s.parallelism));
    if (s.source.pipeline !== undefined) args.push('--set', `pipeline=${PIPELINE_PATH}`);
    if (s.source.sql !== undefined) args.push('--set', `${SQL_FILE_PARAM}=${CONFIG_DIR}/${SQL_FILE}`);
    for (const [k, v] of Object.entries(s.configuration)) args.push('--set', `${k}=${v}`);
    for (const [k, v] of podJob?.params ?? []) args.push('--set', `${k}=${v}`);
  }
  return args;
}

/** The runtime's S3 settings (runtime/storage/s3-settings.ts, default-location.ts): names only, no secrets. */
export function storageEnv(storage: PodStorage | undefined): Array<{ name: string; value: string }> {
  if (!storage) return [];
  return [
    { name: 'MILLRACE_S3_BUCKET', value: storage.bucket },
    { name: 'MILLRACE_S3_PREFIX', value: storage.prefix },
    { name: 'MILLRACE_S3_REGION', value: storage.region },
    { name: 'MILLRACE_S3_PATH_STYLE', value: String(storage.forcePathStyle) },
    ...(storage.endpoint ? [{ name: 'MILLRACE_S3_ENDPOINT', value: storage.endpoint }] : []),
    { name: 'MILLRACE_S3_CREDENTIALS_DIR', value: S3_CREDENTIALS_DIR },
  ];
}

function pod(d: Deployment, opts: DesiredOptions, hash: string, role: 'jobmanager' | 'taskmanager', name: string, cu: number, config: ConfigDelivery): KubeObject {
  const s = d.spec;
  const ns = d.metadata.namespace ?? '';
  const resources = cuToResources(cu);
  const labels = {
    ...(s.podTemplate?.labels ?? {}),
    [LABELS.managedBy]: MANAGED_BY, [LABELS.partOf]: 'millrace', [LABELS.component]: role,
    [LABELS.deployment]: d.metadata.name, [LABELS.queue]: s.queue, [LABELS.specHash]: hash,
  };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: ns, labels, annotations: config.annotations, ownerReferences: [opts.owner] },
    spec: {
      priorityClassName: priorityClassName(ns, s.queue),
      restartPolicy: 'Always',
      automountServiceAccountToken: false,
      serviceAccountName: opts.identity?.serviceAccountName,
      nodeSelector: s.podTemplate?.nodeSelector,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      tolerations: s.podTemplate?.tolerations,
      affinity: s.podTemplate?.affinity,
      containers: [{
        name: role,
        image: opts.identity?.image ?? opts.defaultImage,
        args: runtimeArgs(d, role, opts.job),
        env: [
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'MILLRACE_ROLE', value: role },
          // HA records of another revision (a replaced spec) are never resumed (runtime/checkpoint/ha-store.ts).
          { name: 'MILLRACE_DEPLOYMENT_REVISION', value: opts.revision ?? hash },
          { name: 'MILLRACE_CONFIG', value: CONFIG_PATH },
          { name: 'MILLRACE_JOBMANAGER_ADDRESS', value: `${serviceName(d.metadata.name)}.${ns}.svc:${JOBMANAGER_RPC_PORT}` },
          { name: 'MILLRACE_TASK_SLOTS', value: String(s.taskManager.slots) },
          { name: 'MILLRACE_CPU_CORES', value: String(cu) },
          // File sources and sinks may use only the scratch volume (runtime/connectors/file-roots.ts).
          { name: 'MILLRACE_FILE_ROOTS', value: '/tmp' },
          ...storageEnv(opts.storage),
          ...(opts.sqlModules && Object.keys(opts.sqlModules).length > 0 ? [{ name: SQL_MODULES_ENV, value: formatPins(opts.sqlModules) }] : []),
          ...authEnv,
          ...(s.podTemplate?.env ?? []),
        ],
        ports: role === 'jobmanager' ? [{ name: 'rest', containerPort: JOBMANAGER_REST_PORT }, { name: 'rpc', containerPort: JOBMANAGER_RPC_PORT }] : [{ name: 'data', containerPort: TASKMANAGER_PORT }],
        resources: { requests: resources, limits: resources },
        ...probes(role === 'jobmanager' ? JOBMANAGER_REST_PORT : TASKMANAGER_PORT),
        // The runtime writes its coded start-up error there (runtime/bin/termination-message.ts); other crashes show the log's tail.
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'FallbackToLogsOnError',
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        volumeMounts: [
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          { name: 'scratch', mountPath: '/tmp' },
          ...(opts.storage ? [{ name: 's3-credentials', mountPath: S3_CREDENTIALS_DIR, readOnly: true }] : []),
          authVolumeMount,
          ...secretMounts(s.secrets).mounts,
        ],
      }],
      volumes: [
        config.volume,
        { name: 'scratch', emptyDir: { sizeLimit: resources['ephemeral-storage'] } },
        // Readable by the runtime's group only (fsGroup); the values never enter env or args.
        ...(opts.storage ? [{ name: 's3-credentials', secret: { secretName: opts.storage.secretName, defaultMode: 0o440 } }] : []),
        authVolume(d.metadata.name),
        ...secretMounts(s.secrets).volumes,
      ],
    },
  };
}

/** The files of CONFIG_DIR (name → text): the runtime configuration and an inline pipeline or SQL script. */
export function configFiles(d: Deployment, restoreSavepointPath?: string): Record<string, string> {
  return {
    'millrace.json': JSON.stringify(runtimeConfig(d, restoreSavepointPath), null, 2),
    ...(d.spec.source.pipeline !== undefined ? { [PIPELINE_FILE]: d.spec.source.pipeline } : {}),
    ...(d.spec.source.sql !== undefined ? { [SQL_FILE]: d.spec.source.sql } : {}),
  };
}

/**
 * The objects to make. `config` is the ConfigMap, present only when the files are too large for
 * the pods' annotations (config-files.ts); `files` are what the pods see in CONFIG_DIR either way.
 */
export function desiredDeploymentObjects(d: Deployment, opts: DesiredOptions): { config?: KubeObject; files: Record<string, string>; service: KubeObject; pods: KubeObject[]; hash: string } {
  const name = d.metadata.name;
  const ns = d.metadata.namespace ?? '';
  const hash = specHash(d.spec);
  const { taskManagers } = deploymentSize(d.spec);
  const labels = { [LABELS.managedBy]: MANAGED_BY, [LABELS.deployment]: name };
  const files = configFiles(d, opts.restoreSavepointPath);
  const delivery = configDelivery(files, configMapName(name), d.spec.podTemplate?.annotations);
  const config: KubeObject | undefined = delivery.configMap ? {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: configMapName(name), namespace: ns, labels, ownerReferences: [opts.owner] },
    data: files,
  } : undefined;
  const service: KubeObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: serviceName(name), namespace: ns, labels, ownerReferences: [opts.owner] },
    spec: {
      selector: { [LABELS.deployment]: name, [LABELS.component]: 'jobmanager' },
      ports: [
        { name: 'rest', port: JOBMANAGER_REST_PORT, targetPort: JOBMANAGER_REST_PORT },
        { name: 'rpc', port: JOBMANAGER_RPC_PORT, targetPort: JOBMANAGER_RPC_PORT },
      ],
    },
  };
  const pods = [pod(d, opts, hash, 'jobmanager', jobManagerPodName(name, hash), d.spec.jobManager.cu, delivery)];
  for (let i = 0; i < taskManagers; i++) pods.push(pod(d, opts, hash, 'taskmanager', taskManagerPodName(name, hash, i), d.spec.taskManager.cu, delivery));
  return { ...(config ? { config } : {}), files, service, pods, hash };
}
