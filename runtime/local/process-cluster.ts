// A local cluster of real processes: one JobManager and N TaskManagers started from the same
// entry point (`millrace jobmanager|taskmanager`). Used by `millrace run` and by tests (the
// mini-cluster). A TaskManager that dies is started again, as Kubernetes would restart its pod.
// With standby TaskManagers, that many more are started and the JobManager keeps them free: after
// a loss the job moves onto the standby at once, and the restarted process becomes the new standby.

import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MILLRACE_BIN = fileURLToPath(new URL('../bin/millrace.ts', import.meta.url));

export interface ProcessClusterOptions {
  readonly taskManagers: number;
  /** more TaskManagers the JobManager keeps free for failovers (`--standby-taskmanagers`); default 0 */
  readonly standbyTaskManagers?: number;
  readonly slotsPerTaskManager: number;
  /** JobManager and TaskManager logs (JSON lines) go here */
  readonly logDir: string;
  readonly heartbeatTimeoutMs?: number;
  readonly respawnTaskManagers?: boolean;
  /** where TaskManager stdout (print sinks) goes; default: this process's stdout */
  readonly taskManagerStdout?: 'inherit' | 'ignore';
  /** more JobManager flags (checkpoint storage, interval, HA scope) */
  readonly jobManagerArgs?: readonly string[];
  /** extra environment of every process (e.g. S3 endpoint and credentials) */
  readonly env?: Readonly<Record<string, string>>;
}

export interface TaskManagerProcess {
  readonly index: number;
  child: ChildProcess;
}

export class ProcessCluster {
  readonly options: ProcessClusterOptions;
  restUrl = '';
  private jm: ChildProcess | undefined;
  readonly taskManagers: TaskManagerProcess[] = [];
  private stopping = false;
  private readonly logs: WriteStream[] = [];
  respawns = 0;
  /** local copies of checkpoint state (local recovery) of this cluster's TaskManagers, deleted at stop */
  private readonly localStateRoot = path.join(os.tmpdir(), 'millrace-local-state', `cluster-${process.pid}-${Date.now().toString(36)}`);

  constructor(options: ProcessClusterOptions) {
    this.options = options;
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.options.env };
  }

  private log(name: string): WriteStream {
    mkdirSync(this.options.logDir, { recursive: true });
    const s = createWriteStream(path.join(this.options.logDir, `${name}.log`), { flags: 'a' });
    this.logs.push(s);
    return s;
  }

  async start(): Promise<this> {
    const args = ['jobmanager', '--host', '127.0.0.1', '--port', '0'];
    if (this.options.heartbeatTimeoutMs) args.push('--heartbeat-timeout-ms', String(this.options.heartbeatTimeoutMs));
    if (this.options.standbyTaskManagers) args.push('--standby-taskmanagers', String(this.options.standbyTaskManagers));
    args.push(...(this.options.jobManagerArgs ?? []));
    // own process group (detached): a terminal Ctrl-C reaches only the runner, which cancels the job
    // and then stops the processes; they exit by themselves if the runner dies (IPC disconnect)
    this.jm = fork(MILLRACE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execPath: process.execPath, detached: true, env: this.env() });
    this.jm.stdout!.pipe(this.log('jobmanager'));
    this.jm.stderr!.pipe(this.log('jobmanager'));
    this.restUrl = await new Promise<string>((resolve, reject) => {
      this.jm!.once('exit', (code) => reject(new Error(`MR_ERR_JOBMANAGER_START: JobManager exited with code ${code}; see ${this.options.logDir}/jobmanager.log`)));
      this.jm!.on('message', (m: { type: string; url: string }) => {
        if (m.type === 'listening') resolve(m.url);
      });
    });
    const all = this.options.taskManagers + (this.options.standbyTaskManagers ?? 0);
    for (let i = 0; i < all; i++) this.taskManagers.push({ index: i, child: this.spawnTaskManager(i) });
    await this.waitForTaskManagers(all);
    return this;
  }

  private spawnTaskManager(index: number): ChildProcess {
    // one local state directory per TaskManager place: the replacement of a killed process clears what it left
    const localStateDir = path.join(this.localStateRoot, `tm-${index}`);
    const child = fork(MILLRACE_BIN, ['taskmanager', '--jobmanager', this.restUrl, '--slots', String(this.options.slotsPerTaskManager), '--host', '127.0.0.1', '--port', '0', '--id', `tm-${index}-${Date.now().toString(36)}`, '--local-state-dir', localStateDir], {
      stdio: ['ignore', this.options.taskManagerStdout ?? 'inherit', 'pipe', 'ipc'], execPath: process.execPath, detached: true, env: this.env(),
    });
    child.stderr!.pipe(this.log(`taskmanager-${index}`), { end: false });
    child.once('exit', () => {
      if (this.stopping || this.options.respawnTaskManagers === false) return;
      const tm = this.taskManagers[index];
      if (tm && tm.child === child) {
        this.respawns++;
        setTimeout(() => {
          if (!this.stopping) tm.child = this.spawnTaskManager(index);
        }, 500);
      }
    });
    return child;
  }

  async waitForTaskManagers(n: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const o = (await (await fetch(`${this.restUrl}/overview`)).json()) as { taskmanagers: number };
        if (o.taskmanagers >= n) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`MR_ERR_TASKMANAGERS_START: fewer than ${n} TaskManagers registered within ${timeoutMs} ms; see logs in ${this.options.logDir}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Kills the JobManager (HA tests) and starts it again with the same flags; TaskManagers re-register. */
  async restartJobManager(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const old = this.jm;
    if (old && old.exitCode === null && old.signalCode === null) {
      await new Promise<void>((resolve) => {
        old.once('exit', () => resolve());
        old.kill(signal);
      });
    }
    const url = new URL(this.restUrl);
    const args = ['jobmanager', '--host', url.hostname, '--port', url.port];
    if (this.options.heartbeatTimeoutMs) args.push('--heartbeat-timeout-ms', String(this.options.heartbeatTimeoutMs));
    if (this.options.standbyTaskManagers) args.push('--standby-taskmanagers', String(this.options.standbyTaskManagers));
    args.push(...(this.options.jobManagerArgs ?? []).filter((a) => a !== '--no-ha-resume'));
    this.jm = fork(MILLRACE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execPath: process.execPath, detached: true, env: this.env() });
    this.jm.stdout!.pipe(this.log('jobmanager'));
    this.jm.stderr!.pipe(this.log('jobmanager'));
    await new Promise<void>((resolve, reject) => {
      this.jm!.once('exit', (code) => reject(new Error(`MR_ERR_JOBMANAGER_START: JobManager exited with code ${code}; see ${this.options.logDir}/jobmanager.log`)));
      this.jm!.on('message', (m: { type: string }) => {
        if (m.type === 'listening') resolve();
      });
    });
  }

  /** Kills one TaskManager process (tests of failure detection use SIGKILL). */
  kill(index: number, signal: NodeJS.Signals = 'SIGKILL'): number | undefined {
    const tm = this.taskManagers[index];
    const pid = tm?.child.pid;
    tm?.child.kill(signal);
    return pid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const all = [...this.taskManagers.map((t) => t.child), ...(this.jm ? [this.jm] : [])];
    await Promise.all(all.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      c.kill('SIGTERM');
    })));
    for (const l of this.logs) l.end();
    await rm(this.localStateRoot, { recursive: true, force: true });
  }
}
