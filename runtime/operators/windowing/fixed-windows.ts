// Tumbling and sliding windows kept per window: an element goes into each window it belongs to,
// whose namespace is the window start (a number: no allocation per element). Windows fire on
// timers; with the default event-time trigger and no lateness a window's one timer fires it and
// drops its contents in one lookup.

import { assignWindowStarts } from '../../api/windows.ts';
import type { Timer } from '../../state/timer-heap.ts';
import { TimerWindows, type TimerWindowsConfig } from './timer-windows.ts';
import type { WindowHost, WindowTables } from './window-storage.ts';

export class FixedWindows extends TimerWindows {
  private readonly starts: number[] = [];
  /** default event-time trigger, no allowed lateness: a window's end fires and purges it */
  private readonly firesAndPurgesAtEnd: boolean;

  constructor(host: WindowHost, tables: WindowTables, cfg: TimerWindowsConfig) {
    super(host, tables, cfg);
    this.firesAndPurgesAtEnd = this.defaultEventTrigger && cfg.assigner.eventTime && this.lateness === 0;
  }

  add(value: unknown, time: number): boolean {
    const b = this.host.backend;
    assignWindowStarts(this.assigner, time, this.starts);
    let accepted = false;
    const size = this.assigner.sizeMs;
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i]!;
      this.cw.start = start;
      this.cw.end = start + size;
      if (this.isLate(this.cw)) continue;
      accepted = true;
      this.currentNs = start;
      const prev = b.getNs(this.contents, start);
      const next = this.addTo(prev, value);
      if (next !== prev) b.putNs(this.contents, start, next);
      this.afterAdd(prev === undefined, next);
    }
    return accepted;
  }

  override onTimer(t: Timer, eventTime: boolean): void {
    if (eventTime && this.firesAndPurgesAtEnd && typeof t.namespace === 'number' && t.timestamp === t.namespace + this.assigner.sizeMs - 1) {
      // the common case on the hot path of a window firing: the default event-time trigger,
      // no lateness, a fixed-size window whose only timer is its end — fire it and drop its
      // contents in one lookup (the trigger's clear would only delete this timer, already gone)
      const acc = this.host.backend.takeNs(this.contents, t.namespace);
      this.currentNs = t.namespace;
      this.cw.start = t.namespace;
      this.cw.end = t.namespace + this.assigner.sizeMs;
      if (acc !== undefined) this.host.fireWindow(this.cw.start, this.cw.end, acc);
      return;
    }
    super.onTimer(t, eventTime);
  }
}
