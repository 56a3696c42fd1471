#!/usr/bin/env node
// One entry point, three roles: `millrace jobmanager`, `millrace taskmanager`, `millrace run`;
// and `millrace sql [-f]` (a Flink SQL script, or the interactive SQL client, in this process).

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { latestSavepointOf } from '../checkpoint/restore-points.ts';
import { jobManagerCheckpointConfig, parseConfigFile, standbyTaskManagersOf } from '../jobmanager/jobmanager-config.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import { pino } from 'pino';
import { redactOptions } from '../logging/redact.ts';
import { resolveJobUrl } from '../artifacts/job-loader.ts';
import { materializeJob } from '../artifacts/fetch-artifact.ts';
import type { LogArchive } from '../logging/log-archive.ts';
import { logDestination, podLogArchive } from '../logging/pod-log-archive.ts';
import { loadDeploymentKey } from '../auth/deployment-key.ts';
import { createJobManager } from '../jobmanager/jobmanager.ts';
import { runLocal } from '../local/run-command.ts';
import { startTaskManager } from '../taskmanager/taskmanager.ts';
import { terminationMessage, writeTerminationMessage } from './termination-message.ts';
import { ARTIFACTS_USAGE } from '../artifacts/cli.ts';
import { LOGS_USAGE } from '../logging/logs-cli.ts';

const USAGE = `usage:
  millrace run <job-module> [--parallelism N] [--taskmanagers M] [--standby-taskmanagers N (0)] [--slots S] [--set key=value ...]
               [--summary-json FILE] [--restart-strategy SPEC] [--batch] [--latency-interval-ms MS] [--no-progress]
               [--checkpoint-interval-ms MS (10000; 0 = off)] [--checkpoint-dir URI] [--resume]
               [--from-savepoint URI] [--allow-non-restored-state]
               [--local-recovery: restore from the TaskManagers' local copies of checkpoints (state.backend.local-recovery)]
  millrace sql [-f <script.sql>] [--set key=value ...] [--parallelism N]   (without -f: the interactive SQL client; -i <init.sql> first)
               (runs the INSERTs of a Flink SQL script locally until its bounded sources end)
  millrace jobmanager [--host H (127.0.0.1)] [--port 8081] [--allow-unauthenticated] [--heartbeat-timeout-ms 5000] [--restart-strategy SPEC]
               [--standby-taskmanagers N (0): TaskManagers kept free for failovers]
               [--job <job-module> --parallelism N --set key=value ...]   (application mode: run this job at start)
               [--checkpoint-storage URI] [--namespace NS] [--deployment NAME] [--checkpoint-interval-ms MS]
               [--checkpoint-timeout-ms MS] [--min-pause-ms MS] [--checkpoints-retained N]
               [--tolerable-failed-checkpoints N] [--from-savepoint URI] [--allow-non-restored-state] [--no-ha-resume]
               (also reads the JSON file named by MILLRACE_CONFIG; flags win)
  millrace taskmanager --jobmanager URL [--slots N] [--host DATA_HOST] [--port 6122] [--id ID] [--local-state-dir DIR]
               [--job <job-module>] [--allow-unauthenticated]

${ARTIFACTS_USAGE}
${LOGS_USAGE}

authentication: MILLRACE_AUTH_KEY_FILE names a file with the Deployment key (the operator mounts it);
then every request and data connection is signed, and only the --job module loads. Without a key
the processes listen on loopback only, unless --allow-unauthenticated.

restart strategies: none | fixed-delay:attempts=3,delayMs=1000 | exponential-delay:initialMs=1000,maxMs=60000
                    | failure-rate:maxFailures=3,intervalMs=60000,delayMs=1000`;

function fail(msg: string): never {
  process.stderr.write(`${msg}\n\n${USAGE}\n`);
  writeTerminationMessage(new Error(msg));
  process.exit(2);
}

function keyValues(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) fail(`MR_ERR_CLI: --set expects key=value, got '${kv}'`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function int(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`MR_ERR_CLI: --${name} must be a non-negative integer, got '${v}'`);
  return n;
}

// In a pod, the log (and stdout) also goes to the workspace bucket (runtime/logging/pod-log-archive.ts).
let archive: LogArchive | undefined;
const logger = (role: 'jobmanager' | 'taskmanager') => {
  archive = podLogArchive(role);
  return pino({ level: process.env.MILLRACE_LOG_LEVEL ?? 'info', redact: redactOptions }, logDestination(archive));
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'bundle' || command === 'artifacts') {
    const { runArtifactsCommand, runBundleCommand } = await import('../artifacts/cli.ts');
    process.exit(await (command === 'bundle' ? runBundleCommand(rest) : runArtifactsCommand(rest)));
  }
  if (command === 'logs') {
    const { runLogsCommand } = await import('../logging/logs-cli.ts');
    process.exit(await runLogsCommand(rest));
  }
  // `millrace console` parses its own flags (operator/console/cli.ts)
  if (command === 'console') return (await import('../../operator/console/cli.ts')).runConsole(rest);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      parallelism: { type: 'string', short: 'p' },
      taskmanagers: { type: 'string' },
      'standby-taskmanagers': { type: 'string' },
      slots: { type: 'string' },
      set: { type: 'string', multiple: true },
      'summary-json': { type: 'string' },
      'restart-strategy': { type: 'string' },
      batch: { type: 'boolean' },
      'latency-interval-ms': { type: 'string' },
      'no-progress': { type: 'boolean' },
      'log-dir': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'heartbeat-timeout-ms': { type: 'string' },
      job: { type: 'string' },
      jobmanager: { type: 'string' },
      id: { type: 'string' },
      'checkpoint-interval-ms': { type: 'string' },
      'checkpoint-dir': { type: 'string' },
      'checkpoint-storage': { type: 'string' },
      'checkpoint-timeout-ms': { type: 'string' },
      'min-pause-ms': { type: 'string' },
      'checkpoints-retained': { type: 'string' },
      'tolerable-failed-checkpoints': { type: 'string' },
      namespace: { type: 'string' },
      deployment: { type: 'string' },
      resume: { type: 'boolean' },
      'from-savepoint': { type: 'string' },
      'allow-non-restored-state': { type: 'boolean' },
      'no-ha-resume': { type: 'boolean' },
      'local-recovery': { type: 'boolean' },
      'local-state-dir': { type: 'string' },
      'allow-unauthenticated': { type: 'boolean' },
      file: { type: 'string', short: 'f' },
      init: { type: 'string', short: 'i' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (command === 'run') {
    const job = positionals[0] ?? fail('MR_ERR_CLI: run needs the path or URL of a job module');
    const code = await runLocal({
      job: await materializeJob(job, { env: process.env }),
      parallelism: int(values.parallelism, 'parallelism', 1) || 1,
      taskManagers: int(values.taskmanagers, 'taskmanagers', 1) || 1,
      standbyTaskManagers: int(values['standby-taskmanagers'], 'standby-taskmanagers', 0),
      slots: values.slots === undefined ? undefined : int(values.slots, 'slots', 1),
      params: { ...keyValues(values.set), ...(values['local-recovery'] ? { 'state.backend.local-recovery': 'true' } : {}) },
      summaryJson: values['summary-json'],
      restartStrategy: values['restart-strategy'],
      batchMode: values.batch === true,
      latencyTrackingIntervalMs: int(values['latency-interval-ms'], 'latency-interval-ms', 0),
      progress: values['no-progress'] !== true,
      logDir: values['log-dir'],
      checkpointIntervalMs: int(values['checkpoint-interval-ms'], 'checkpoint-interval-ms', 10_000),
      checkpointDir: values['checkpoint-dir'],
      resume: values.resume === true,
      fromSavepoint: values['from-savepoint'],
      allowNonRestoredState: values['allow-non-restored-state'] === true,
    });
    process.exit(code);
  }
  if (command === 'sql') {
    const file = values.file ?? positionals[0];
    if (file === undefined) {
      // no script: the interactive client (runtime/sql/client/)
      const { runRepl } = await import('../sql/client/repl.ts');
      const code = await runRepl({ config: keyValues(values.set), parallelism: int(values.parallelism, 'parallelism', 1) || 1, ...(values.init !== undefined ? { init: values.init } : {}) });
      // exit once stdout took everything (a pipe is written asynchronously; process.exit would cut it)
      process.stdout.write('', () => process.exit(code));
      return;
    }
    const { runSqlCommand } = await import('../sql/run-sql-file.ts');
    const code = await runSqlCommand({ file, config: keyValues(values.set), parallelism: int(values.parallelism, 'parallelism', 1) || 1 });
    process.stdout.write('', () => process.exit(code));
    return;
  }
  // a SQL job's function modules, pinned by the operator (MILLRACE_SQL_MODULES), are downloaded and
  // verified before either role builds the job graph (runtime/artifacts/fetch-sql-modules.ts)
  if (command === 'jobmanager' || command === 'taskmanager') await (await import('../artifacts/fetch-sql-modules.ts')).fetchSqlModules(process.env);
  if (command === 'jobmanager') {
    const log = logger('jobmanager');
    const optInt = (name: string): number | undefined => (values[name as keyof typeof values] === undefined ? undefined : int(values[name as keyof typeof values] as string, name, 0));
    const configPath = process.env.MILLRACE_CONFIG;
    const configFile = configPath ? parseConfigFile(readFileSync(configPath, 'utf8'), configPath) : undefined;
    const cfg = jobManagerCheckpointConfig({
      checkpointStorage: values['checkpoint-storage'], namespace: values.namespace, deployment: values.deployment,
      checkpointIntervalMs: optInt('checkpoint-interval-ms'), checkpointTimeoutMs: optInt('checkpoint-timeout-ms'), minPauseMs: optInt('min-pause-ms'),
      checkpointsRetained: optInt('checkpoints-retained'), tolerableFailedCheckpoints: optInt('tolerable-failed-checkpoints'),
      fromSavepoint: values['from-savepoint'], allowNonRestoredState: values['allow-non-restored-state'] ? true : undefined,
    }, configFile, process.env);
    const store = openObjectStore(cfg.storageUri, { env: process.env });
    const key = loadDeploymentKey(process.env);
    // an s3:// artifact is downloaded and verified first; its local copy is the configured job
    const jobUrl = values.job ? await materializeJob(values.job, { env: process.env }) : undefined;
    const jm = await createJobManager({
      key, configuredJob: jobUrl, allowUnauthenticated: values['allow-unauthenticated'] === true, revision: process.env.MILLRACE_DEPLOYMENT_REVISION || undefined,
      host: values.host ?? '127.0.0.1', port: int(values.port, 'port', 8081), log,
      heartbeatTimeoutMs: values['heartbeat-timeout-ms'] ? int(values['heartbeat-timeout-ms'], 'heartbeat-timeout-ms', 5000) : undefined,
      defaultRestartStrategy: values['restart-strategy'],
      standbyTaskManagers: standbyTaskManagersOf(optInt('standby-taskmanagers'), configFile),
      checkpointing: { storageUri: cfg.storageUri, store, namespace: cfg.namespace, deployment: cfg.deployment, settings: cfg.settings, retained: cfg.retained, env: process.env },
    });
    log.info({ storage: cfg.storageUri, namespace: cfg.namespace, deployment: cfg.deployment ?? null, intervalMs: cfg.settings.intervalMs, retained: cfg.retained }, 'checkpoint storage');
    // HA: a job this deployment ran before and that did not end is resumed from its latest checkpoint
    const resumed = values['no-ha-resume'] ? undefined : await jm.resumeFromHa();
    let submitted: Awaited<ReturnType<typeof jm.submit>> | undefined;
    process.send?.({ type: 'listening', url: jm.url });
    if (!resumed && values.job) {
      // application mode: wait for TaskManagers (the job master waits for slots), then run the job
      const r = cfg.restore;
      const savepointPath = r.kind === 'savepoint' ? r.path
        : r.kind === 'latestSavepoint' && cfg.deployment ? await latestSavepointOf(store, { namespace: cfg.namespace, deployment: cfg.deployment }) : undefined;
      submitted = await jm.submit({
        jobUrl: jobUrl ?? resolveJobUrl(values.job), parallelism: int(values.parallelism, 'parallelism', 1) || 1, params: keyValues(values.set), batchMode: values.batch === true,
        ...(savepointPath ? { savepointPath } : {}), resumeFromLatest: r.kind === 'latestState', allowNonRestoredState: cfg.allowNonRestoredState,
      });
    }
    const master = resumed ?? submitted;
    // the job's exception history is archived with the logs, so it outlives the pod
    if (master) archive?.setExceptionsSource(() => ({ jobId: master.id, name: master.name, state: master.state, failureCause: master.failureCause, exceptions: master.exceptions }));
    const stop = () => void jm.close().then(() => archive?.close()).then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.once('disconnect', stop); // started by `millrace run`, which is gone
    if (process.send && !process.connected) stop(); // it went away while this process started
    return;
  }
  if (command === 'taskmanager') {
    const log = logger('taskmanager');
    const host = values.host ?? process.env.MILLRACE_TASKMANAGER_HOST ?? '127.0.0.1';
    const tm = await startTaskManager({
      jobManagerUrl: values.jobmanager ?? process.env.MILLRACE_JOBMANAGER_URL ?? fail('MR_ERR_CLI: taskmanager needs --jobmanager URL'),
      slots: int(values.slots, 'slots', os.availableParallelism()) || 1,
      dataHost: host, restHost: host === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0', restPort: int(values.port, 'port', 6122), log, id: values.id, localStateDir: values['local-state-dir'],
      key: loadDeploymentKey(process.env), configuredJob: values.job ? await materializeJob(values.job, { env: process.env }) : undefined, allowUnauthenticated: values['allow-unauthenticated'] === true,
    });
    const stop = () => void tm.close().then(() => archive?.close()).then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.once('disconnect', stop); // started by `millrace run`, which is gone
    if (process.send && !process.connected) stop(); // it went away while this process started
    return;
  }
  fail(`MR_ERR_CLI: unknown command '${command}'`);
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`millrace: ${terminationMessage(err)}\n`);
  // In a pod the cause reaches the pod status and from there the Deployment's status.
  writeTerminationMessage(err);
  // the cause goes into the archived log too (under no-job when no job started)
  archive?.write(JSON.stringify({ level: 60, time: Date.now(), msg: terminationMessage(err) }));
  void (archive?.close(3000) ?? Promise.resolve()).finally(() => process.exit(1));
});
