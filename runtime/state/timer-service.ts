// Event-time and processing-time timers of one keyed operator. Timers belong to a key (and a
// namespace such as a window) and fire with that key set as the current key. Processing-time
// firing is scheduled through the injected ProcessingTimeService, which hands the callback to
// the task's mailbox so it never runs in the middle of processing a batch.

import type { Key } from '../graph/key-groups.ts';
import { MIN_WATERMARK } from '../api/watermarks.ts';
import type { KeyedStateBackend } from './keyed-state-backend.ts';
import type { Namespace } from './state-table.ts';
import { TimerHeap, type Timer } from './timer-heap.ts';

export interface ProcessingTimeService {
  now(): number;
  /** Runs `callback` (inside the task mailbox) at or after `time`; returns a canceller. */
  schedule(time: number, callback: (time: number) => void): () => void;
}

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
    this.eventTimers.add({ timestamp: time, key: this.backend.currentKey, namespace: ns, keyGroup: this.backend.currentKeyGroup });
  }
  deleteEventTimeTimer(ns: Namespace, time: number): void {
    this.eventTimers.delete(time, this.backend.currentKey, ns);
  }
  registerProcessingTimeTimer(ns: Namespace, time: number): void {
    if (this.procTimers.add({ timestamp: time, key: this.backend.currentKey, namespace: ns, keyGroup: this.backend.currentKeyGroup })) {
      this.reschedule();
    }
  }
  deleteProcessingTimeTimer(ns: Namespace, time: number): void {
    this.procTimers.delete(time, this.backend.currentKey, ns);
  }

  /** Fires every event-time timer at or below the watermark, in timestamp order. */
  advanceWatermark(wm: number): void {
    this.watermark = wm;
    for (;;) {
      const t = this.eventTimers.peek();
      if (!t || t.timestamp > wm) break;
      this.eventTimers.poll();
      this.backend.setCurrentKey(t.key);
      this.target.onEventTime(t);
    }
  }

  private reschedule(): void {
    const next = this.procTimers.peek();
    if (!next || next.timestamp >= this.scheduledFor) return;
    this.cancelScheduled?.();
    this.scheduledFor = next.timestamp;
    this.cancelScheduled = this.pts.schedule(next.timestamp, (now) => this.fireProcessingTimers(now));
  }

  private fireProcessingTimers(now: number): void {
    this.scheduledFor = Number.POSITIVE_INFINITY;
    this.cancelScheduled = undefined;
    for (;;) {
      const t = this.procTimers.peek();
      if (!t || t.timestamp > now) break;
      this.procTimers.poll();
      this.backend.setCurrentKey(t.key);
      this.target.onProcessingTime(t);
    }
    this.reschedule();
  }

  eventTimerCount(): number {
    return this.eventTimers.size;
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
