// The node tier of `npm run bench:recovery -- --tier node` (issue 15 points 1 and 4): the keyed-state
// job (bench/jobs/recovery-load.ts, bundled as a user would and uploaded as a bucket artifact)
// runs as a Deployment whose pods run the project image (localhost/millrace:dev) on the node
// tier, with checkpoints in the workspace bucket (MinIO); a TaskManager POD running tasks is
// deleted (as `kubectl delete pod`: SIGTERM, the pod's address gone), and the recovery is timed
// from the deletion until the output is back at the pre-kill rate and the backlog is consumed
// (recovery-detect.ts), as on the process tier. The sink's markers reach the bench through the
// TaskManager pods' logs (followed from their start, so a deleted pod's lines are all read).
// With spec.taskManager.standby N, the operator makes N more TaskManager pods; each kill waits
// until the JobManager has N standby again, and the bench records whether the restarted attempt
// ran only on pods that existed before the deletion (it did not wait for the replacement pod).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { useNode } from '../../test/cluster/environment.ts';
import { requireNodeImage } from '../../test/cluster/image/node-image.ts';
import { deletePrefix, s3Client } from '../../test/cluster/s3/bucket.ts';
import { useS3 } from '../../test/cluster/s3/environment.ts';
import { API, applyAs, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, unique, useOperatorCluster, waitFor } from '../../test/operator/support/harness.ts';
import { clusterIpJobManagers, jobManagerUrl } from '../../test/e2e/support/cluster-ip-jobmanagers.ts';
import { deploymentKeys } from '../../operator/controllers/deployment/auth-secret.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { bundleJob } from '../../runtime/artifacts/bundle.ts';
import { signedFetcher } from '../../runtime/auth/signed-fetch.ts';
import { isRunning, type CompletedCheckpoint, type CheckpointStats, type RecoveryJobStatus } from '../../test/recovery/support/job-api.ts';
import type { SeededRandom } from '../../test/recovery/support/seeded-random.ts';
import { bucketMarkers, DEFAULT_CRITERIA, detectRecovery, markersInLog, type LagMarker } from './recovery-detect.ts';
import type { StateSizeResult } from './recovery-report.ts';
import { recoveryTimeMs, summarize } from './recovery-stats.ts';
import { hostingPods, ranOnPodsFromBefore, type TaskManagerPod } from './recovery-node-pods.ts';

export const NODE_IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';
const BUCKET_MS = 100;
const DEPLOYMENT = 'recovery';

export interface NodeRecoveryOptions {
  readonly jobModule: string;
  readonly targetMB: number;
  readonly payloadBytes: number;
  readonly stateParallelism: number;
  readonly slotsPerTaskManager: number;
  readonly steadyRate: number;
  readonly kills: number;
  readonly checkpointIntervalSeconds: number;
  readonly standby: number;
  /** CU of each TaskManager pod (1 CU = 1 core); the node tier has the machine's cores, shared by every pod. */
  readonly taskManagerCU: number;
  readonly jobManagerCU: number;
  readonly random: SeededRandom;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  /** Where the pods' logs are kept (default: dropped). */
  readonly logDir?: string;
}

export interface NodeKill {
  readonly pod: string;
  /** deletion → every subtask of the attempt that took over has output */
  readonly firstOutputMs: number;
  /** deletion → output back at the pre-kill rate and backlog consumed */
  readonly caughtUpMs: number;
  readonly worstLagMs: number;
  /** the restarted attempt ran only on pods that existed before the deletion (the standby), not on the replacement */
  readonly ranOnStandby: boolean;
  /** deletion → the replacement pod Running (it becomes the next standby); null if not seen within the kill */
  readonly replacementRunningMs: number | null;
}

export interface NodeRecoveryResult extends StateSizeResult {
  readonly tier: 'node';
  readonly standbyTaskManagers: number;
  readonly kills: readonly NodeKill[];
  readonly pods: { readonly jobManagerCU: number; readonly taskManagerCU: number; readonly taskManagers: number };
}

type Pod = KubeObject & { metadata: { uid?: string; deletionTimestamp?: string }; status?: { phase?: string; podIP?: string; containerStatuses?: Array<{ started?: boolean; state?: { running?: unknown } }> } };

/** Follows the logs of the deployment's TaskManager pods (each pod uid once, from its start) and keeps the markers. */
class MarkerFollower {
  readonly markers: LagMarker[] = [];
  private readonly followed = new Map<string, ChildProcess>();
  private readonly kubeconfigPath: string;
  private readonly namespace: string;
  private readonly logDir: string | undefined;
  constructor(kubeconfigPath: string, namespace: string, logDir: string | undefined) {
    this.kubeconfigPath = kubeconfigPath;
    this.namespace = namespace;
    this.logDir = logDir;
  }

  /** Starts following every running TaskManager pod not followed yet (each pod once: its stream ends with the pod). */
  follow(pods: readonly Pod[]): void {
    for (const p of pods) {
      const uid = p.metadata.uid ?? '';
      if (this.followed.has(uid) || !p.status?.containerStatuses?.some((c) => c.state?.running)) continue;
      const child = spawn('kubectl', ['--kubeconfig', this.kubeconfigPath, 'logs', '-f', '-n', this.namespace, p.metadata.name], { stdio: ['ignore', 'pipe', 'ignore'] });
      this.followed.set(uid, child);
      let rest = '';
      const file = this.logDir ? join(this.logDir, `${p.metadata.name}-${uid.slice(0, 8)}.log`) : undefined;
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        if (file) appendFileSync(file, chunk);
        const text = rest + chunk;
        const cut = text.lastIndexOf('\n');
        rest = text.slice(cut + 1);
        if (cut >= 0) this.markers.push(...markersInLog(text.slice(0, cut)));
      });
    }
  }

  isFollowing(uid: string): boolean {
    return this.followed.has(uid);
  }

  stop(): void {
    for (const c of this.followed.values()) if (c.exitCode === null) c.kill('SIGTERM');
  }
}

/** The JobManager's REST API, signed with the Deployment's key as the operator signs (its Secret). */
async function jobManagerApi(rest: Parameters<typeof deploymentKeys>[0] & Parameters<typeof jobManagerUrl>[0], namespace: string) {
  const key = await deploymentKeys(rest)({ namespace, name: DEPLOYMENT });
  const base = await jobManagerUrl(rest, namespace, DEPLOYMENT);
  const fetcher = signedFetcher(key, 'operator');
  return async <T>(path: string): Promise<T> => {
    const r = await fetcher(`${base}${path}`, { timeoutMs: 5000 });
    if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    return r.json<T>()!;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureStateOnNode(o: NodeRecoveryOptions): Promise<NodeRecoveryResult> {
  const { log } = o;
  const keys = Math.round((o.targetMB * 1e6) / o.payloadBytes);
  const taskManagers = Math.ceil(o.stateParallelism / o.slotsPerTaskManager) + o.standby;
  const base = { targetMB: o.targetMB, keys, tier: 'node' as const, standbyTaskManagers: o.standby, pods: { jobManagerCU: o.jobManagerCU, taskManagerCU: o.taskManagerCU, taskManagers } };
  const node = await useNode();
  await requireNodeImage(NODE_IMAGE);
  const cluster = await useOperatorCluster();
  const { rest } = cluster;
  const s3 = await useS3({ hostAddress: node.hostAddress });
  const secretName = unique('bench-rec-s3');
  const workspace = unique('bench-rec-ws');
  const namespace = unique('bench-rec');
  const prefix = `${workspace}/`;
  const work = mkdtempSync(join(tmpdir(), 'millrace-bench-recovery-node-'));
  if (o.logDir) mkdirSync(o.logDir, { recursive: true });
  let operator: Operator | undefined;
  const follower = new MarkerFollower(node.kubeconfigPath, namespace, o.logDir);
  const tmPods = async () => (await rest.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${DEPLOYMENT},app.kubernetes.io/component=taskmanager` })).items;
  const live = (ps: readonly Pod[]): TaskManagerPod[] => ps.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && p.status.podIP)
    .map((p) => ({ name: p.metadata.name, uid: p.metadata.uid ?? '', ip: p.status?.podIP ?? '' }));
  let followTimer: ReturnType<typeof setInterval> | undefined;
  let poller: ReturnType<typeof setInterval> | undefined;
  try {
    await rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
    operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(rest), defaultImage: NODE_IMAGE });
    const needCU = o.jobManagerCU + taskManagers * o.taskManagerCU;
    await applyAs(rest, { apiVersion: API, kind: 'Workspace', metadata: { name: workspace }, spec: { capacityCU: Math.ceil(needCU), storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } } } });
    await waitFor('workspace Ready', async () => (await getWithStatus(rest, 'Workspace', workspace))?.status?.phase === 'Ready', 60_000, 500);
    await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: Math.ceil(needCU) } });
    await waitFor('default-queue Active', async () => (await getWithStatus(rest, 'Queue', 'default-queue', namespace))?.status?.phase === 'Active', 60_000, 500);

    // The job as a user ships it: one bundled ES module in the namespace's artifacts folder.
    const bundle = await bundleJob(o.jobModule, join(work, 'recovery-load.mjs'));
    const client = s3Client(s3);
    try {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}artifacts/namespaces/${namespace}/recovery-load.mjs`, Body: await readFile(bundle.file), ContentType: 'text/javascript' }));
    } finally { client.destroy(); }
    log(`node tier: ${o.targetMB} MB in ${keys.toLocaleString('en-US')} keys, parallelism ${o.stateParallelism} on ${taskManagers} TaskManager pods of ${o.taskManagerCU} CU (${o.standby} standby), checkpoints every ${o.checkpointIntervalSeconds} s to ${s3.endpoint}`);
    await applyAs(rest, {
      apiVersion: API, kind: 'Deployment', metadata: { name: DEPLOYMENT, namespace },
      spec: {
        source: { artifact: { uri: 'recovery-load.mjs', args: [`keys=${keys}`, `payloadBytes=${o.payloadBytes}`, `rate=${o.steadyRate}`, 'progressDir=-'] } },
        parallelism: o.stateParallelism, jobManager: { cu: o.jobManagerCU },
        taskManager: { cu: o.taskManagerCU, slots: o.slotsPerTaskManager, ...(o.standby > 0 ? { standby: o.standby } : {}) },
        checkpoints: { intervalSeconds: o.checkpointIntervalSeconds, retained: 2, tolerableFailures: 100 },
        // as the process tier's runs: no delay between attempts (the default waits 10 s)
        restartStrategy: { type: 'fixedDelay', attempts: 1000, delaySeconds: 0 },
      },
    });
    followTimer = setInterval(() => { tmPods().then((ps) => follower.follow(ps), () => undefined); }, 500);
    const running = await waitFor('Deployment Running', async () => {
      const d = await getWithStatus(rest, 'Deployment', DEPLOYMENT, namespace);
      if (d?.status?.phase === 'Failed') throw new Error(`Deployment failed: ${String(d.status.reason)}`);
      return d?.status?.phase === 'Running' ? d : undefined;
    }, o.timeoutMs, 1000);
    const id = (running.status?.job as { id: string }).id;
    const get = await jobManagerApi(rest, namespace);
    const completed = new Map<number, CompletedCheckpoint>();
    poller = setInterval(() => {
      get<CheckpointStats>(`/jobs/${id}/checkpoints`).then((c) => {
        const latest = c.latest.completed;
        if (latest && !completed.has(latest.id)) completed.set(latest.id, latest);
      }, () => undefined);
    }, 500);
    const job = () => get<RecoveryJobStatus>(`/jobs/${id}`);
    log(`node tier: job ${id} running; building the state`);
    await waitFor('all keys in state', async () => {
      const s = await job();
      return isRunning(s) && (s.vertices.at(-1)?.recordsIn ?? 0) >= keys ? s : undefined;
    }, o.timeoutMs, 1000);
    const filledAt = Date.now();
    const afterFill = () => [...completed.values()].filter((c) => c.latest_ack_timestamp > filledAt);
    await waitFor('a checkpoint of the full state', async () => afterFill().length > 0, o.timeoutMs, 500);
    log(`node tier: first full checkpoint ${JSON.stringify(afterFill()[0])}`);

    const kills: NodeKill[] = [];
    let steadySince = filledAt;
    for (let k = 0; k < o.kills; k++) {
      const what = `kill ${k + 1}`;
      await sleep(o.random.int(500, o.checkpointIntervalSeconds * 1000));
      await sleep(Math.max(0, steadySince + DEFAULT_CRITERIA.baselineMs + 1000 - Date.now()));
      // every TaskManager pod running and its log followed (the markers before the kill are all read), and the standby back
      const before = await waitFor(`${what}: ${taskManagers} TaskManager pods running and followed, ${o.standby} standby`, async () => {
        const ps = live(await tmPods());
        if (ps.length !== taskManagers || !ps.every((p) => follower.isFollowing(p.uid))) return undefined;
        const overview = await get<{ 'taskmanagers-standby'?: number }>('/overview');
        return (overview['taskmanagers-standby'] ?? 0) >= o.standby ? ps : undefined;
      }, o.timeoutMs, 250);
      const atKill = await job();
      const tms = (await get<{ taskmanagers: Array<{ id: string; restUrl: string }> }>('/taskmanagers')).taskmanagers;
      const hosting = hostingPods(atKill, tms, before);
      if (hosting.length === 0) throw new Error(`${what}: no TaskManager pod found for the job's subtasks (TaskManagers ${JSON.stringify(tms)}, pods ${JSON.stringify(before)})`);
      const victim = hosting[o.random.int(0, hosting.length - 1)]!;
      const killedAt = Date.now();
      await rest.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name: victim.name });
      let replacementRunningMs: number | null = null;
      const firstOutputMs = await waitFor(`${what}: output from every subtask of a new attempt`, async () => {
        const ps = live(await tmPods());
        if (replacementRunningMs === null && ps.some((p) => p.name === victim.name && p.uid !== victim.uid)) replacementRunningMs = Date.now() - killedAt;
        const s = await job();
        if (!isRunning(s) || s.attempt <= atKill.attempt) return undefined;
        const ms = recoveryTimeMs(killedAt, s.attempt, o.stateParallelism, follower.markers);
        if (ms === null) return undefined;
        await sleep(2000);
        return (await job()).attempt === s.attempt ? ms : undefined;
      }, o.timeoutMs, 100);
      // where the attempt that took over runs, against the pods that existed before the deletion
      const after = await job();
      const nowPods = live(await tmPods());
      const afterTms = (await get<{ taskmanagers: Array<{ id: string; restUrl: string }> }>('/taskmanagers')).taskmanagers;
      const ranOnStandby = ranOnPodsFromBefore(hostingPods(after, afterTms, [...before, ...nowPods.filter((p) => !before.some((b) => b.uid === p.uid))]), before.filter((p) => p.uid !== victim.uid));
      const from = killedAt - DEFAULT_CRITERIA.baselineMs - BUCKET_MS;
      const caught = await waitFor(`${what}: caught up`, async () => {
        if (replacementRunningMs === null && live(await tmPods()).some((p) => p.name === victim.name && p.uid !== victim.uid)) replacementRunningMs = Date.now() - killedAt;
        const d = detectRecovery(bucketMarkers(follower.markers, from, Date.now() - BUCKET_MS, BUCKET_MS), killedAt);
        return d.recovered ? d : undefined;
      }, o.timeoutMs, 500);
      const r: NodeKill = { pod: victim.name, firstOutputMs, caughtUpMs: caught.recoveryMs, worstLagMs: Math.round(caught.worstLagMs), ranOnStandby, replacementRunningMs };
      kills.push(r);
      steadySince = killedAt + r.caughtUpMs;
      log(`node tier: ${what}/${o.kills}, pod ${victim.name} deleted: output again after ${r.firstOutputMs} ms, caught up after ${r.caughtUpMs} ms (at most ${r.worstLagMs} ms behind); restarted on pods from before the deletion: ${ranOnStandby}; replacement pod running after ${replacementRunningMs ?? '–'} ms`);
      const seen = completed.size;
      await waitFor(`${what}: a checkpoint after the recovery`, async () => completed.size > seen, o.timeoutMs, 500);
    }
    const full = afterFill();
    return {
      ...base, status: 'ok', kills,
      checkpoints: { count: full.length, durationMs: summarize(full.map((c) => c.end_to_end_duration)), sizeBytes: summarize(full.map((c) => c.state_size)), alignmentMs: summarize(full.map((c) => c.alignment_duration)) },
      recoveriesMs: kills.map((r) => r.caughtUpMs), recoveryMs: summarize(kills.map((r) => r.caughtUpMs)),
      firstOutputsMs: kills.map((r) => r.firstOutputMs), firstOutputMs: summarize(kills.map((r) => r.firstOutputMs)),
      worstLagsMs: kills.map((r) => r.worstLagMs),
    };
  } catch (error) {
    log(`node tier failed: ${(error as Error).message}`);
    return { ...base, status: 'failed', reason: (error as Error).message.slice(0, 400), kills: [], checkpoints: { count: 0, durationMs: null, sizeBytes: null, alignmentMs: null }, recoveriesMs: [], recoveryMs: null, firstOutputsMs: [], firstOutputMs: null, worstLagsMs: [] };
  } finally {
    if (followTimer) clearInterval(followTimer);
    if (poller) clearInterval(poller);
    // The Workspace's finalizer deletes its Namespace, and that its Deployment and pods, first.
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace }).catch(() => undefined);
    await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000)
      .catch((e: unknown) => log(`cleanup incomplete: ${String(e)}`));
    follower.stop();
    await operator?.stop();
    await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName }).catch(() => undefined);
    await deletePrefix(s3, prefix).catch((e: unknown) => log(`could not delete s3 prefix ${prefix}: ${String(e)}`));
    rmSync(work, { recursive: true, force: true });
  }
}

/** The node-tier result as a table row set (printed; the JSON goes to bench/results/). */
export function renderNodeRecovery(r: NodeRecoveryResult): string {
  const s = (v: ReturnType<typeof summarize>) => (v ? `${(v.median / 1000).toFixed(2)} s (${(v.min / 1000).toFixed(2)}–${(v.max / 1000).toFixed(2)})` : '–');
  const lines = [
    `Node tier: ${r.targetMB} MB of keyed state, ${r.pods.taskManagers} TaskManager pods of ${r.pods.taskManagerCU} CU (${r.standbyTaskManagers} standby); ${r.status}${r.reason ? `: ${r.reason}` : ''}`,
    '| pod deletion → | median (min–max) |',
    '|---|---|',
    `| output from every subtask | ${s(r.firstOutputMs)} |`,
    `| caught up (rate back, backlog consumed) | ${s(r.recoveryMs)} |`,
    `| checkpoint end to end | ${s(r.checkpoints.durationMs)} |`,
    '',
    ...r.kills.map((k, i) => `kill ${i + 1}: ${k.pod}, caught up ${k.caughtUpMs} ms, restarted on pods from before: ${k.ranOnStandby}, replacement running after ${k.replacementRunningMs ?? '–'} ms`),
  ];
  return lines.join('\n');
}

export function writeNodeResult(file: string, r: NodeRecoveryResult, extra: Record<string, unknown>): void {
  writeFileSync(file, `${JSON.stringify({ ...extra, ...r }, null, 2)}\n`);
}
