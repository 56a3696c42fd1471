// Deployment: the runnable unit (artifact, YAML pipeline or SQL) with its resources and strategies.
import { z } from 'zod';
import { ageColumn, computeUnits, conditionsList, dnsLabel, objectSchema, observedGeneration, readyColumn, withRules } from './meta.ts';
import type { KindDefinition } from './meta.ts';
import { podTemplateSchema } from './pod-template.ts';
import { DEFAULT_QUEUE } from './queue.ts';

/** The lifecycle of a Deployment, each phase with what it means and whether it is terminal. */
export const DEPLOYMENT_LIFECYCLE = {
  Queued: { terminal: false, description: 'Waiting for its queue to have room for the whole deployment.' },
  Starting: { terminal: false, description: 'Pods created; waiting for the JobManager to report the job running.' },
  Running: { terminal: false, description: 'The job is running.' },
  Upgrading: { terminal: false, description: 'A spec change is being rolled out by the upgrade strategy.' },
  Suspended: { terminal: false, description: 'Stopped on request (state running -> suspended); pods removed, CU freed.' },
  Cancelled: { terminal: true, description: 'Cancelled on request; pods removed, CU freed.' },
  Failed: { terminal: true, description: 'The job or its pods failed and the restart strategy gave up.' },
  Finished: { terminal: true, description: 'A bounded (batch) job completed.' },
} as const;
export type DeploymentPhase = keyof typeof DEPLOYMENT_LIFECYCLE;
export const DEPLOYMENT_PHASES = Object.keys(DEPLOYMENT_LIFECYCLE) as [DeploymentPhase, ...DeploymentPhase[]];

export const sourceSchema = withRules(z.object({
  artifact: z.object({
    uri: z.string().min(1).describe('The job module: an artifact of the namespace in the workspace bucket, by name (job.mjs, as npx millrace artifacts list shows it) or as s3://<bucket>/artifacts/namespaces/<namespace>/<file>; a file:// path inside the image; or an http(s) URL pinned by its digest (https://host/job.js#sha256=<64 hex>). A bucket artifact is resolved when the job starts: its sha256 is recorded in status.artifact and the pods load only those bytes.'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits').optional().describe('Expected sha256 of a bucket artifact (as npx millrace artifacts list prints it); when set, a different object fails the Deployment (ArtifactDigestMismatch) instead of running it.'),
    entry: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/, 'entry must be the name of an export').optional().describe('Export of the module that holds the job (a defineJob() value or a build(env, params) function); defaults to the default export.'),
    args: z.array(z.string()).default([]).describe('Arguments of the job, each --name value, --name=value or name=value; they reach the job as parameters (params.get(name)) and win over spec.configuration.'),
  }).optional().describe('A code artifact (ES module).'),
  pipeline: z.string().max(262144).optional().describe('An inline YAML pipeline definition.'),
  sql: z.string().max(262144).optional().describe('A Flink SQL script (statements separated by semicolons; its INSERTs run as one job). The operator checks it before creating any pod; problems, with line and column, show in the Ready condition (reason InvalidSql).'),
}), 'What the job runs: exactly one of artifact, pipeline or sql.', [
  { rule: '(has(self.artifact) ? 1 : 0) + (has(self.pipeline) ? 1 : 0) + (has(self.sql) ? 1 : 0) == 1', message: 'set exactly one of source.artifact, source.pipeline or source.sql' },
]);

export const restoreSchema = withRules(z.object({
  strategy: z.enum(['latestState', 'latestSavepoint', 'savepoint', 'none']).default('latestState').describe('latestState: newest checkpoint or savepoint; latestSavepoint: newest savepoint; savepoint: the Savepoint named in savepointName; none: start empty.'),
  savepointName: dnsLabel('Name of the Savepoint to restore from; only with strategy savepoint.').optional(),
  allowNonRestoredState: z.boolean().default(false).describe('Start even if some state in the snapshot belongs to no operator of the new job.'),
}), 'Where a (re)started job takes its state from.', [
  { rule: "(self.strategy == 'savepoint') == has(self.savepointName)", message: 'savepointName is required with strategy savepoint and allowed only then', fieldPath: '.savepointName' },
]);

/** Periodic savepoints and their history (Flink operator: periodic.savepoint.interval, savepoint.history.max.count / max.age). */
export const savepointPolicySchema = withRules(z.object({
  periodicIntervalSeconds: z.number().int().min(0).max(31536000).default(0).describe('Take a savepoint of the running job this often (a Savepoint object of origin periodic), counted from when the last periodic one finished; 0 turns periodic savepoints off, otherwise at least 10. Changing it never restarts the job.'),
  historyMaxCount: z.number().int().min(1).max(1000).default(10).describe('Completed periodic Savepoints kept; older ones are deleted with their files. The newest is always kept; userRequest, suspend and upgrade Savepoints are never deleted.'),
  historyMaxAgeSeconds: z.number().int().min(0).max(315360000).default(0).describe('Periodic Savepoints completed longer ago than this are deleted with their files (the newest is always kept); 0: no age limit.'),
}), 'Periodic savepoints of the running job and how many of them are kept.', [
  { rule: 'self.periodicIntervalSeconds == 0 || self.periodicIntervalSeconds >= 10', message: 'savepoints.periodicIntervalSeconds is 0 (off) or at least 10 seconds', fieldPath: '.periodicIntervalSeconds' },
  { rule: 'self.historyMaxAgeSeconds == 0 || self.historyMaxAgeSeconds >= self.periodicIntervalSeconds', message: 'savepoints.historyMaxAgeSeconds must be 0 (no age limit) or at least periodicIntervalSeconds; to keep only the newest periodic savepoint set historyMaxCount to 1', fieldPath: '.historyMaxAgeSeconds' },
]);
export type SavepointPolicy = z.infer<typeof savepointPolicySchema>;
export const DEFAULT_SAVEPOINT_POLICY: SavepointPolicy = { periodicIntervalSeconds: 0, historyMaxCount: 10, historyMaxAgeSeconds: 0 };

/** Bound of spec.taskManager.standby: each standby is a whole pod held free, so a typo costs capacity. */
export const MAX_STANDBY_TASKMANAGERS = 16;

/** Default of spec.progressDeadlineSeconds (Kubernetes Deployments use 600 s; a stream job's pods start faster). */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 300;

export const deploymentSpecSchema = z.object({
  source: sourceSchema,
  state: z.enum(['running', 'suspended', 'cancelled']).default('running').describe('Desired state of the job: running, suspended (stop, keep state, free CU) or cancelled (stop for good).'),
  queue: dnsLabel('Queue whose CU the deployment uses.').default(DEFAULT_QUEUE),
  parallelism: z.number().int().min(1).max(4096).default(1).describe('Parallelism of the job; TaskManagers = ceil(parallelism / taskManager.slots), plus taskManager.standby.'),
  jobManager: z.object({
    cu: computeUnits('Size of the JobManager pod.').default(1),
  }).default({ cu: 1 }).describe('JobManager resources.'),
  taskManager: z.object({
    cu: computeUnits('Size of each TaskManager pod.').default(1),
    slots: z.number().int().min(1).max(64).default(1).describe('Task slots per TaskManager.'),
    standby: z.number().int().min(0, 'taskManager.standby must be 0 or more').max(MAX_STANDBY_TASKMANAGERS, `taskManager.standby is at most ${MAX_STANDBY_TASKMANAGERS}: each standby is a whole TaskManager pod held free`).optional()
      .describe(`Standby TaskManager pods (0 to ${MAX_STANDBY_TASKMANAGERS}; absent: 0), as Flink's slotmanager.redundant-taskmanager-num: created on top of the ceil(parallelism / slots) the job needs, sized and counted against the queue's CU like the others, and kept free by the JobManager, so that after a TaskManager pod is lost the job restarts on a standby at once instead of waiting for a new pod; the replacement pod becomes the next standby. The restart strategy's delay still comes first (by default 1 s, growing while failures repeat; restartStrategy.delaySeconds 0 with fixedDelay for none). Changing it replaces the pods (the upgrade strategy applies).`),
  }).default({ cu: 1, slots: 1 }).describe('TaskManager resources.'),
  upgradeStrategy: z.enum(['stateful', 'stateless', 'none']).default('stateless').describe('How a spec change reaches a running job: stateful (savepoint, then restart from it), stateless (restart from scratch or the restore strategy), none (only on the next start).'),
  restore: restoreSchema.default({ strategy: 'latestState', allowNonRestoredState: false }),
  checkpoints: z.object({
    intervalSeconds: z.number().int().min(1).max(86400).default(60).describe('Time between checkpoints.'),
    retained: z.number().int().min(1).max(100).default(1).describe('Completed checkpoints kept.'),
    tolerableFailures: z.number().int().min(0).max(1000).default(3).describe('Consecutive failed checkpoints the job tolerates before it fails over (a storage outage fails checkpoints: with the default interval, 3 ride out several minutes of it); 0 fails over at the first failed checkpoint.'),
  }).default({ intervalSeconds: 60, retained: 1, tolerableFailures: 3 }).describe('Periodic checkpoints for failure recovery.'),
  savepoints: savepointPolicySchema.default(DEFAULT_SAVEPOINT_POLICY),
  progressDeadlineSeconds: z.number().int().min(5).max(86400).default(DEFAULT_PROGRESS_DEADLINE_SECONDS).describe('Seconds a start may take to reach Running (as in Kubernetes Deployments). Past it the deployment goes to Failed with the cause (image pull error, unschedulable pods, crash loop, ...), its pods are deleted and its CU freed; a job that cannot load or build fails at once. Changing it never restarts a job.'),
  restartStrategy: z.object({
    type: z.enum(['fixedDelay', 'exponentialDelay', 'none']).default('fixedDelay').describe('fixedDelay, exponentialDelay or none.'),
    attempts: z.number().int().min(0).max(1000000).default(3).describe('Restarts before the job fails (fixedDelay).'),
    delaySeconds: z.number().int().min(0).max(3600).default(10).describe('Delay between restarts (initial delay for exponentialDelay).'),
  }).optional().describe('How the runtime restarts failed tasks. Absent: as Flink with checkpoints on (always, in a Deployment): exponential delay from 1 s, x1.5 per restart up to 1 min, back to 1 s after an hour without failure, jitter 0.1, no attempt limit. Given: type defaults to fixedDelay (3 attempts, 10 s apart).'),
  configuration: z.record(z.string(), z.string()).default({}).describe('Runtime configuration key/values, passed to JobManager and TaskManagers.'),
  secrets: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'a Secret name: lowercase letters, digits, - and .')).max(32).optional().describe('Kubernetes Secrets (in the Deployment\'s namespace) the job\'s connectors use: each is mounted read-only into the JobManager and TaskManager pods at /etc/millrace/secrets/<name>/, and connector options refer to a key as ${secret:<name>/<key>}. Only Secrets labelled millrace.dev/job-secret=true (and not managed by the operator) may be listed. Values never enter the ConfigMap, status, logs or error messages.'),
  image: z.string().min(1).optional().describe('Container image of the runtime: one the Workspace allows (Workspace spec.pods.image or spec.pods.allowedImages); defaults to the Workspace image, else the operator setting.'),
  podTemplate: podTemplateSchema.optional(),
}).describe('Desired state of the Deployment.');
export type DeploymentSpec = z.infer<typeof deploymentSpecSchema>;

export const jobStatusSchema = z.object({
  id: z.string().describe('Job id; new on every (re)start.'),
  state: z.string().describe('Job state as the JobManager reports it (CREATED, RUNNING, FAILING, FAILED, CANCELED, FINISHED, ...).'),
  startTime: z.string().optional().describe('When the job started (RFC 3339).'),
  restarts: z.number().int().optional().describe('Task restarts of this job.'),
  lastCheckpoint: z.object({
    id: z.number().int().describe('Checkpoint id.'),
    path: z.string().optional().describe('Storage path.'),
    completedAt: z.string().optional().describe('Completion time (RFC 3339).'),
  }).optional().describe('Latest completed checkpoint.'),
}).describe('The current job of the deployment.');

export const deploymentStatusSchema = z.object({
  observedGeneration: observedGeneration().optional(),
  conditions: conditionsList().optional(),
  phase: z.enum(DEPLOYMENT_PHASES).optional().describe(Object.entries(DEPLOYMENT_LIFECYCLE).map(([p, d]) => `${p}: ${d.description}`).join(' ')),
  reason: z.string().optional().describe('Why the deployment is not running, when it is not.'),
  job: jobStatusSchema.optional(),
  cuInUse: z.number().optional().describe('CU held by the pods of this deployment.'),
  requiredCU: z.number().optional().describe('CU the whole deployment needs (JobManager + TaskManagers).'),
  taskManagers: z.number().int().optional().describe('Number of TaskManager pods, standby ones (spec.taskManager.standby) included.'),
  queuedSince: z.string().optional().describe('When the deployment started waiting in its queue (RFC 3339).'),
  savepointInFlight: z.object({
    purpose: z.enum(['upgrade', 'suspend']).describe('Why the job is being stopped with a savepoint.'),
    jobId: z.string().describe('Job being stopped.'),
    triggerId: z.string().describe('Request id of the stop-with-savepoint at the JobManager.'),
    triggeredAt: z.string().describe('When it was triggered (RFC 3339).'),
  }).optional().describe('A stop-with-savepoint in progress (stateful upgrade or suspend).'),
  lastSavepoint: z.object({
    path: z.string().describe('Storage path of the savepoint.'),
    origin: z.enum(['upgrade', 'suspend']).describe('Why it was taken.'),
    jobId: z.string().optional().describe('The job it was taken of (stopped by it).'),
    completedAt: z.string().describe('When it completed (RFC 3339).'),
  }).optional().describe('The savepoint the operator last took when stopping the job (also recorded as a Savepoint object).'),
  lastPeriodicSavepoint: z.object({
    name: z.string().describe('Name of the Savepoint object.'),
    path: z.string().describe('Storage path of the savepoint.'),
    completedAt: z.string().describe('When it completed (RFC 3339).'),
  }).optional().describe('The newest completed periodic savepoint (spec.savepoints.periodicIntervalSeconds).'),
  nextPeriodicSavepointAt: z.string().optional().describe('When the next periodic savepoint is due (RFC 3339), while the job runs and periodic savepoints are on.'),
  restoreSavepointPath: z.string().optional().describe('Savepoint the next job start restores from (set by a stateful upgrade or suspend, or by restore.savepointName); cleared once that job runs.'),
  savepointFailedGeneration: z.number().int().optional().describe('Generation whose stop-with-savepoint failed; not retried until the spec changes.'),
  lastReconciledSpec: z.string().optional().describe('The spec (JSON) the running pods were created from; spec changes are classified against it.'),
  specHash: z.string().optional().describe('Hash of lastReconciledSpec, also a label of the pods.'),
  startingSince: z.string().optional().describe('When the current start began (RFC 3339), while the phase is Starting; the start fails at startingSince + spec.progressDeadlineSeconds.'),
  artifact: z.object({
    uri: z.string().describe('The artifact as spec.source.artifact.uri names it.'),
    location: z.string().describe('The object it was resolved to (s3://<bucket>/<key>).'),
    sha256: z.string().describe('sha256 of the object when it was resolved; the pods download it and load it only with this digest.'),
    size: z.number().int().optional().describe('Size in bytes.'),
    resolvedAt: z.string().describe('When it was resolved (RFC 3339).'),
    specHash: z.string().describe('The spec it was resolved for; a spec change (or a start after the job stopped) resolves it again.'),
  }).optional().describe('The bucket artifact the job runs, pinned by its sha256.'),
  sqlModules: z.object({
    specHash: z.string().describe('The spec they were resolved for; a spec change (or a start after the job stopped) resolves them again.'),
    resolvedAt: z.string().describe('When they were resolved (RFC 3339).'),
    modules: z.array(z.object({
      module: z.string().describe('The module as the script names it (CREATE FUNCTION f AS \'<module>#<export>\' LANGUAGE JAVASCRIPT).'),
      location: z.string().describe('The object it was resolved to, in the namespace\'s sql-artifacts folder (s3://<bucket>/<key>).'),
      sha256: z.string().describe('sha256 of the object when it was resolved; the JobManager and TaskManager pods download it and load it only with this digest.'),
      size: z.number().int().optional().describe('Size in bytes.'),
      functions: z.array(z.object({
        export: z.string().describe('The export the script names.'),
        kind: z.enum(['scalar', 'table', 'aggregate']).describe('The function\'s kind, from the module\'s types file.'),
        result: z.string().describe('Its declared result type (Flink SQL).'),
        retract: z.boolean().optional().describe('An aggregate function with retract(acc, ...args).'),
        merge: z.boolean().optional().describe('An aggregate function with merge(acc, others).'),
      })).describe('The functions of the script from this module, as its types file declares them (what the operator checked the script with; it never runs tenant code).'),
    })).describe('One entry per module the script names.'),
  }).optional().describe('The JAVASCRIPT function modules of a SQL job, pinned by their sha256.'),
  lastReportedCause: z.string().optional().describe('Reasons of the start-up or pod problems reported as Warning Events in this start or run, comma-separated (one Event per cause, also when causes alternate); cleared once the job runs with healthy pods.'),
  run: z.number().int().min(1).optional().describe('How many times the operator started the job afresh (after Queued, Suspended, Cancelled or Failed). The pods\' revision (MILLRACE_DEPLOYMENT_REVISION) carries it with the Deployment\'s uid and spec hash, so a JobManager never resumes the HA record of a job the operator ended, even if its cancellation never reached storage.'),
  cancelRequested: z.object({
    jobId: z.string().describe('Job the operator asked to cancel.'),
    requestedAt: z.string().describe('When (RFC 3339); its pods are deleted once the JobManager reports the job ended, or 30 s after this at the latest.'),
  }).optional().describe('A cancellation (suspend, cancel, stateless upgrade, failed start) waiting for the JobManager to confirm it before the pods are deleted.'),
}).describe('Observed state of the Deployment.');
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;

export const deploymentSchema = objectSchema('Deployment', 'A Millrace deployment: a stream job with its resources, queue and strategies.', deploymentSpecSchema, deploymentStatusSchema);
export type Deployment = z.infer<typeof deploymentSchema>;

export const deploymentKind: KindDefinition = {
  kind: 'Deployment', plural: 'deployments', singular: 'deployment', shortNames: ['mdep'], scope: 'Namespaced',
  description: deploymentSchema.description ?? '',
  spec: deploymentSpecSchema, status: deploymentStatusSchema,
  rootRules: [{ rule: 'self.metadata.name.size() <= 40', message: 'metadata.name may have at most 40 characters (the JobManager Service name adds a suffix and must stay a 63-character DNS label)' }],
  printerColumns: [
    { name: 'State', type: 'string', jsonPath: '.spec.state', description: 'Desired state.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase.' },
    { name: 'Queue', type: 'string', jsonPath: '.spec.queue', description: 'Queue.' },
    { name: 'CU', type: 'number', jsonPath: '.status.cuInUse', description: 'CU in use.' },
    { name: 'Parallelism', type: 'integer', jsonPath: '.spec.parallelism', description: 'Parallelism.', priority: 1 },
    { name: 'Job', type: 'string', jsonPath: '.status.job.id', description: 'Current job id.', priority: 1 },
    { name: 'Reason', type: 'string', jsonPath: '.status.reason', description: 'Why it is not running.', priority: 1 },
    readyColumn, ageColumn,
  ],
};
