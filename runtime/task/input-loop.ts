// The loop of a task with network inputs: take one buffer from the input gate per turn and
// process it, or — while a watermark's timers are still due — fire the next batch of them and
// take no input. Flush on the buffer timeout (at once during a timer burst); when there is no
// input, flush and wait for input, mail or cancellation.

import type { InputGate } from './input-gate.ts';
import type { InputProcessor } from './input-processor.ts';
import { beginTurn, yieldNow, type LoopParts } from './loop-turn.ts';
import type { TaskWatermarks } from './task-watermarks.ts';

export class InputLoop {
  private readonly p: LoopParts;
  private readonly gate: InputGate;
  private readonly processor: InputProcessor;
  private readonly watermarks: TaskWatermarks;
  private readonly hasAssigner: boolean;

  /** `hasAssigner`: the chain has a timestamp/watermark assigner (its periodic watermarks run per turn). */
  constructor(parts: LoopParts, gate: InputGate, processor: InputProcessor, watermarks: TaskWatermarks, hasAssigner: boolean) {
    this.p = parts;
    this.gate = gate;
    this.processor = processor;
    this.watermarks = watermarks;
    this.hasAssigner = hasAssigner;
  }

  /** Runs until every input channel ended and every due timer fired. */
  async run(): Promise<void> {
    const { p, gate, watermarks } = this;
    for (;;) {
      if (!beginTurn(p)) {
        await p.writers.waitAvailable();
        continue;
      }
      if (watermarks.firingTimers) {
        const t0 = p.clock.now();
        watermarks.continueFiring();
        const t1 = p.clock.now();
        p.load.addBusy(t1 - t0);
        p.writers.flush(t1);
        await yieldNow();
        continue;
      }
      const buf = gate.poll();
      if (buf === undefined) {
        if (gate.allEnded) return;
        p.writers.flush();
        await Promise.race([gate.available(), p.mailbox.available(), p.cancellation.promise]);
        continue;
      }
      const t0 = p.clock.now();
      this.processor.process(buf, gate.lastChannel);
      if (this.hasAssigner) p.periodicWatermarks();
      const t1 = p.clock.now();
      p.load.addBusy(t1 - t0);
      // a timer burst's first results leave at once rather than up to FLUSH_INTERVAL_MS later
      p.writers.flushIfDue(t1, watermarks.firingTimers);
      if (gate.allEnded && !watermarks.firingTimers) return;
      await yieldNow();
    }
  }
}
