// The Argo CD health checks of the chart (composed from charts/argocd-health/), run in gopher-lua
// exactly as Argo CD runs them, on objects in every phase each kind has (the objects the operator
// writes are tested in helm-install.test.ts). Every phase of the API must map to a status on purpose.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR, argoHealthKey } from '../../charts/chart-files.ts';
import { DEPLOYMENT_PHASES } from '../../operator/api/v1alpha1/deployment.ts';
import { NAMESPACE_PHASES } from '../../operator/api/v1alpha1/namespace.ts';
import { QUEUE_PHASES } from '../../operator/api/v1alpha1/queue.ts';
import { SAVEPOINT_PHASES } from '../../operator/api/v1alpha1/savepoint.ts';
import { WORKSPACE_PHASES } from '../../operator/api/v1alpha1/workspace.ts';
import { evaluateHealth, evaluateScripts, healthScripts } from './support/argocd-health.ts';

interface Condition { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string }

function object(kind: string, status: Record<string, unknown> | undefined, opts: { generation?: number; deleting?: boolean } = {}) {
  return {
    apiVersion: 'millrace.dev/v1alpha1', kind,
    metadata: { name: 'x', generation: opts.generation ?? 2, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {},
    ...(status ? { status: { observedGeneration: 2, ...status } } : {}),
  };
}
const ready = (status: Condition['status'], reason: string, message: string): Condition => ({ type: 'Ready', status, reason, message });

type Case = [label: string, obj: ReturnType<typeof object>, status: string, message: RegExp];

const common = (kind: string): Case[] => [
  ['no status yet', object(kind, undefined), 'Progressing', /Waiting for the Millrace operator/],
  ['status of an older generation', object(kind, { phase: 'Active', conditions: [ready('True', 'Active', 'ok')] }, { generation: 3 }), 'Progressing', /generation 2, the spec is at generation 3/],
  ['being deleted', object(kind, { phase: 'Active', conditions: [ready('True', 'Active', 'ok')] }, { deleting: true }), 'Progressing', /deleted/],
];

const cases: Case[] = [
  ...common('Workspace'),
  ['Workspace Ready', object('Workspace', { phase: 'Ready', conditions: [ready('True', 'Ready', '2 of 8 CU allocated to namespaces')] }), 'Healthy', /2 of 8 CU allocated/],
  ['Workspace Pending', object('Workspace', { phase: 'Pending' }), 'Progressing', /Pending/],
  ['Workspace StorageUnavailable', object('Workspace', { phase: 'StorageUnavailable', conditions: [
    { type: 'StorageReady', status: 'False', reason: 'BucketUnavailable', message: 'bucket b: access denied' }, ready('False', 'BucketUnavailable', 'bucket b: access denied')] }), 'Degraded', /Storage unavailable: bucket b: access denied/],
  ['Workspace Terminating', object('Workspace', { phase: 'Terminating', conditions: [ready('False', 'Terminating', 'waiting for 2 namespace(s) to be deleted first: a, b')] }, { deleting: true }), 'Progressing', /Being deleted: waiting for 2 namespace\(s\)/],
  ['Workspace with an invalid spec', object('Workspace', { phase: 'Ready', conditions: [ready('False', 'InvalidSpec', 'spec.capacityCU: too small')] }), 'Degraded', /spec.capacityCU/],

  ...common('Namespace'),
  ['Namespace Active', object('Namespace', { phase: 'Active', conditions: [ready('True', 'Active', 'Kubernetes namespace team-a with quota 4 CU')] }), 'Healthy', /quota 4 CU/],
  ['Namespace Pending (no workspace)', object('Namespace', { phase: 'Pending', conditions: [ready('False', 'WorkspaceNotFound', 'Workspace w does not exist')] }), 'Progressing', /Pending: Workspace w does not exist/],
  ['Namespace QuotaRejected', object('Namespace', { phase: 'QuotaRejected', conditions: [
    { type: 'QuotaAccepted', status: 'False', reason: 'ExceedsWorkspaceCapacity', message: 'spec.quotaCU 9 exceeds the free capacity' }, ready('False', 'ExceedsWorkspaceCapacity', 'x')] }), 'Degraded', /spec.quotaCU 9 exceeds/],
  ['Namespace Terminating', object('Namespace', { phase: 'Terminating', conditions: [ready('False', 'Terminating', 'stopping 2 deployment(s)')] }, { deleting: true }), 'Progressing', /stopping 2 deployment/],
  ['Namespace whose Kubernetes namespace Millrace did not make', object('Namespace', { phase: 'Pending', conditions: [
    { type: 'KubernetesNamespace', status: 'False', reason: 'KubernetesNamespaceNotOwned', message: 'Kubernetes namespace team-a already exists and was not made by this Namespace' }, ready('False', 'Pending', 'x')] }), 'Degraded', /already exists and was not made/],
  ['Namespace whose Kubernetes namespace is being deleted directly', object('Namespace', { phase: 'Pending', conditions: [
    { type: 'KubernetesNamespace', status: 'False', reason: 'KubernetesNamespaceTerminating', message: 'Kubernetes namespace team-a is being deleted (directly, not through this Namespace)' }, ready('False', 'Pending', 'x')] }), 'Progressing', /is being deleted \(directly/],
  ['Namespace with an invalid spec', object('Namespace', { phase: 'Pending', conditions: [ready('False', 'InvalidSpec', 'spec.members[0].role: invalid')] }), 'Degraded', /members\[0\]/],

  ...common('Queue'),
  ['Queue Active', object('Queue', { phase: 'Active', conditions: [ready('True', 'QuotaEnforced', 'ResourceQuota q holds 2 CU')] }), 'Healthy', /holds 2 CU$/],
  ['Queue Active with deployments waiting', object('Queue', { phase: 'Active', queuedDeployments: 3, conditions: [ready('True', 'QuotaEnforced', 'ResourceQuota q holds 2 CU')] }), 'Healthy', /3 deployment\(s\) waiting for capacity/],
  ['Queue Pending', object('Queue', { phase: 'Pending', conditions: [ready('False', 'NamespaceNotActive', 'Millrace Namespace n is missing or not Active')] }), 'Progressing', /Pending: Millrace Namespace n/],
  ['Queue QuotaRejected', object('Queue', { phase: 'QuotaRejected', conditions: [ready('False', 'ExceedsNamespaceQuota', 'spec.cu 5 exceeds what namespace n has left')] }), 'Degraded', /spec.cu 5 exceeds/],
  ['Queue the operator may not act on', object('Queue', { conditions: [{ type: 'OperatorForbidden', status: 'True', reason: 'OperatorForbidden', message: 'the API server refuses the operator to create resourcequotas in namespace team-a' }] }), 'Degraded', /^Operator forbidden: the API server refuses the operator to create resourcequotas/],

  ...common('Deployment'),
  ['Deployment Running', object('Deployment', { phase: 'Running', job: { id: 'j1', state: 'RUNNING', restarts: 0 }, conditions: [ready('True', 'Running', 'job j1 running')] }), 'Healthy', /^Job j1 running$/],
  ['Deployment Running after restarts', object('Deployment', { phase: 'Running', job: { id: 'j1', state: 'RUNNING', restarts: 2 }, conditions: [ready('True', 'Running', 'job j1 running')] }), 'Healthy', /\(2 restarts\)/],
  ['Deployment Running, change waits for the next start', object('Deployment', { phase: 'Running', job: { id: 'j1', state: 'RUNNING' }, conditions: [
    { type: 'UpgradeBlocked', status: 'True', reason: 'UpgradeStrategyNone', message: 'upgradeStrategy none: the change of parallelism applies when the job is next started' }, ready('True', 'Running', 'x')] }), 'Healthy', /applies when the job is next started/],
  ['Deployment Running, change cannot be rolled out', object('Deployment', { phase: 'Running', job: { id: 'j1', state: 'RUNNING' }, conditions: [
    { type: 'UpgradeBlocked', status: 'True', reason: 'SavepointsUnavailable', message: 'a stateful upgrade needs a savepoint' }, ready('True', 'Running', 'x')] }), 'Degraded', /previous spec: a stateful upgrade/],
  ['Deployment Queued', object('Deployment', { phase: 'Queued', reason: 'needs 2 CU, queue default-queue has 1 free', conditions: [ready('False', 'Queued', 'x')] }), 'Progressing', /^Queued: needs 2 CU/],
  ['Deployment Starting', object('Deployment', { phase: 'Starting', reason: 'pods starting', conditions: [ready('False', 'Starting', 'waiting for the job to run')] }), 'Progressing', /^Starting: pods starting/],
  ['Deployment Upgrading', object('Deployment', { phase: 'Upgrading', conditions: [ready('False', 'Upgrading', 'replacing pods after a change of parallelism')] }), 'Progressing', /^Upgrading: replacing pods/],
  ['Deployment Suspended', object('Deployment', { phase: 'Suspended', reason: 'spec.state is suspended', conditions: [ready('True', 'Suspended', 'job suspended as requested')] }), 'Suspended', /^Suspended: spec.state is suspended/],
  ['Deployment Cancelled', object('Deployment', { phase: 'Cancelled', reason: 'spec.state is cancelled', conditions: [ready('True', 'Cancelled', 'x')] }), 'Suspended', /^Cancelled/],
  ['Deployment Starting, image cannot be pulled', object('Deployment', { phase: 'Starting', reason: 'ImagePullBackOff: pod d-jm-1: container jobmanager: cannot pull image localhost/nope:1', conditions: [
    { type: 'PodsHealthy', status: 'False', reason: 'ImagePullBackOff', message: 'pod d-jm-1: container jobmanager: cannot pull image localhost/nope:1 (ErrImagePull): not found' }, ready('False', 'ImagePullBackOff', 'x')] }), 'Degraded', /^Starting, but ImagePullBackOff: pod d-jm-1: container jobmanager: cannot pull image/],
  ['Deployment Starting, pods healthy', object('Deployment', { phase: 'Starting', reason: 'pods starting', conditions: [
    { type: 'PodsHealthy', status: 'True', reason: 'NoProblems', message: 'none of the 2 pod(s) reports a problem' }, ready('False', 'Starting', 'waiting for the job to run')] }), 'Progressing', /^Starting: pods starting/],
  ['Deployment Running, a TaskManager OOM-killed', object('Deployment', { phase: 'Running', job: { id: 'j1', state: 'RUNNING' }, conditions: [
    { type: 'PodsHealthy', status: 'False', reason: 'OOMKilled', message: 'pod d-tm-1-0: container taskmanager was killed for exceeding its memory limit' }, ready('True', 'Running', 'job j1 running')] }), 'Degraded', /^Running, but OOMKilled: pod d-tm-1-0/],
  ['Deployment Failed at its progress deadline', object('Deployment', { phase: 'Failed', reason: 'Unschedulable: did not reach Running within 300 s (spec.progressDeadlineSeconds): pod d-jm-1 cannot be scheduled: 0/1 nodes are available: 1 Insufficient cpu.', conditions: [
    ready('False', 'Unschedulable', 'x')] }), 'Degraded', /^Failed: Unschedulable: did not reach Running within 300 s/],
  ['Deployment Failed', object('Deployment', { phase: 'Failed', reason: 'job FAILED', conditions: [ready('False', 'Failed', 'job j1 is FAILED')] }), 'Degraded', /^Failed: job FAILED/],
  ['Deployment Finished', object('Deployment', { phase: 'Finished', reason: 'job FINISHED', conditions: [ready('False', 'Finished', 'x')] }), 'Healthy', /Finished/],
  ['Deployment with an invalid spec', object('Deployment', { conditions: [ready('False', 'InvalidSpec', 'Deployment a/b: spec.parallelism must be at least 1')] }), 'Degraded', /spec.parallelism/],
  // The operator's own requests refused by RBAC: Degraded whatever else the status says, even before a first status.
  ['Deployment the operator may not act on', object('Deployment', { conditions: [{ type: 'OperatorForbidden', status: 'True', reason: 'OperatorForbidden', message: 'since t the API server refuses the operator to create pods in namespace team-a: pods is forbidden' }, ready('False', 'OperatorForbidden', 'x')] }), 'Degraded', /^Operator forbidden: since t the API server refuses the operator to create pods in namespace team-a/],
  ['Deployment Starting, a Secret it mounts is missing', object('Deployment', { phase: 'Starting', conditions: [
    { type: 'PodsHealthy', status: 'False', reason: 'SecretMissing', message: "pod d-jm-1 cannot start: Secret 'kafka' (spec.secrets[0]) does not exist in namespace n" }, ready('False', 'SecretMissing', 'x')] }), 'Degraded', /^Starting, but SecretMissing: pod d-jm-1 cannot start: Secret 'kafka'/],
  ['Deployment Running, its key Secret lost under the running pods', object('Deployment', { phase: 'Running', conditions: [
    { type: 'AuthKeyProblem', status: 'True', reason: 'KeyLost', message: 'Secret d-auth is gone while pods d-jm-1 hold its key; suspend and resume' }, ready('True', 'Running', 'x')] }), 'Degraded', /^Key lost: Secret d-auth is gone/],
  ['Deployment Running, its key Secret deletion postponed (the job runs on)', object('Deployment', { phase: 'Running', conditions: [
    { type: 'AuthKeyProblem', status: 'True', reason: 'KeyDeletionPostponed', message: 'm' }, ready('True', 'Running', 'x')] }), 'Healthy', /Running/],
  ['Namespace Active, the operator forbidden there', object('Namespace', { phase: 'Active', conditions: [{ type: 'OperatorForbidden', status: 'True', reason: 'OperatorForbidden', message: 'm' }, ready('True', 'Active', 'x')] }, { generation: 2 }), 'Degraded', /^Operator forbidden: m/],

  ...common('Savepoint'),
  ['Savepoint Pending', object('Savepoint', { phase: 'Pending', conditions: [ready('False', 'WaitingForRunningJob', 'the Deployment is Queued; a savepoint needs a running job')] }), 'Progressing', /^Pending: the Deployment is Queued/],
  ['Savepoint InProgress', object('Savepoint', { phase: 'InProgress', conditions: [ready('False', 'InProgress', 'savepoint of job j1 triggered (t1)')] }), 'Progressing', /^InProgress: savepoint of job j1/],
  ['Savepoint Pending, the operator forbidden to trigger it', object('Savepoint', { phase: 'Pending', conditions: [{ type: 'OperatorForbidden', status: 'True', reason: 'OperatorForbidden', message: 'the API server refuses the operator to get secrets in namespace team-a' }, ready('False', 'OperatorForbidden', 'x')] }), 'Degraded', /^Operator forbidden: the API server refuses the operator to get secrets/],
  ['Savepoint Completed', object('Savepoint', { phase: 'Completed', path: 's3://b/flink-savepoints/n/d/savepoint-1', conditions: [ready('True', 'Completed', 'x')] }), 'Healthy', /stored at s3:\/\/b\/flink-savepoints/],
  ['Savepoint Completed, edited afterwards (final: not stale)', object('Savepoint', { phase: 'Completed', path: 's3://b/sp-1', conditions: [ready('True', 'Completed', 'x')] }, { generation: 3 }), 'Healthy', /stored at s3:\/\/b\/sp-1/],
  ['Savepoint being deleted, disposal refused', object('Savepoint', { phase: 'Completed', path: 'file:///tmp/sp', conditions: [ready('True', 'Completed', 'x'),
    { type: 'Disposed', status: 'False', reason: 'DisposalRefused', message: 'savepoint files at file:///tmp/sp not deleted: outside the savepoint directory' }] }, { deleting: true }), 'Degraded', /^Deletion blocked: savepoint files at file/],
  ['Savepoint being deleted, store unreachable', object('Savepoint', { phase: 'Completed', path: 's3://b/flink-savepoints/n/d/savepoint-1', conditions: [ready('True', 'Completed', 'x'),
    { type: 'Disposed', status: 'False', reason: 'StorageUnavailable', message: 'cannot delete the savepoint files: connect ECONNREFUSED; retrying with backoff' }] }, { deleting: true }), 'Progressing', /^Being deleted: cannot delete the savepoint files/],
  ['Savepoint Failed', object('Savepoint', { phase: 'Failed', failureReason: 'job j1 is not running', conditions: [ready('False', 'TriggerFailed', 'x')] }), 'Degraded', /^Failed: job j1 is not running/],
];

test('every phase of every kind has a case here (a new phase needs a decision)', () => {
  const covered = (kind: string) => new Set(cases.filter(([, o]) => o.kind === kind).map(([, o]) => (o.status as { phase?: string } | undefined)?.phase).filter(Boolean));
  for (const [kind, phases] of Object.entries({ Workspace: WORKSPACE_PHASES, Namespace: NAMESPACE_PHASES, Queue: QUEUE_PHASES, Deployment: DEPLOYMENT_PHASES, Savepoint: SAVEPOINT_PHASES })) {
    expect({ kind, missing: phases.filter((p) => !covered(kind).has(p)) }).toEqual({ kind, missing: [] });
  }
});

test('the chart ships one check per kind', async () => {
  expect([...(await healthScripts()).keys()].sort()).toEqual(['Deployment', 'Namespace', 'Queue', 'Savepoint', 'Workspace']);
});

describe('in gopher-lua, as Argo CD runs them', () => {
  let results: Awaited<ReturnType<typeof evaluateHealth>>;
  beforeAll(async () => { results = await evaluateHealth(cases.map(([, o]) => o)); }, 10 * 60_000);

  test.each(cases.map((c, i) => [c[0], c[1].kind, c[2], c[3], i] as const))('%s (%s) → %s', (_label, _kind, status, message, i) => {
    expect(results[i]?.error).toBeUndefined();
    expect(results[i]?.status).toBe(status);
    expect(results[i]?.message).toMatch(message);
  });
});

test('the evaluator offers what Argo CD offers: base and table, not the string library', async () => {
  // If it opened the string library, a check could use it here and then fail in a real Argo CD.
  const results = await evaluateScripts([
    { script: 'return { status = "Healthy", message = table.concat({ "a", tostring(obj.metadata.generation) }, "-") }', object: object('Queue', undefined) },
    { script: 'return { status = "Healthy", message = string.upper("x") }', object: object('Queue', undefined) },
    { script: 'return { status = "Fine" }', object: object('Queue', undefined) },
  ]);
  expect(results[0]).toEqual({ status: 'Healthy', message: 'a-2' });
  expect(results[1]?.error).toMatch(/attempt to index a non-table object\(nil\) with key 'upper'/);
  expect(results[2]).toEqual({ status: 'Unknown', message: 'Lua returned an invalid health status' });
}, 10 * 60_000);

test('the argocd-cm patch holds each check under resource.customizations.health.millrace.dev_<Kind>', async () => {
  const patch = parse(await readFile(join(CHART_DIR, 'argocd', 'argocd-cm-patch.yaml'), 'utf8')) as { data: Record<string, string> };
  for (const [kind, script] of await healthScripts()) expect(patch.data[argoHealthKey(kind)]).toBe(script);
  expect(Object.keys(patch.data)).toHaveLength(5);
});
