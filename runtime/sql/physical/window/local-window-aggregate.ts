// LocalWindowAggregate (Flink's LocalSlicingWindowAggOperator): the first phase of a two-phase
// window aggregation (planner/rules/two-phase-window-aggregate.ts), chained to its input before
// the shuffle. Each row is accumulated into fresh accumulators per group and slice (the window for
// TUMBLE, the slice for HOP and CUMULATE: window-aggregate-operator.ts), and one partial row per
// group and slice, [group keys..., slice start, accumulators...], goes to the global phase, which
// merges it into that slice (WindowAggregateOperator with `partials`).
//
// When partials go: a slice's partials go before this operator forwards the first watermark at or
// past the end − 1 of the earliest window holding the slice, so they reach the global phase
// before any of their windows can fire there, as the rows themselves would have. A row whose
// earliest window had already fired by this subtask's watermark goes on at once, alone: the global
// phase judges it late or not as it would have judged the row, since the watermark of the other
// subtasks may lag. Everything buffered also goes when the buffer holds `bufferLimit` partials
// (Flink's table.exec.window-agg.buffer-size-limit, 100,000), before every checkpoint (the buffer
// is never part of a snapshot, as MiniBatchOperator's) and at the end of the input.
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { Key } from '../../../keys/key-groups.ts';
import { StreamOperator } from '../../../operators/stream-operator.ts';
import type { OperatorSnapshot } from '../../../state/state-file-format.ts';
import type { OperatorStateCapture } from '../../../state/snapshot-part.ts';
import type { WindowDef } from '../../planner/logical-plan.ts';
import type { AggsHandle } from '../aggregate/aggs-handle.ts';
import { assignWindows, windowStart } from './window-assigner.ts';
import { sliceSize } from './window-aggregate-operator.ts';

type FixedWindow = Exclude<WindowDef, { kind: 'SESSION' }>;

interface Partial {
  readonly keys: unknown[];
  readonly a: unknown[];
}

/** The partials of one slice, by group key. */
interface SliceBuffer {
  readonly start: number;
  /** end − 1 of the earliest window holding the slice: the partials go before a watermark reaches it */
  readonly due: number;
  readonly groups: Map<Key, Partial>;
}

export interface LocalWindowAggregateSpec {
  readonly window: FixedWindow;
  readonly groupKeys: readonly number[];
  readonly handle: AggsHandle;
  readonly keySelector: (row: ChangelogRow) => Key;
  readonly bufferLimit?: number;
}

export const DEFAULT_WINDOW_BUFFER_LIMIT = 100_000;

export class LocalWindowAggregateOperator extends StreamOperator {
  private readonly spec: LocalWindowAggregateSpec;
  private readonly slice: number;
  private readonly offset: number;
  private readonly limit: number;
  private readonly slices = new Map<number, SliceBuffer>();
  private buffered = 0;

  constructor(spec: LocalWindowAggregateSpec) {
    super(false);
    this.spec = spec;
    this.slice = sliceSize(spec.window);
    this.offset = spec.window.offset ?? 0;
    this.limit = spec.bufferLimit ?? DEFAULT_WINDOW_BUFFER_LIMIT;
  }

  processElement(value: unknown, timestamp: number): void {
    const row = value as ChangelogRow;
    const ts = row.values[this.spec.window.timeIndex];
    if (typeof ts !== 'number') return; // a NULL rowtime belongs to no window (the global phase drops it too)
    const start = windowStart(ts, this.slice, this.offset);
    let slice = this.slices.get(start);
    if (slice === undefined) {
      const due = assignWindows(this.spec.window, start)[0]!.end - 1;
      if (due <= this.watermark) {
        // late here: on at once, so the global phase sees it where it would have seen the row
        this.emit(start, this.partialOf(row), timestamp);
        return;
      }
      slice = { start, due, groups: new Map() };
      this.slices.set(start, slice);
    }
    const key = this.spec.keySelector(row);
    let p = slice.groups.get(key);
    if (p === undefined) {
      p = { keys: this.spec.groupKeys.map((i) => row.values[i]), a: this.spec.handle.create() };
      slice.groups.set(key, p);
      if (++this.buffered >= this.limit) {
        this.spec.handle.accumulate(p.a, row.values);
        this.flushAll();
        return;
      }
    }
    this.spec.handle.accumulate(p.a, row.values);
  }

  private partialOf(row: ChangelogRow): Partial {
    const p = { keys: this.spec.groupKeys.map((i) => row.values[i]), a: this.spec.handle.create() };
    this.spec.handle.accumulate(p.a, row.values);
    return p;
  }

  private emit(start: number, p: Partial, timestamp: number): void {
    this.output.collect({ kind: '+I', values: [...p.keys, start, ...p.a] } satisfies ChangelogRow, timestamp);
  }

  private flushSlice(slice: SliceBuffer): void {
    this.slices.delete(slice.start);
    this.buffered -= slice.groups.size;
    for (const p of slice.groups.values()) this.emit(slice.start, p, slice.due);
  }

  /** Everything buffered, oldest slice first. */
  flushAll(): void {
    for (const slice of [...this.slices.values()].sort((a, b) => a.start - b.start)) this.flushSlice(slice);
  }

  /** Before the watermark goes on: the slices whose earliest window it reaches. */
  protected override onWatermark(wm: number): void {
    if (this.slices.size === 0) return;
    const due = [...this.slices.values()].filter((s) => s.due <= wm).sort((a, b) => a.start - b.start);
    for (const slice of due) this.flushSlice(slice);
  }

  override captureState(checkpointId: number): OperatorStateCapture {
    this.flushAll();
    return super.captureState(checkpointId);
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    this.flushAll();
    return super.snapshotState(checkpointId);
  }

  override finish(): void {
    this.flushAll();
  }
}
