// Real runtime processes as a Deployment's pods run them: a JobManager and TaskManagers started
// from the CLI with a Deployment key (MILLRACE_AUTH_KEY_FILE) and the configured job (--job), on
// loopback. Tests talk to them as the operator does (signed requests) and as an attacker would.

import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeploymentKey } from '../../../runtime/auth/deployment-key.ts';
import { signedFetcher, type SignedFetch } from '../../../runtime/auth/signed-fetch.ts';
import { MILLRACE_BIN } from '../../../runtime/local/process-cluster.ts';

export interface SecureClusterOptions {
  readonly job: string;
  readonly params?: Record<string, string>;
  readonly parallelism?: number;
  readonly taskManagers?: number;
  readonly slots?: number;
  /** checkpoint storage; default a fresh directory */
  readonly storage?: string;
  readonly namespace?: string;
  readonly deployment?: string;
  readonly checkpointIntervalMs?: number;
  readonly restartStrategy?: string;
  /** the key text; default 64 random hex characters */
  readonly keyText?: string;
}

export interface JobView {
  state: string;
  restarts: number;
  attempt: number;
  exceptions: Array<{ message: string }>;
  vertices: Array<{ recordsIn: number }>;
}

export class SecureCluster {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-security-'));
  readonly keyText: string;
  readonly key: DeploymentKey;
  readonly keyFile: string;
  readonly storage: string;
  /** signed as the operator */
  readonly call: SignedFetch;
  restUrl = '';
  private jm: ChildProcess | undefined;
  private readonly tms: ChildProcess[] = [];
  readonly o: SecureClusterOptions;

  constructor(o: SecureClusterOptions) {
    this.o = o;
    this.keyText = o.keyText ?? randomBytes(32).toString('hex');
    this.key = new DeploymentKey(this.keyText, 'test');
    this.keyFile = path.join(this.dir, 'key');
    writeFileSync(this.keyFile, this.keyText, { mode: 0o600 });
    this.storage = o.storage ?? path.join(this.dir, 'storage');
    this.call = signedFetcher(this.key, 'operator');
  }

  get logFile(): string {
    return path.join(this.dir, 'jobmanager.log');
  }

  jobManagerLog(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  private spawn(args: string[], log: string): ChildProcess {
    const child = fork(MILLRACE_BIN, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, MILLRACE_AUTH_KEY_FILE: this.keyFile } });
    child.stderr!.pipe(createWriteStream(path.join(this.dir, log), { flags: 'a' }));
    return child;
  }

  /** Starts the JobManager; resolves with its URL, rejects with its exit code and log if it exits first. */
  async startJobManager(): Promise<void> {
    const o = this.o;
    const args = ['jobmanager', '--host', '127.0.0.1', '--port', '0', '--job', o.job, '--parallelism', String(o.parallelism ?? 2),
      '--checkpoint-storage', this.storage, '--namespace', o.namespace ?? 'sec', '--deployment', o.deployment ?? 'victim',
      '--checkpoint-interval-ms', String(o.checkpointIntervalMs ?? 500), '--restart-strategy', o.restartStrategy ?? 'fixed-delay:attempts=20,delayMs=200'];
    for (const [k, v] of Object.entries(o.params ?? {})) args.push('--set', `${k}=${v}`);
    const jm = this.spawn(args, 'jobmanager.log');
    this.jm = jm;
    this.restUrl = await new Promise<string>((resolve, reject) => {
      jm.once('exit', (code) => reject(new Error(`JobManager exited with code ${code}: ${this.jobManagerLog().slice(-2000)}`)));
      jm.on('message', (m: { type: string; url: string }) => {
        if (m.type === 'listening') resolve(m.url);
      });
    });
  }

  /** Resolves with the JobManager's exit code (for start-up refusals). */
  async jobManagerExit(): Promise<number | null> {
    const jm = this.jm!;
    if (jm.exitCode !== null) return jm.exitCode;
    return new Promise((r) => jm.once('exit', (code) => r(code)));
  }

  async startTaskManagers(): Promise<void> {
    for (let i = 0; i < (this.o.taskManagers ?? 2); i++) {
      this.tms.push(this.spawn(['taskmanager', '--jobmanager', this.restUrl, '--slots', String(this.o.slots ?? 1), '--host', '127.0.0.1', '--port', '0', '--id', `tm-${i}`, '--job', this.o.job], `taskmanager-${i}.log`));
    }
  }

  async start(): Promise<this> {
    await this.startJobManager();
    await this.startTaskManagers();
    return this;
  }

  async get<T>(p: string): Promise<T> {
    const r = await this.call(`${this.restUrl}${p}`);
    if (!r.ok) throw new Error(`GET ${p}: HTTP ${r.status} ${r.text}`);
    return r.json<T>()!;
  }

  async jobId(timeoutMs = 30_000): Promise<string> {
    return waitFor('a job on the JobManager', async () => (await this.get<{ jobs: Array<{ id: string }> }>('/jobs')).jobs[0]?.id, timeoutMs);
  }

  job(id: string): Promise<JobView> {
    return this.get<JobView>(`/jobs/${id}`);
  }

  async taskManagers(): Promise<Array<{ id: string; restUrl: string }>> {
    return (await this.get<{ taskmanagers: Array<{ id: string; restUrl: string }> }>('/taskmanagers')).taskmanagers;
  }

  /** Data addresses of every TaskManager's slots, as their /status reports them (signed as the JobManager). */
  async slotAddresses(): Promise<string[]> {
    const asJm = signedFetcher(this.key, 'jobmanager');
    const out: string[] = [];
    for (const tm of await this.taskManagers()) out.push(...((await asJm(`${tm.restUrl}/status`)).json<{ slots: string[] }>()?.slots ?? []));
    return out;
  }

  async stop(): Promise<void> {
    const all = [this.jm, ...this.tms].filter((c): c is ChildProcess => c !== undefined && c.exitCode === null && c.signalCode === null);
    await Promise.all(all.map((c) => new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGKILL');
    })));
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
