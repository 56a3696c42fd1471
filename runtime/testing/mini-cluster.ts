// A mini-cluster for tests: a real JobManager and real TaskManager processes on this machine.

import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { resolveJobUrl } from '../artifacts/job-loader.ts';
import { JobClient, type JobStatus } from '../local/job-client.ts';
import { ProcessCluster } from '../local/process-cluster.ts';

export interface MiniClusterOptions {
  readonly taskManagers?: number;
  readonly slotsPerTaskManager?: number;
  readonly heartbeatTimeoutMs?: number;
  /** checkpoint storage URI (default: a fresh temp directory) */
  readonly checkpointStorage?: string;
  /** default 0: no periodic checkpoints (savepoints still work) */
  readonly checkpointIntervalMs?: number;
  /** more JobManager flags (e.g. --deployment for HA, --tolerable-failed-checkpoints) */
  readonly jobManagerArgs?: readonly string[];
  /** extra environment of the processes (S3 settings and credentials) */
  readonly env?: Readonly<Record<string, string>>;
}

export interface MiniCluster {
  readonly cluster: ProcessCluster;
  readonly client: JobClient;
  readonly logDir: string;
  /** where checkpoints and savepoints go */
  readonly checkpointStorage: string;
  submit(job: string, o?: { parallelism?: number; params?: Record<string, string>; restartStrategy?: string; latencyTrackingIntervalMs?: number; savepointPath?: string; allowNonRestoredState?: boolean; resumeFromLatest?: boolean }): Promise<string>;
  /** submit and wait for a terminal state */
  run(job: string, o?: { parallelism?: number; params?: Record<string, string>; restartStrategy?: string; timeoutMs?: number }): Promise<JobStatus>;
  stop(): Promise<void>;
}

export async function startMiniCluster(o: MiniClusterOptions = {}): Promise<MiniCluster> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'millrace-minicluster-'));
  const checkpointStorage = o.checkpointStorage ?? path.join(logDir, 'storage');
  const cluster = await new ProcessCluster({
    taskManagers: o.taskManagers ?? 2, slotsPerTaskManager: o.slotsPerTaskManager ?? 1, logDir,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs, taskManagerStdout: 'ignore',
    env: o.env,
    jobManagerArgs: ['--checkpoint-storage', checkpointStorage, '--checkpoint-interval-ms', String(o.checkpointIntervalMs ?? 0), ...(o.jobManagerArgs ?? [])],
  }).start();
  const client = new JobClient(cluster.restUrl);
  const submit: MiniCluster['submit'] = (job, s = {}) => client.submit({
    jobUrl: resolveJobUrl(job), parallelism: s.parallelism ?? 2, params: s.params, restartStrategy: s.restartStrategy ?? 'none',
    latencyTrackingIntervalMs: s.latencyTrackingIntervalMs, savepointPath: s.savepointPath, allowNonRestoredState: s.allowNonRestoredState, resumeFromLatest: s.resumeFromLatest,
  });
  return {
    cluster, client, logDir, submit, checkpointStorage,
    async run(job, s = {}) {
      const id = await submit(job, s);
      return client.waitForTerminal(id, s.timeoutMs ?? 120_000);
    },
    stop: () => cluster.stop(),
  };
}
