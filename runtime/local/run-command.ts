// `millrace run <job>`: local mode. Starts a JobManager and TaskManagers as local processes,
// submits the job, shows live progress, and ends with the job: exit 0 when FINISHED, 1 when it
// failed (with the error), 130 after Ctrl-C (the job is canceled and the processes stopped).

import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadJob, resolveJobUrl } from '../artifacts/job-loader.ts';
import { deploymentNameFor } from '../checkpoint/restore-points.ts';
import { resolveStorageUri } from '../storage/default-location.ts';
import { JobClient, TERMINAL, type JobStatus } from './job-client.ts';
import { ProcessCluster } from './process-cluster.ts';
import { progressLine, sourceEvents, type ProgressSample } from './progress.ts';

export interface RunOptions {
  readonly job: string;
  readonly parallelism: number;
  readonly taskManagers: number;
  /** more TaskManagers, kept free so a failover deploys at once (Flink's slotmanager.redundant-taskmanager-num) */
  readonly standbyTaskManagers?: number;
  readonly slots?: number;
  readonly params: Record<string, string>;
  readonly summaryJson?: string;
  readonly restartStrategy?: string;
  readonly batchMode: boolean;
  readonly latencyTrackingIntervalMs: number;
  readonly progress: boolean;
  readonly logDir?: string;
  /** 0 = no checkpoints */
  readonly checkpointIntervalMs?: number;
  /** storage URI; default: MILLRACE_CHECKPOINT_STORAGE, the workspace bucket, else the local state directory */
  readonly checkpointDir?: string;
  /** start from the latest completed checkpoint (else savepoint) of this job name */
  readonly resume?: boolean;
  readonly fromSavepoint?: string;
  readonly allowNonRestoredState?: boolean;
}

export interface RunSummary {
  state: string;
  durationMs: number;
  recordsIn: number;
  recordsOut: number;
  events: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  latencyP99Ms?: number;
  restarts: number;
  failureCause?: string;
}

export async function runLocal(o: RunOptions, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const slots = o.slots ?? Math.ceil(o.parallelism / o.taskManagers);
  const logDir = o.logDir ?? path.join(os.tmpdir(), `millrace-run-${process.pid}`);
  // local mode checkpoints under namespace `local`, deployment = the job's name
  const jobUrl = resolveJobUrl(o.job);
  let deployment: string;
  try {
    deployment = deploymentNameFor((await loadJob(jobUrl)).name);
  } catch (e) {
    err.write(`millrace run failed: ${(e as Error).message}\n`);
    return 1;
  }
  const storage = resolveStorageUri(o.checkpointDir, process.env, os.homedir());
  const cluster = new ProcessCluster({
    taskManagers: o.taskManagers, standbyTaskManagers: o.standbyTaskManagers ?? 0, slotsPerTaskManager: slots, logDir,
    jobManagerArgs: ['--checkpoint-storage', storage, '--namespace', 'local', '--deployment', deployment, '--checkpoint-interval-ms', String(o.checkpointIntervalMs ?? 10_000), '--no-ha-resume'],
  });
  let interrupted = false;
  let jobId: string | undefined;
  let client: JobClient | undefined;
  const onSigint = () => {
    if (interrupted) return;
    interrupted = true;
    err.write('\ninterrupted: cancelling the job\n');
    if (client && jobId) client.cancel(jobId).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    await cluster.start();
    client = new JobClient(cluster.restUrl);
    err.write(`millrace: JobManager ${cluster.restUrl}, ${o.taskManagers} TaskManager(s) x ${slots} slot(s)${o.standbyTaskManagers ? ` and ${o.standbyTaskManagers} standby` : ''}, logs in ${logDir}\n`);
    const submitted = await client.submitJob({
      jobUrl, params: o.params, parallelism: o.parallelism, restartStrategy: o.restartStrategy,
      batchMode: o.batchMode, latencyTrackingIntervalMs: o.latencyTrackingIntervalMs,
      ...(o.fromSavepoint ? { savepointPath: o.fromSavepoint } : {}), allowNonRestoredState: o.allowNonRestoredState === true, resumeFromLatest: o.resume === true,
    });
    jobId = submitted.id;
    const from = submitted.restoredFrom;
    for (const e of (await client.job(jobId)).exceptions) if (e.message.startsWith('MR_ERR_RESTORE_UNUSABLE')) err.write(`millrace: ${e.message}\n`);
    if (from) err.write(`millrace: restoring from ${from.isSavepoint ? 'savepoint' : 'checkpoint'} ${from.checkpointId} at ${from.path}\n`);
    else if (o.resume) err.write(`millrace: --resume found no completed checkpoint or savepoint of '${deployment}' in ${storage}; starting from the beginning\n`);
    if ((o.checkpointIntervalMs ?? 10_000) > 0) err.write(`millrace: checkpoints every ${o.checkpointIntervalMs ?? 10_000} ms to ${storage} (flink-jobs/local/${deployment}/${jobId}/)\n`);
    if (interrupted) await client.cancel(jobId);
    // CPU over the processing span only (not start-up and deployment): all processes, from the
    // moment every subtask runs to the end
    let first = await client.job(jobId);
    while (first.runningSince === null && !TERMINAL.has(first.state)) {
      await new Promise((r) => setTimeout(r, 20));
      first = await client.job(jobId);
    }
    const cpu0 = await client.cpu();
    const runnerCpu0 = process.cpuUsage();
    const sourceIds = new Set(first.vertices.filter((v) => v.isSource).map((v) => v.id));
    let prev: ProgressSample | undefined;
    let status: JobStatus = first;
    const tty = (err as NodeJS.WriteStream).isTTY === true;
    let lastPrinted = 0;
    for (;;) {
      status = await client.job(jobId);
      const sample = { at: Date.now(), events: sourceEvents(status, sourceIds) };
      if (o.progress) {
        const line = progressLine(status, prev, sample);
        if (tty) err.write(`\r\x1b[2K${line}`);
        else if (sample.at - lastPrinted >= 5000 || TERMINAL.has(status.state)) {
          err.write(line + '\n');
          lastPrinted = sample.at;
        }
      }
      prev = sample;
      if (TERMINAL.has(status.state)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (o.progress && tty) err.write('\n');
    const cpu1 = await client.cpu();
    const own = process.cpuUsage(runnerCpu0);
    const total = (c: typeof cpu1, f: 'userMs' | 'systemMs') => c.jobmanager[f] + c.taskmanagers.reduce((a, t) => a + t[f], 0);
    const summary: RunSummary = {
      state: status.state,
      durationMs: status.processingDurationMs ?? status.duration,
      recordsIn: status.vertices.reduce((a, v) => a + v.recordsIn, 0),
      recordsOut: status.vertices.reduce((a, v) => a + v.recordsOut, 0),
      events: sourceEvents(status, sourceIds),
      cpuUserMs: Math.round(total(cpu1, 'userMs') - total(cpu0, 'userMs') + own.user / 1000),
      cpuSystemMs: Math.round(total(cpu1, 'systemMs') - total(cpu0, 'systemMs') + own.system / 1000),
      restarts: status.restarts,
      ...(status.latencyP99Ms !== null ? { latencyP99Ms: status.latencyP99Ms } : {}),
      ...(status['failure-cause'] ? { failureCause: status['failure-cause'] } : {}),
    };
    if (o.summaryJson) await writeFile(o.summaryJson, JSON.stringify(summary, null, 2) + '\n');
    if (status.state === 'FINISHED') {
      err.write(`job ${status.name} FINISHED in ${(status.duration / 1000).toFixed(2)}s: ${summary.events} events, ${summary.recordsOut} records out\n`);
      return 0;
    }
    if (status.state === 'CANCELED') {
      err.write(`job ${status.name} CANCELED\n`);
      return interrupted ? 130 : 1;
    }
    err.write(`job ${status.name} FAILED: ${status['failure-cause'] ?? 'unknown error'}\n`);
    return 1;
  } catch (e) {
    err.write(`millrace run failed: ${(e as Error).message}\n`);
    return interrupted ? 130 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await cluster.stop();
  }
}
