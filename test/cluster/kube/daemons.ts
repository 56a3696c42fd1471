import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterError } from './errors.ts';
import { runPath } from './layout.ts';

// Long-running processes of the cluster. Each is started detached with its log in the run
// directory and its identity (pid, executable, start time) in a pid file, so `down` stops
// exactly the process we started even if the pid has since been reused by another.

interface PidRecord {
  pid: number;
  exe: string;
  startTicks: string;
}

export interface DaemonSpec {
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
}

function pidFile(name: string): string {
  return runPath('pids', `${name}.json`);
}

export function logFile(name: string): string {
  return runPath('logs', `${name}.log`);
}

async function startTicksOf(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (start time) counted after the parenthesised command name, which may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function readRecord(name: string): Promise<PidRecord | undefined> {
  try {
    return JSON.parse(await readFile(pidFile(name), 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

/** The pid of our daemon `name` if that very process still runs. */
export async function runningPid(name: string): Promise<number | undefined> {
  const record = await readRecord(name);
  if (!record) return undefined;
  const ticks = await startTicksOf(record.pid);
  if (ticks === undefined || ticks !== record.startTicks) return undefined;
  const stat = await readFile(`/proc/${record.pid}/stat`, 'utf8').catch(() => '');
  if (/\) Z /.test(stat)) return undefined;
  return record.pid;
}

export async function startDaemon(spec: DaemonSpec): Promise<number> {
  mkdirSync(runPath('pids'), { recursive: true });
  mkdirSync(runPath('logs'), { recursive: true });
  const log = openSync(logFile(spec.name), 'a');
  const child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', log, log], env: spec.env ?? process.env });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new ClusterError('MR_ERR_CLUSTER_START', `cannot start ${spec.name} (${spec.command}); see ${logFile(spec.name)}`);
  child.unref();
  const startTicks = (await startTicksOf(pid)) ?? '';
  const exe = await readlink(`/proc/${pid}/exe`).catch(() => spec.command);
  await writeFile(pidFile(spec.name), JSON.stringify({ pid, exe, startTicks } satisfies PidRecord));
  return pid;
}

/** Sends `signal` unless the process is already gone (it can exit between the check and the kill). */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Stops our daemon `name`: SIGTERM, then SIGKILL after the grace period. */
export async function stopDaemon(name: string, graceMs = 10_000): Promise<boolean> {
  const pid = await runningPid(name);
  let stopped = false;
  if (pid !== undefined) {
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while ((await runningPid(name)) !== undefined && Date.now() < deadline) await sleep(100);
    if ((await runningPid(name)) !== undefined) {
      signal(pid, 'SIGKILL');
      while ((await runningPid(name)) !== undefined) await sleep(50);
    }
    stopped = true;
  }
  await rm(pidFile(name), { force: true });
  return stopped;
}

/** Throws with the end of the daemon's log if it is no longer running. */
export async function assertRunning(name: string): Promise<void> {
  if ((await runningPid(name)) !== undefined) return;
  const log = await readFile(logFile(name), 'utf8').catch(() => '');
  const tail = log.split('\n').slice(-15).join('\n');
  throw new ClusterError('MR_ERR_CLUSTER_START', `${name} exited; last lines of ${logFile(name)}:\n${tail}`);
}

/** Polls `check` until it returns true, failing fast if one of `daemons` dies. */
export async function waitFor(what: string, check: () => Promise<boolean>, options: { timeoutMs: number; daemons?: readonly string[] }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    for (const daemon of options.daemons ?? []) await assertRunning(daemon);
    if (Date.now() > deadline) throw new ClusterError('MR_ERR_CLUSTER_TIMEOUT', `${what} not ready after ${options.timeoutMs / 1000} s; see the logs in ${runPath('logs')}`);
    await sleep(250);
  }
}
