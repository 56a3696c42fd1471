// Event-time and processing-time timers of one keyed operator. Timers belong to a key (and a
// namespace such as a window) and fire with that key set as the current key. Processing-time
// firing is scheduled through the injected ProcessingTimeService, which hands the callback to
// the task's mailbox so it never runs in the middle of processing a batch.

import type { Key } from '../keys/key-groups.ts';
import { MIN_WATERMARK } from '../api/watermarks.ts';
import type { KeyedStateBackend } from './keyed-state-backend.ts';
import type { Namespace } from './state-table.ts';
import { TimerHeap, type Timer } from './timer-heap.ts';
import { TimersCapture } from './timers-capture.ts';
import type { ProcessingTimeService } from '../time/processing-time-service.ts';

export type { ProcessingTimeService } from '../time/processing-time-service.ts';

export interface Triggerable {
  onEventTime(timer: Timer): void;
  onProcessingTime(timer: Timer): void;
}

export interface TimersSnapshot {
  readonly eventTime: Array<[number, Key, Namespace]>;
  readonly processingTime: Array<[number, Key, Namespace]>;
}

export class InternalTimerService {
  private readonly eventTimers = new TimerHeap();
  private readonly procTimers = new TimerHeap();
  private readonly backend: KeyedStateBackend;
  private readonly pts: ProcessingTimeService;
  private readonly target: Triggerable;
  private watermark = MIN_WATERMARK;
  private scheduledFor = Number.POSITIVE_INFINITY;
  private cancelScheduled: (() => void) | undefined;

  constructor(backend: KeyedStateBackend, pts: ProcessingTimeService, target: Triggerable) {
    this.backend = backend;
    this.pts = pts;
    this.target = target;
  }

  currentWatermark(): number {
    return this.watermark;
  }
  currentProcessingTime(): number {
    return this.pts.now();
  }

  registerEventTimeTimer(ns: Namespace, time: number): void {
    this.eventTimers.add(time, this.backend.currentKey, ns);
  }
  deleteEventTimeTimer(ns: Namespace, time: number): void {
    this.eventTimers.delete(time, this.backend.currentKey, ns);
  }
  registerProcessingTimeTimer(ns: Namespace, time: number): void {
    if (this.procTimers.add(time, this.backend.currentKey, ns)) this.reschedule();
  }
  deleteProcessingTimeTimer(ns: Namespace, time: number): void {
    this.procTimers.delete(time, this.backend.currentKey, ns);
  }

  /**
   * Fires the event-time timers at or below the watermark, in timestamp order: all of them, or
   * at most about `limit` (then false: call `continueFiring` until it returns true).
   */
  advanceWatermark(wm: number, limit = Number.POSITIVE_INFINITY): boolean {
    this.watermark = wm;
    return this.eventTimers.drainUntil(wm, this.fireEvent, limit);
  }

  /** Goes on firing the timers an `advanceWatermark` with a limit left; true when all have fired. */
  continueFiring(limit = Number.POSITIVE_INFINITY): boolean {
    return this.eventTimers.drainUntil(this.watermark, this.fireEvent, limit);
  }

  private readonly fireEvent = (timestamp: number, key: Key, namespace: Namespace): void => {
    this.backend.setCurrentKey(key);
    this.target.onEventTime({ timestamp, key, namespace });
  };

  private readonly fireProcessing = (timestamp: number, key: Key, namespace: Namespace): void => {
    this.backend.setCurrentKey(key);
    this.target.onProcessingTime({ timestamp, key, namespace });
  };

  private reschedule(): void {
    const next = this.procTimers.peekTimestamp();
    if (next === undefined || next >= this.scheduledFor) return;
    this.cancelScheduled?.();
    this.scheduledFor = next;
    this.cancelScheduled = this.pts.schedule(next, (now) => this.fireProcessingTimers(now));
  }

  private fireProcessingTimers(now: number): void {
    this.scheduledFor = Number.POSITIVE_INFINITY;
    this.cancelScheduled = undefined;
    this.procTimers.drainUntil(now, this.fireProcessing);
    this.reschedule();
  }

  eventTimerCount(): number {
    return this.eventTimers.size;
  }

  /** The synchronous part of an asynchronous snapshot of the timers (timer-heap.ts freezes buckets). */
  capture(): TimersCapture {
    return new TimersCapture(this.eventTimers.capture(), this.procTimers.capture());
  }

  /** Heaps of event-time and processing-time timers (for tests of snapshots in flight). */
  heaps(): { eventTime: TimerHeap; processingTime: TimerHeap } {
    return { eventTime: this.eventTimers, processingTime: this.procTimers };
  }

  snapshot(): TimersSnapshot {
    const enc = (ts: Timer[]): Array<[number, Key, Namespace]> => ts.map((t) => [t.timestamp, t.key, t.namespace]);
    return { eventTime: enc(this.eventTimers.all()), processingTime: enc(this.procTimers.all()) };
  }

  /** Restores the timers whose key falls into this subtask's key groups. */
  restore(s: TimersSnapshot): void {
    for (const [ts, key, ns] of s.eventTime) {
      if (this.backend.setCurrentKeyIfOwned(key)) this.registerEventTimeTimer(ns, ts);
    }
    for (const [ts, key, ns] of s.processingTime) {
      if (this.backend.setCurrentKeyIfOwned(key)) this.registerProcessingTimeTimer(ns, ts);
    }
  }

  dispose(): void {
    this.cancelScheduled?.();
  }
}
