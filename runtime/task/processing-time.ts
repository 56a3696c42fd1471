// Processing-time services: the system clock with timers delivered through a mailbox, and a
// manual clock for tests.

import type { ProcessingTimeService } from '../time/processing-time-service.ts';
import type { Mailbox } from './mailbox.ts';

export class SystemProcessingTimeService implements ProcessingTimeService {
  private readonly mailbox: Mailbox;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  constructor(mailbox: Mailbox) {
    this.mailbox = mailbox;
  }
  now(): number {
    return Date.now();
  }
  schedule(time: number, callback: (time: number) => void): () => void {
    const handle = setTimeout(() => {
      this.timers.delete(handle);
      this.mailbox.put(() => callback(Math.max(time, Date.now())));
    }, Math.max(0, time - Date.now()));
    this.timers.add(handle);
    return () => {
      clearTimeout(handle);
      this.timers.delete(handle);
    };
  }
  shutdown(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** Time moves only when the test says so; due callbacks run on advanceTo. */
export class ManualProcessingTimeService implements ProcessingTimeService {
  private time: number;
  private scheduled: Array<{ time: number; cb: (t: number) => void; canceled: boolean }> = [];
  constructor(start = 0) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
  schedule(time: number, callback: (time: number) => void): () => void {
    const entry = { time, cb: callback, canceled: false };
    this.scheduled.push(entry);
    return () => {
      entry.canceled = true;
    };
  }
  advanceTo(time: number): void {
    this.time = time;
    for (;;) {
      const due = this.scheduled.filter((s) => !s.canceled && s.time <= time).sort((a, b) => a.time - b.time)[0];
      if (!due) break;
      due.canceled = true;
      due.cb(time);
    }
    this.scheduled = this.scheduled.filter((s) => !s.canceled);
  }
}
