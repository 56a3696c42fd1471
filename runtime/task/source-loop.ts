// The loop of a source task: poll the source reader for a bounded batch, run periodic
// watermarks, flush on the buffer timeout, emit latency markers, and mark the task idle or active
// downstream as the source's idleness says. When the reader has nothing, wait for it, for mail,
// or for the flush deadline of records already polled — whichever comes first.

import { ACTIVE, IDLE } from '../network/buffers.ts';
import type { SourceOperator } from '../operators/source-operator.ts';
import type { LatencyMarkers } from './latency-markers.ts';
import { beginTurn, yieldNow, type LoopParts } from './loop-turn.ts';

/** Records one poll may emit at most. */
export const SOURCE_BATCH = 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SourceLoop {
  private readonly p: LoopParts;
  private readonly src: SourceOperator;
  private readonly markers: LatencyMarkers;
  private readonly batchMode: boolean;
  recordsIn = 0;

  constructor(parts: LoopParts, src: SourceOperator, markers: LatencyMarkers, batchMode: boolean) {
    this.p = parts;
    this.src = src;
    this.markers = markers;
    this.batchMode = batchMode;
  }

  /** Runs until the source ends (then its final watermark has been emitted). */
  async run(): Promise<void> {
    const { p, src } = this;
    for (;;) {
      if (!beginTurn(p)) {
        await p.writers.waitAvailable();
        continue;
      }
      const t0 = p.clock.now();
      const before = src.recordsEmitted;
      const status = src.reader.pollNext(src, SOURCE_BATCH);
      const emitted = src.recordsEmitted - before;
      this.recordsIn += emitted;
      if (!this.batchMode) {
        const transition = src.afterPoll(emitted);
        if (transition) p.writers.broadcastEvent(transition === 'idle' ? IDLE : ACTIVE);
      }
      p.periodicWatermarks();
      const t1 = p.clock.now();
      p.load.addBusy(t1 - t0);
      // like Flink's buffer timeout: a rate-limited source emits a few records per poll, and a
      // frame (plus a credit frame back) per poll and channel cost more CPU than the records
      p.writers.flushIfDue(t1);
      this.markers.emitIfDue();
      if (status === 'end') {
        src.emitFinalWatermark();
        return;
      }
      if (status === 'wait') {
        const wait = src.reader.available?.() ?? yieldNow();
        // records polled since the last flush leave by the flush deadline, however long the wait
        const flushDeadline = p.writers.holdRecords() ? sleep(Math.max(0, p.writers.msUntilFlushDue())) : undefined;
        const canceled = p.cancellation.promise;
        await Promise.race(flushDeadline ? [wait, flushDeadline, p.mailbox.available(), canceled] : [wait, p.mailbox.available(), canceled]);
      } else {
        await yieldNow();
      }
    }
  }
}
