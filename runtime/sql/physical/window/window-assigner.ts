// Which windows of a window TVF a timestamp belongs to (Flink's TUMBLE/HOP/CUMULATE semantics,
// offsets included), and how session windows merge. Pure; sizes and times in milliseconds.
import type { WindowDef } from '../../planner/logical-plan.ts';

export interface WindowBounds {
  start: number;
  end: number;
}

/** Start of the window of `size` (aligned to `offset`) that holds `ts`. */
export function windowStart(ts: number, size: number, offset = 0): number {
  const rem = (ts - offset) % size;
  return rem < 0 ? ts - (rem + size) : ts - rem;
}

/** The fixed windows (TUMBLE, HOP, CUMULATE) holding `ts`, earliest end first. */
export function assignWindows(w: Exclude<WindowDef, { kind: 'SESSION' }>, ts: number): WindowBounds[] {
  const offset = w.offset ?? 0;
  switch (w.kind) {
    case 'TUMBLE': {
      const start = windowStart(ts, w.size, offset);
      return [{ start, end: start + w.size }];
    }
    case 'HOP': {
      const out: WindowBounds[] = [];
      // the latest window starting at or before ts, then earlier ones while they still hold ts
      for (let start = windowStart(ts, w.slide, offset); start > ts - w.size; start -= w.slide) out.push({ start, end: start + w.size });
      return out.reverse();
    }
    case 'CUMULATE': {
      // every window of the cycle starts at the cycle's start; ends grow by the step up to the size
      const start = windowStart(ts, w.size, offset);
      const out: WindowBounds[] = [];
      for (let end = start + w.step * (Math.floor((ts - start) / w.step) + 1); end <= start + w.size; end += w.step) out.push({ start, end });
      return out;
    }
  }
}

/** Flink's TimeWindow.intersects: touching windows merge too. */
export function sessionsOverlap(a: WindowBounds, b: WindowBounds): boolean {
  return a.start <= b.end && a.end >= b.start;
}
