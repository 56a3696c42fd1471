// A task's side of a checkpoint. The synchronous part: every operator of the chain captures its
// state as of now (views, no copies: O(key groups + timer timestamps), see state/table-view.ts),
// then the barrier goes on. The state is serialized asynchronously in slices while the task goes
// on processing, then handed over for the upload and acknowledgement. Any number of checkpoints
// may be in flight; an aborted one stops serializing and frees what it kept.

import { AsyncSnapshot, DEFAULT_SLICE_OPTIONS, type CapturedOperator, type SliceOptions } from '../checkpoint/async-snapshot.ts';
import { BARRIER } from '../network/buffers.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { Clock } from '../time/clock.ts';
import type { TaskCheckpointSnapshot } from './task-spec.ts';

export interface TaskCheckpointsConfig {
  readonly taskName: string;
  readonly vertexId: string;
  readonly parallelism: number;
  readonly subtaskIndex: number;
  /** the chain's operators and their uids, head first */
  readonly operators: readonly StreamOperator[];
  readonly uids: readonly string[];
  /** where the barrier goes after the capture (the task's writers) */
  readonly barrierOut: { broadcastEvent(kind: number, value: number): void };
  /** monotonic: sync, serialize and wall durations */
  readonly clock: Clock;
  readonly slices?: SliceOptions;
  readonly onCheckpoint?: (snapshot: TaskCheckpointSnapshot) => void;
  /** runs an action on the task's loop (a serialization failure fails the task there) */
  readonly runInTask: (action: () => void) => void;
}

export class TaskCheckpoints {
  private readonly cfg: TaskCheckpointsConfig;
  /** highest checkpoint this task snapshotted (sources ignore older triggers) */
  lastCheckpointId = 0;
  /** snapshots whose state is still being serialized, by checkpoint id */
  private readonly inFlight = new Map<number, AsyncSnapshot>();

  constructor(cfg: TaskCheckpointsConfig) {
    this.cfg = cfg;
  }

  /** Captures every operator's state, sends the barrier on, and serializes in the background. */
  perform(checkpointId: number, alignmentMs: number): void {
    const cfg = this.cfg;
    const t0 = cfg.clock.now();
    this.lastCheckpointId = checkpointId;
    const captured: CapturedOperator[] = [];
    cfg.operators.forEach((op, i) => {
      const capture = op.captureState(checkpointId);
      if (capture.isEmpty) return;
      captured.push({
        operatorUid: cfg.uids[i]!, parallelism: cfg.parallelism, maxParallelism: op.ctx.maxParallelism,
        ...(op.backend ? { keyGroupRange: op.ctx.keyGroupRange } : {}),
        ...(op instanceof SourceOperator && capture.operatorState !== undefined ? { sourcePosition: capture.operatorState } : {}),
        capture,
      });
    });
    cfg.barrierOut.broadcastEvent(BARRIER, checkpointId);
    const syncMs = cfg.clock.now() - t0;
    const snapshot = new AsyncSnapshot(checkpointId, captured, cfg.slices ?? DEFAULT_SLICE_OPTIONS);
    this.inFlight.set(checkpointId, snapshot);
    // sinks whose pre-commit finishes asynchronously (Kafka transactions) hold the acknowledgement back
    const flushes = cfg.operators.map((op) => op.checkpointFlush(checkpointId)).filter((f) => f !== undefined);
    snapshot.run().then(async (states) => (flushes.length > 0 ? Promise.all(flushes).then(() => states) : states)).then((states) => {
      if (this.inFlight.get(checkpointId) === snapshot) this.inFlight.delete(checkpointId);
      if (states === undefined) return; // abandoned
      cfg.onCheckpoint?.({
        checkpointId, vertexId: cfg.vertexId, subtaskIndex: cfg.subtaskIndex, states, alignmentMs, syncMs,
        serializeMs: snapshot.busyMs, serializeWallMs: cfg.clock.now() - t0,
      });
    }, (err: unknown) => {
      if (this.inFlight.get(checkpointId) === snapshot) this.inFlight.delete(checkpointId);
      // state that cannot be serialized fails the task, as a synchronous snapshot did
      cfg.runInTask(() => {
        throw new Error(`MR_ERR_SNAPSHOT_SERIALIZE: task ${cfg.taskName} could not serialize its state for checkpoint ${checkpointId}: ${(err as Error).message}; keep state values plain data without cycles (numbers, strings, booleans, null, arrays, objects, Map, Set, bigint, Date, bytes)`, { cause: err });
      });
    });
  }

  /**
   * The checkpoint was aborted (or declined elsewhere): its serialization stops and the copies
   * kept for it are freed. A newer barrier does not abandon an older snapshot by itself.
   */
  abort(checkpointId: number): void {
    const s = this.inFlight.get(checkpointId);
    if (!s) return;
    this.inFlight.delete(checkpointId);
    s.abandon();
  }

  abortAll(): void {
    for (const id of [...this.inFlight.keys()]) this.abort(id);
  }

  /** Checkpoints whose state is still being serialized. */
  inFlightIds(): number[] {
    return [...this.inFlight.keys()];
  }
}
