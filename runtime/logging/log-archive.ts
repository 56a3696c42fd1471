// Archives a JobManager's or TaskManager's log to the workspace bucket, so it outlives the pod:
//   logs/namespaces/<namespace>/<deployment>/<jobId>/<firstLineMs>-<role>-<pod>-<seq>.log
//   logs/namespaces/<namespace>/<deployment>/<jobId>/exceptions.json   (the JobManager's exception history)
// Lines are buffered and uploaded as one chunk object when the buffer is full, every interval,
// and when the process ends (close). Chunks are immutable and named so that a listing sorts them
// about by time. The job id comes from the log lines themselves (the runtime logs `jobId` with
// everything it does for a job); lines written before any job id is known go with the first one
// seen, or under `no-job` if the process ends without one. Uploads never block the writer, and
// a failed upload keeps the chunk for the next attempt (bounded: the oldest lines are dropped
// first, counted in the next chunk).
import type { Clock } from '../time/clock.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { logsDir } from '../artifacts/layout.ts';

export const NO_JOB = 'no-job';
export const EXCEPTIONS_FILE = 'exceptions.json';

export interface LogArchiveOptions {
  /** Store rooted at the workspace's prefix (keys are `logs/namespaces/...`). */
  store: ObjectStore;
  namespace: string;
  deployment: string;
  role: 'jobmanager' | 'taskmanager';
  /** The pod's name (its hostname). */
  pod: string;
  clock?: Clock;
  /** Upload when this many bytes are buffered. */
  chunkBytes?: number;
  /** Upload what is buffered at least this often (0: only when full and at close). */
  intervalMs?: number;
  /** At most this much is kept while uploads fail. */
  maxBufferedBytes?: number;
  onError?: (err: unknown) => void;
}

export interface JobExceptions {
  jobId: string;
  name?: string;
  state: string;
  failureCause?: string;
  exceptions: ReadonlyArray<{ timestamp: number; message: string }>;
}

interface Chunk { jobId: string | undefined; firstAt: number; lines: string[]; bytes: number }

const JOB_ID = /"jobId":"([A-Za-z0-9][A-Za-z0-9_-]{0,127})"/;
const POD = /[^A-Za-z0-9_.-]/g;

export class LogArchive {
  private readonly o: Required<Omit<LogArchiveOptions, 'onError'>> & { onError?: (err: unknown) => void };
  private current: Chunk | undefined;
  private readonly pending: Chunk[] = [];
  private jobId: string | undefined;
  private seq = 0;
  private dropped = 0;
  private uploading: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastExceptions = '';
  private closed = false;
  private exceptionsSource: (() => JobExceptions | undefined) | undefined;

  constructor(options: LogArchiveOptions) {
    this.o = { clock: Date, chunkBytes: 256 * 1024, intervalMs: 10_000, maxBufferedBytes: 8 * 1024 * 1024, ...options, pod: options.pod.replace(POD, '_') };
    if (this.o.intervalMs > 0) {
      this.timer = setInterval(() => void this.flush(), this.o.intervalMs);
      this.timer.unref();
    }
  }

  /** The directory of a job's archive (relative to the store's root). */
  jobDir(jobId: string): string {
    return logsDir('', this.o.namespace, this.o.deployment, jobId);
  }

  /** One or more log lines (a pino line, a chunk of stdout). Never throws, never waits. */
  write(text: string): void {
    if (this.closed || text === '') return;
    const id = JOB_ID.exec(text)?.[1];
    if (id && id !== this.jobId) {
      // a new job: what was buffered for the previous one is cut off and goes under its id
      if (this.current && this.current.jobId !== undefined && this.current.jobId !== id) this.cut();
      this.jobId = id;
      for (const c of this.pending) c.jobId ??= id;
      if (this.current) this.current.jobId ??= id;
    }
    const c = this.current ??= { jobId: this.jobId, firstAt: this.o.clock.now(), lines: [], bytes: 0 };
    c.lines.push(text.endsWith('\n') ? text : `${text}\n`);
    c.bytes += Buffer.byteLength(text) + 1;
    if (c.bytes >= this.o.chunkBytes) void this.flush();
  }

  /** Where the job's exception history comes from (the JobManager's job); written at each flush when it changed. */
  setExceptionsSource(source: () => JobExceptions | undefined): void {
    this.exceptionsSource = source;
  }

  private cut(): void {
    if (!this.current || this.current.lines.length === 0) return;
    this.pending.push(this.current);
    this.current = undefined;
    // bounded while the store is unreachable: the oldest chunks go first, and are counted
    let total = this.pending.reduce((n, c) => n + c.bytes, 0);
    while (total > this.o.maxBufferedBytes && this.pending.length > 1) {
      const gone = this.pending.shift()!;
      total -= gone.bytes;
      this.dropped += gone.lines.length;
    }
  }

  /** Uploads what is buffered now (and the exception history if it changed); resolves when done. */
  flush(): Promise<void> {
    this.cut();
    this.uploading = this.uploading.then(() => this.uploadPending()).catch((err: unknown) => this.o.onError?.(err));
    return this.uploading;
  }

  private async uploadPending(): Promise<void> {
    while (this.pending.length > 0) {
      const c = this.pending[0]!;
      const jobId = c.jobId ?? (this.closed ? NO_JOB : undefined);
      // no job id yet: wait for one, unless the buffer grows old (a minute) or the process ends
      if (jobId === undefined && this.o.clock.now() - c.firstAt < 60_000) return;
      const seq = String(this.seq).padStart(6, '0');
      const key = `${this.jobDir(jobId ?? NO_JOB)}${String(c.firstAt).padStart(13, '0')}-${this.o.role}-${this.o.pod}-${seq}.log`;
      const body = (this.dropped > 0 ? `{"msg":"millrace: ${this.dropped} log lines were not archived (storage unreachable)"}\n` : '') + c.lines.join('');
      try {
        await this.o.store.put(key, Buffer.from(body));
        this.pending.shift();
        this.seq++;
        this.dropped = 0;
      } catch (err) {
        this.o.onError?.(err);
        return; // kept for the next flush
      }
    }
    const e = this.exceptionsSource?.();
    if (e) {
      const json = JSON.stringify({ ...e, exceptions: e.exceptions.map((x) => ({ ...x, time: new Date(x.timestamp).toISOString() })) }, null, 2);
      if (json !== this.lastExceptions) {
        try {
          await this.o.store.put(`${this.jobDir(e.jobId)}${EXCEPTIONS_FILE}`, Buffer.from(json));
          this.lastExceptions = json;
        } catch (err) {
          this.o.onError?.(err);
        }
      }
    }
  }

  /** Final upload when the process ends; stops the timer. Resolves within `timeoutMs` whatever the store does. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closed = true;
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.flush(), new Promise<void>((r) => { t = setTimeout(r, timeoutMs); })]);
    clearTimeout(t);
  }
}
