// One Millrace process (`millrace jobmanager|taskmanager`) kept alive the way Kubernetes keeps a
// pod's container: when it dies, it is started again with the same arguments after a short delay.
// Every start, exit and kill is recorded with its time, so tests can say what happened when.

import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface ProcessEvent {
  readonly at: number;
  readonly name: string;
  readonly kind: 'start' | 'exit' | 'kill';
  readonly pid: number | undefined;
  readonly detail?: string;
}

export interface SupervisedProcessOptions {
  readonly name: string;
  readonly module: string;
  /** Arguments of each start (a function, so a restarted TaskManager can get a new id). */
  readonly args: () => string[];
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  readonly restartDelayMs: number;
  readonly onEvent: (event: ProcessEvent) => void;
  readonly now?: () => number;
}

export class SupervisedProcess {
  readonly options: SupervisedProcessOptions;
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly log: WriteStream;
  private listening: ((url: string) => void)[] = [];
  starts = 0;

  constructor(options: SupervisedProcessOptions) {
    this.options = options;
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    const now = this.options.now ?? Date.now;
    // IPC channel: the JobManager announces its URL on it, and a process exits by itself when
    // the harness disappears (disconnect), so a crashed test leaves nothing running.
    const child = fork(this.options.module, this.options.args(), {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execPath: process.execPath, env: this.options.env, detached: true,
    });
    this.child = child;
    this.starts++;
    this.log.write(`--- start ${this.starts} pid ${child.pid} at ${new Date(now()).toISOString()}\n`);
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m.type === 'listening' && m.url) for (const resolve of this.listening.splice(0)) resolve(m.url);
    });
    this.options.onEvent({ at: now(), name: this.options.name, kind: 'start', pid: child.pid });
    child.once('exit', (code, signal) => {
      this.options.onEvent({ at: now(), name: this.options.name, kind: 'exit', pid: child.pid, detail: signal ?? `exit code ${code}` });
      if (this.stopping || this.child !== child) return;
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (!this.stopping) this.start();
      }, this.options.restartDelayMs);
    });
  }

  /** Resolves with the URL the next (or current) start announces over IPC. */
  nextListening(): Promise<string> {
    return new Promise((resolve) => this.listening.push(resolve));
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): number | undefined {
    const child = this.child;
    if (!child || !this.running) return undefined;
    this.options.onEvent({ at: (this.options.now ?? Date.now)(), name: this.options.name, kind: 'kill', pid: child.pid, detail: signal });
    child.kill(signal);
    return child.pid;
  }

  /** Resolves once the current process has exited (immediately when none runs). */
  exited(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Stops for good, no restart: `signal` (SIGTERM), then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && this.running) {
      const gone = this.exited();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    }
    if (!this.log.writableEnded) await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
