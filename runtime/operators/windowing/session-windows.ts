// Session windows: an element opens [t, t + gap) and merges every window of its key it overlaps,
// transitively; the merged window's namespace is "start:end". Each key's open windows are listed
// in a keyed table, so a merge finds them without a scan. Windows fire on timers.

import type { TimeWindow } from '../../api/windows.ts';
import type { Namespace, StateTable } from '../../state/state-table.ts';
import { TimerWindows, type TimerWindowsConfig } from './timer-windows.ts';
import type { WindowHost, WindowTables } from './window-storage.ts';

export class SessionWindows extends TimerWindows {
  private readonly sessions: StateTable;

  constructor(host: WindowHost, tables: WindowTables, cfg: TimerWindowsConfig) {
    super(host, tables, cfg);
    this.sessions = tables.sessions;
  }

  add(value: unknown, time: number): boolean {
    const b = this.host.backend;
    const gap = this.assigner.gapMs;
    const group = b.currentGroup(this.sessions);
    const list = (group.get(b.currentKey) as Array<[number, number]> | undefined) ?? [];
    let start = time;
    let end = time + gap;
    const merged: Array<[number, number]> = [];
    let remaining = list;
    for (let changed = true; changed; ) {
      changed = false;
      const keep: Array<[number, number]> = [];
      for (const w of remaining) {
        if (w[0] <= end && start <= w[1]) {
          merged.push(w);
          start = Math.min(start, w[0]);
          end = Math.max(end, w[1]);
          changed = true;
        } else keep.push(w);
      }
      remaining = keep;
    }
    this.cw.start = start;
    this.cw.end = end;
    if (this.isLate(this.cw)) return false;
    const ns = `${start}:${end}`;
    let acc: unknown = undefined;
    let sameWindow = false;
    for (const w of merged) {
      const oldNs = `${w[0]}:${w[1]}`;
      if (oldNs === ns) {
        sameWindow = true;
        acc = this.mergeAcc(acc, b.getNs(this.contents, oldNs));
        continue;
      }
      acc = this.mergeAcc(acc, b.getNs(this.contents, oldNs));
      b.removeNs(this.contents, oldNs);
      this.currentNs = oldNs;
      this.cw.start = w[0];
      this.cw.end = w[1];
      this.trigger.clear(this.cw, this.triggerCtx);
      if (this.lateness > 0 && this.assigner.eventTime) this.host.timers.deleteEventTimeTimer(oldNs, this.cleanupTime(this.cw));
    }
    this.cw.start = start;
    this.cw.end = end;
    this.currentNs = ns;
    const next = this.addTo(acc, value);
    b.putNs(this.contents, ns, next);
    remaining.push([start, end]);
    group.set(b.currentKey, remaining);
    if (!sameWindow) this.trigger.onMerge?.(this.cw, this.triggerCtx);
    this.afterAdd(!sameWindow, next);
    return true;
  }

  /** A cleared window also leaves its key's list of open sessions. */
  protected override clearWindow(w: TimeWindow, ns: Namespace): void {
    super.clearWindow(w, ns);
    const b = this.host.backend;
    const group = b.currentGroup(this.sessions);
    const list = group.get(b.currentKey) as Array<[number, number]> | undefined;
    if (list) {
      const rest = list.filter((x) => x[0] !== w.start || x[1] !== w.end);
      if (rest.length === 0) group.delete(b.currentKey);
      else group.set(b.currentKey, rest);
    }
  }
}
