// Watermarks and idleness on a task's input side: the valve combines the channels' watermarks
// (idle channels excluded), the head operator gets each advance, and the task tells downstream
// it is idle when every input channel is, active again when one is not. A watermark that makes
// many timers due fires them over several turns of the loop (see TIMER_FIRING_BATCH); while they
// fire the task takes no input.

import { MAX_WATERMARK } from '../api/watermarks.ts';
import { ACTIVE, IDLE } from '../network/buffers.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import { WatermarkValve } from './watermark-valve.ts';

/**
 * Event-time timers fired per turn of the loop: a watermark that makes many windows due (e.g.
 * 50k (key, window) timers) fires them over several turns, flushing the results of each turn and
 * letting the slot's other tasks, the mailbox and the network progress in between (Flink's
 * interruptible timers). The task takes no input until all have fired; then the watermark moves on.
 */
export const TIMER_FIRING_BATCH = 1000;

/** Where IDLE and ACTIVE go: the task's writers. */
export interface StatusBroadcast {
  broadcastEvent(kind: number): void;
}

export class TaskWatermarks {
  private readonly head: StreamOperator;
  private readonly inputOf: readonly number[];
  private readonly hasSecondInput: boolean;
  private readonly valve: WatermarkValve;
  private readonly out: StatusBroadcast;
  private readonly timerBatch: number;
  private idleEmitted = false;
  /** the head operator has due event-time timers left to fire */
  firingTimers = false;

  /** `inputOf[channel]` is the channel's input (0, or 1 for a two-input head). */
  constructor(head: StreamOperator, inputOf: readonly number[], hasSecondInput: boolean, out: StatusBroadcast, timerBatch = TIMER_FIRING_BATCH) {
    this.head = head;
    this.inputOf = inputOf;
    this.hasSecondInput = hasSecondInput;
    this.valve = new WatermarkValve([...inputOf]);
    this.out = out;
    this.timerBatch = timerBatch;
  }

  onWatermark(channel: number, wm: number): void {
    const combined = this.valve.onWatermark(channel, wm);
    if (combined !== undefined) this.advanceHead(combined, this.inputOf[channel]!);
    this.maybeActive();
  }

  /** The channel's upstream became idle (IDLE) or active again (ACTIVE). */
  onIdleness(channel: number, idle: boolean): void {
    const combined = this.valve.onIdle(channel, idle);
    if (combined !== undefined) this.advanceHead(combined, this.inputOf[channel]!);
    if (this.valve.allIdle() && !this.idleEmitted) {
      this.idleEmitted = true;
      this.out.broadcastEvent(IDLE);
    } else this.maybeActive();
  }

  /** Fires the next batch of a pending watermark's timers; true once all have fired. */
  continueFiring(): boolean {
    this.firingTimers = !this.head.continueWatermark(this.timerBatch);
    return !this.firingTimers;
  }

  /** The lowest combined watermark over the task's inputs (MAX_WATERMARK without inputs). */
  inputWatermark(): number {
    if (this.inputOf.length === 0) return MAX_WATERMARK;
    return Math.min(this.valve.inputWatermark(0), this.hasSecondInput ? this.valve.inputWatermark(1) : MAX_WATERMARK);
  }

  private advanceHead(wm: number, inputIndex: number): void {
    if (!this.head.processWatermark(wm, inputIndex, this.timerBatch)) this.firingTimers = true;
  }

  private maybeActive(): void {
    if (this.idleEmitted && !this.valve.allIdle()) {
      this.idleEmitted = false;
      this.out.broadcastEvent(ACTIVE);
    }
  }
}
