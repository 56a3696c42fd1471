// One buffer from the input gate, handed to the part that owns its kind: records to the head
// operator (its first or second input), watermarks and idleness to TaskWatermarks, latency
// markers on, barriers and ends of partition to the barrier handler.

import { ACTIVE, BARRIER, DATA, END_OF_PARTITION, IDLE, LATENCY_MARKER, WATERMARK, type StreamBuffer } from '../network/buffers.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { BarrierHandler } from './barrier-handler.ts';
import type { LatencyMarkers } from './latency-markers.ts';
import type { TaskWatermarks } from './task-watermarks.ts';

export class InputProcessor {
  private readonly head: StreamOperator;
  private readonly inputOf: readonly number[];
  private readonly watermarks: TaskWatermarks;
  private readonly barriers: BarrierHandler;
  private readonly markers: LatencyMarkers;
  recordsIn = 0;

  /** `inputOf[channel]` is the channel's input (0, or 1 for a two-input head). */
  constructor(head: StreamOperator, inputOf: readonly number[], watermarks: TaskWatermarks, barriers: BarrierHandler, markers: LatencyMarkers) {
    this.head = head;
    this.inputOf = inputOf;
    this.watermarks = watermarks;
    this.barriers = barriers;
    this.markers = markers;
  }

  process(buf: StreamBuffer, channel: number): void {
    switch (buf.kind) {
      case DATA: {
        const head = this.head;
        const vs = buf.values;
        const ts = buf.timestamps;
        const n = vs.length;
        this.recordsIn += n;
        if (this.inputOf[channel] === 0) for (let i = 0; i < n; i++) head.processElement(vs[i], ts[i]!);
        else for (let i = 0; i < n; i++) head.processElement2(vs[i], ts[i]!);
        return;
      }
      case WATERMARK:
        this.watermarks.onWatermark(channel, buf.value);
        return;
      case IDLE:
      case ACTIVE:
        this.watermarks.onIdleness(channel, buf.kind === IDLE);
        return;
      case LATENCY_MARKER:
        this.markers.forward(buf.value);
        return;
      case BARRIER:
        this.barriers.onBarrier(channel, buf.value);
        return;
      case END_OF_PARTITION:
        this.barriers.onEndOfPartition(channel);
        return;
      default:
        throw new Error(`MR_ERR_UNKNOWN_EVENT: buffer kind ${buf.kind}`);
    }
  }
}
