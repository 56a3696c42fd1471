// The asynchronous part of a task's checkpoint: serializes the operators' captures (views of the
// state as of the barrier) in bounded slices on the task's own thread, yielding to the event loop
// between slices so the task, its slot neighbours and the network keep running. The state files
// it produces are byte for byte what a synchronous snapshot's encoding writes.

import type { KeyGroupRange } from '../keys/key-groups.ts';
import type { OperatorStateCapture } from '../state/snapshot-part.ts';

/** What a state file needs besides its bytes (task-snapshot.ts's OperatorStateBytes). */
export interface CapturedOperator {
  readonly operatorUid: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly keyGroupRange?: KeyGroupRange;
  readonly sourcePosition?: unknown;
  readonly capture: OperatorStateCapture;
}

export interface SerializedOperator {
  readonly operatorUid: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly keyGroupRange?: KeyGroupRange;
  readonly sourcePosition?: unknown;
  readonly chunks: Buffer[];
}

export interface SliceOptions {
  /** work per slice before yielding (ms of the task's thread) */
  readonly sliceMs: number;
  /** entries serialized between two looks at the clock, at most (fewer while entries are large) */
  readonly stepEntries: number;
  readonly now: () => number;
  readonly yieldNow: () => Promise<void>;
}

/** 2 ms slices: well under the latency the task loop allows itself per turn. */
export const DEFAULT_SLICE_OPTIONS: SliceOptions = {
  sliceMs: 2,
  stepEntries: 256,
  now: () => performance.now(),
  yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
};

export class AsyncSnapshot {
  readonly checkpointId: number;
  private readonly operators: readonly CapturedOperator[];
  private readonly options: SliceOptions;
  private abandoned = false;
  /** time spent serializing, summed over slices (the task's thread, not wall time) */
  busyMs = 0;
  slices = 0;
  /** longest slice (ms): what serialization adds at most to a record's latency at a time */
  longestSliceMs = 0;

  constructor(checkpointId: number, operators: readonly CapturedOperator[], options: SliceOptions = DEFAULT_SLICE_OPTIONS) {
    this.checkpointId = checkpointId;
    this.operators = operators;
    this.options = options;
  }

  get isAbandoned(): boolean {
    return this.abandoned;
  }

  /** Serializes every operator's capture; undefined when abandoned meanwhile (its copies are freed). */
  async run(): Promise<SerializedOperator[] | undefined> {
    const { sliceMs, stepEntries, now, yieldNow } = this.options;
    const ops = this.operators;
    let i = 0;
    // entries differ in size by orders of magnitude: a step that overran the slice shrinks the
    // next in proportion, a quick one doubles it again (up to stepEntries)
    let step = stepEntries;
    try {
      while (i < ops.length) {
        await yieldNow();
        if (this.abandoned) return undefined;
        const t0 = now();
        let t = t0;
        while (i < ops.length && t - t0 < sliceMs) {
          if (ops[i]!.capture.advance(step)) {
            ops[i]!.capture.release();
            i++;
          }
          const before = t;
          t = now();
          if (t - before > sliceMs) step = Math.max(1, Math.floor((step * sliceMs) / (t - before)));
          else if (t - before < sliceMs / 4) step = Math.min(stepEntries, step * 2);
        }
        this.busyMs += t - t0;
        this.slices++;
        if (t - t0 > this.longestSliceMs) this.longestSliceMs = t - t0;
      }
      return ops.map(({ capture, ...meta }) => ({ ...meta, chunks: capture.chunks() }));
    } finally {
      for (const o of ops) o.capture.release();
    }
  }

  /** The checkpoint was aborted or the task canceled: stop at the next slice, free the copies now. */
  abandon(): void {
    this.abandoned = true;
    for (const o of this.operators) o.capture.discard();
  }
}
