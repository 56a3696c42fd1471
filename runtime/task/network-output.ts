// Outputs inside a task: ChainingOutput calls the next operator directly; NetworkOutput (at the
// chain's tail) writes to the record writers of the main and side outputs.

import type { Output } from '../operators/output.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import { WATERMARK } from '../network/buffers.ts';
import type { RecordWriter } from './record-writer.ts';

export class ChainingOutput implements Output {
  private readonly next: StreamOperator;
  constructor(next: StreamOperator) {
    this.next = next;
  }
  collect(value: unknown, ts: number): void {
    this.next.processElement(value, ts);
  }
  collectSide(): void {
    // side outputs of a chained operator have no consumer (an edge with a side tag ends a chain)
  }
  emitWatermark(wm: number): void {
    this.next.processWatermark(wm, 0);
  }
}

export class NetworkOutput implements Output {
  readonly all: RecordWriter[];
  private readonly main: RecordWriter[];
  private readonly single: RecordWriter | undefined;
  private readonly sides: Map<string, RecordWriter[]>;
  outputWatermark = Number.NEGATIVE_INFINITY;

  constructor(main: RecordWriter[], sides: Map<string, RecordWriter[]>) {
    this.main = main;
    this.single = main.length === 1 ? main[0] : undefined;
    this.sides = sides;
    this.all = [...main, ...[...sides.values()].flat()];
  }
  collect(value: unknown, ts: number): void {
    if (this.single) {
      this.single.emit(value, ts);
      return;
    }
    for (const w of this.main) w.emit(value, ts);
  }
  collectSide(tagId: string, value: unknown, ts: number): void {
    const ws = this.sides.get(tagId);
    if (ws) for (const w of ws) w.emit(value, ts);
  }
  emitWatermark(wm: number): void {
    this.outputWatermark = wm;
    for (const w of this.all) w.broadcastEvent(WATERMARK, wm);
  }
}
