// Sources: one reader per subtask. A reader emits a bounded batch per poll (never blocks) and
// exposes its position so the checkpointing work can replay from it.

import type { ConnectorMetricGroup } from '../metrics/connector-metric-group.ts';
import type { Clock } from '../time/clock.ts';

/** Its `now()` (Clock) is the task's processing-time clock (injected, so tests control it). */
export interface SourceReaderContext extends Clock {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly attempt: number;
  /** wall-clock start of the job attempt (epoch ms); rate-limited sources pace from it */
  readonly startTime: number;
  /** A metric group for this reader, labelled with the connector's name (runtime/connectors/metrics). */
  connectorMetrics?(connector: string): ConnectorMetricGroup;
  /** Per-split watermarks; present when the source has a watermark strategy (see SplitWatermarkOutput). */
  readonly splitWatermarks?: SplitWatermarkOutput;
}

/**
 * Per-split watermarks (Flink's ReaderOutput.createOutputForSplit): a reader of several splits
 * (Kafka partitions) registers them and names the split of the records it collects next; the
 * source then keeps one watermark per split and emits their minimum, and a split without records
 * for the idle timeout stops holding it back (runtime/operators/split-watermarks.ts).
 */
export interface SplitWatermarkOutput {
  /** the reader reads this split from now on; until its first record it holds the watermark back */
  addSplit(splitId: string): void;
  /** the split is finished: it no longer holds the watermark back */
  removeSplit(splitId: string): void;
  /** the records collected from now on belong to this split */
  setCurrentSplit(splitId: string): void;
  /** the connector's own idle timeout (SQL's `scan.watermark.idle-timeout`), instead of the strategy's */
  setIdleTimeout(ms: number): void;
}

export interface SourceOutput<T> {
  /** `timestamp` is the record's own event time, if the reader knows it. */
  collect(value: T, timestamp?: number): void;
}

/** 'more': call again; 'wait': nothing now, await available(); 'end': bounded input exhausted. */
export type PollStatus = 'more' | 'wait' | 'end';

export interface SourceReader<T> {
  open?(ctx: SourceReaderContext): void | Promise<void>;
  pollNext(out: SourceOutput<T>, maxRecords: number): PollStatus;
  /** After 'wait': resolves when polling may yield records again. */
  available?(): Promise<void>;
  /** Replayable position (JSON-able), as of the checkpoint `checkpointId`. */
  snapshotState?(checkpointId?: number): unknown;
  restoreState?(state: unknown): void;
  /**
   * Restore after a rescale: the positions of the old subtasks assigned to this one (old subtask
   * j goes to new subtask j mod parallelism). An empty list means "restored, nothing left for
   * this subtask", not "start from the beginning".
   */
  restoreStates?(states: unknown[]): void;
  /** The checkpoint completed everywhere (a Kafka source commits its offsets to the group for monitoring). */
  notifyCheckpointComplete?(checkpointId: number): void;
  close?(): void | Promise<void>;
}

/**
 * A position (snapshotState's result) that is an object with `restoreAsUnion: true` is union state,
 * as Flink's union list state: on every restore each subtask gets the positions of ALL old
 * subtasks (restoreStates) and keeps what it owns at the new parallelism (the Kafka source: the
 * partitions Flink's assignment rule gives it). Other positions go from old subtask j to new j mod p.
 */
export function isUnionPosition(position: unknown): boolean {
  return typeof position === 'object' && position !== null && (position as { restoreAsUnion?: unknown }).restoreAsUnion === true;
}

export interface Source<T> {
  readonly name: string;
  readonly bounded: boolean;
  createReader(): SourceReader<T>;
}

/** A bounded source of fixed values, split round-robin over subtasks (tests and examples). */
export function fromElements<T>(values: readonly T[], timestampOf?: (v: T) => number): Source<T> {
  return {
    name: 'elements',
    bounded: true,
    createReader(): SourceReader<T> {
      // cursors: next index and stride; one per split (several after a rescaled restore)
      let cursors: Array<{ i: number; step: number }> = [];
      return {
        open(ctx) {
          cursors = [{ i: ctx.subtaskIndex, step: ctx.parallelism }];
        },
        pollNext(out, max) {
          let n = 0;
          for (const c of cursors) {
            for (; n < max && c.i < values.length; n++, c.i += c.step) {
              const v = values[c.i]!;
              out.collect(v, timestampOf ? timestampOf(v) : undefined);
            }
          }
          return cursors.some((c) => c.i < values.length) ? 'more' : 'end';
        },
        snapshotState: () => cursors.map((c) => ({ ...c })),
        restoreState(s) {
          cursors = (s as Array<{ i: number; step: number }>).map((c) => ({ ...c }));
        },
        restoreStates(states) {
          cursors = states.flatMap((s) => (s as Array<{ i: number; step: number }>).map((c) => ({ ...c })));
        },
      };
    },
  };
}
