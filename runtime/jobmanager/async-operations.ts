// Long-running REST operations (savepoints, disposal) in Flink's shape: a trigger answers 202
// with a request id at once; `GET …/:requestId` answers IN_PROGRESS, then COMPLETED with either
// `operation.location` or `operation.failure-cause`. Finished results are kept for an hour.

import { randomBytes } from 'node:crypto';

interface Operation {
  done: boolean;
  location?: string;
  failure?: { code: string; message: string };
  finishedAt?: number;
}

const KEEP_MS = 3_600_000;

export class AsyncOperations {
  private readonly ops = new Map<string, Operation>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  start(work: Promise<string | undefined>): string {
    this.prune();
    const id = randomBytes(16).toString('hex');
    const op: Operation = { done: false };
    this.ops.set(id, op);
    work.then((location) => {
      op.done = true;
      if (location !== undefined) op.location = location;
      op.finishedAt = this.now();
    }, (err: Error & { code?: string }) => {
      op.done = true;
      op.failure = { code: err.code ?? /^(MR_ERR_[A-Z_]+)/.exec(err.message)?.[1] ?? 'MR_ERR_OPERATION_FAILED', message: err.message };
      op.finishedAt = this.now();
    });
    return id;
  }

  /** The status body, or undefined for an unknown id. */
  status(id: string): unknown {
    const op = this.ops.get(id);
    if (!op) return undefined;
    if (!op.done) return { status: { id: 'IN_PROGRESS' } };
    if (op.failure) return { status: { id: 'COMPLETED' }, operation: { 'failure-cause': op.failure } };
    return { status: { id: 'COMPLETED' }, operation: op.location !== undefined ? { location: op.location } : {} };
  }

  private prune(): void {
    const now = this.now();
    for (const [id, op] of this.ops) if (op.finishedAt !== undefined && now - op.finishedAt > KEEP_MS) this.ops.delete(id);
  }
}
