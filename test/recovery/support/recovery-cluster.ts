// A JobManager and N TaskManagers as real processes through the CLI (`millrace jobmanager`,
// `millrace taskmanager`), each restarted when it dies as Kubernetes restarts a pod. The
// JobManager keeps one port across restarts (what its Service gives it in Kubernetes), so
// TaskManagers find it again and register anew.

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MILLRACE_BIN } from '../../../runtime/local/process-cluster.ts';
import { freePort } from './free-port.ts';
import { SupervisedProcess, type ProcessEvent } from './supervised-process.ts';

export interface RecoveryClusterOptions {
  readonly taskManagers: number;
  readonly slotsPerTaskManager: number;
  readonly logDir: string;
  /** Extra `millrace jobmanager` flags: checkpoint storage, namespace, deployment, interval ... */
  readonly jobManagerArgs?: readonly string[];
  /** Extra environment of every process (S3 endpoint and credentials). */
  readonly env?: NodeJS.ProcessEnv;
  readonly restartDelayMs?: number;
  readonly heartbeatTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export class RecoveryCluster {
  readonly options: RecoveryClusterOptions;
  readonly events: ProcessEvent[] = [];
  restUrl = '';
  private jobManager: SupervisedProcess | undefined;
  private readonly taskManagers: SupervisedProcess[] = [];
  private stopping = false;

  constructor(options: RecoveryClusterOptions) {
    this.options = options;
  }

  private record = (event: ProcessEvent): void => {
    this.events.push(event);
    if (!this.stopping && (event.kind !== 'start' || this.countOf(event.name, 'start') > 1)) {
      this.options.log?.(`${event.name} ${event.kind}${event.pid ? ` pid ${event.pid}` : ''}${event.detail ? ` (${event.detail})` : ''}`);
    }
  };

  private countOf(name: string, kind: ProcessEvent['kind']): number {
    return this.events.filter((e) => e.name === name && e.kind === kind).length;
  }

  async start(): Promise<this> {
    mkdirSync(this.options.logDir, { recursive: true });
    const port = await freePort();
    const env = { ...process.env, ...this.options.env };
    const restartDelayMs = this.options.restartDelayMs ?? 1000;
    const jmArgs = [
      'jobmanager', '--host', '127.0.0.1', '--port', String(port),
      ...(this.options.heartbeatTimeoutMs ? ['--heartbeat-timeout-ms', String(this.options.heartbeatTimeoutMs)] : []),
      ...(this.options.jobManagerArgs ?? []),
    ];
    this.jobManager = new SupervisedProcess({
      name: 'jobmanager', module: MILLRACE_BIN, args: () => jmArgs, env, restartDelayMs,
      logFile: path.join(this.options.logDir, 'jobmanager.log'), onEvent: this.record,
    });
    const listening = this.jobManager.nextListening();
    this.jobManager.start();
    this.restUrl = await Promise.race([
      listening,
      this.jobManager.exited().then(() => {
        throw new Error(`MR_ERR_JOBMANAGER_START: the JobManager exited at start; see ${this.logFile('jobmanager')}:\n${this.logTail('jobmanager')}`);
      }),
    ]);
    for (let index = 0; index < this.options.taskManagers; index++) {
      const tm: SupervisedProcess = new SupervisedProcess({
        name: `taskmanager-${index}`, module: MILLRACE_BIN, env, restartDelayMs,
        args: () => ['taskmanager', '--jobmanager', this.restUrl, '--slots', String(this.options.slotsPerTaskManager), '--host', '127.0.0.1', '--port', '0', '--id', `tm-${index}-${tm.starts}`,
          // one local state directory per place: the replacement of a killed process clears what it left
          '--local-state-dir', path.join(this.options.logDir, 'local-state', `tm-${index}`)],
        logFile: path.join(this.options.logDir, `taskmanager-${index}.log`), onEvent: this.record,
      });
      this.taskManagers.push(tm);
      tm.start();
    }
    await this.waitForTaskManagers(this.options.taskManagers);
    return this;
  }

  logFile(name: string): string {
    return path.join(this.options.logDir, `${name}.log`);
  }

  /** The last lines of a process's log, for failure messages. */
  logTail(name: string, lines = 30): string {
    try {
      return readFileSync(this.logFile(name), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async waitForTaskManagers(n: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const overview = (await (await fetch(`${this.restUrl}/overview`, { signal: AbortSignal.timeout(2000) })).json()) as { taskmanagers: number };
        if (overview.taskmanagers >= n) return;
      } catch {
        // JobManager not (yet) answering
      }
      if (Date.now() > deadline) throw new Error(`MR_ERR_TASKMANAGERS_START: fewer than ${n} TaskManagers registered within ${timeoutMs} ms; logs in ${this.options.logDir}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  get taskManagerCount(): number {
    return this.taskManagers.length;
  }

  /** SIGKILLs TaskManager `index`; the supervisor starts a new one after the restart delay. */
  killTaskManager(index: number, signal: NodeJS.Signals = 'SIGKILL'): number | undefined {
    const tm = this.taskManagers[index];
    if (!tm) throw new Error(`MR_ERR_NO_TASKMANAGER: there is no TaskManager ${index} (0..${this.taskManagers.length - 1})`);
    return tm.kill(signal);
  }

  /** SIGKILLs the JobManager; it comes back on the same port after the restart delay. */
  killJobManager(signal: NodeJS.Signals = 'SIGKILL'): number | undefined {
    return this.jobManager?.kill(signal);
  }

  /** How often a process was killed by the harness and how often it was (re)started. */
  count(name: string, kind: ProcessEvent['kind']): number {
    return this.countOf(name, kind);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.taskManagers.map((tm) => tm.stop()));
    await this.jobManager?.stop();
  }

  /** Every process SIGKILLed at once and none restarted: the whole cluster lost, only S3 is left. */
  async crash(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.taskManagers, ...(this.jobManager ? [this.jobManager] : [])].map((p) => p.stop(0, 'SIGKILL')));
  }
}
