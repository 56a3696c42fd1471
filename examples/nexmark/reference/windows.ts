// Event-time window assignment, epoch-aligned like Flink's (offset 0): a window is
// [start, start + size), and an event belongs to it when start <= dateTime < start + size.

export interface Window {
  readonly windowStart: number;
  readonly windowEnd: number;
}

export function tumblingWindow(timestamp: number, sizeMs: number): Window {
  const windowStart = timestamp - mod(timestamp, sizeMs);
  return { windowStart, windowEnd: windowStart + sizeMs };
}

/** Every sliding window of `sizeMs`, starting every `slideMs`, that contains `timestamp`. */
export function slidingWindows(timestamp: number, sizeMs: number, slideMs: number): Window[] {
  const windows: Window[] = [];
  const lastStart = timestamp - mod(timestamp, slideMs);
  for (let start = lastStart; start > timestamp - sizeMs; start -= slideMs) {
    windows.push({ windowStart: start, windowEnd: start + sizeMs });
  }
  return windows;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

export function windowKey(window: Window): string {
  return `${window.windowStart}:${window.windowEnd}`;
}
