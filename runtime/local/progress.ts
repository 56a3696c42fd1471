// Renders one line of live progress from two successive job snapshots (pure, testable).

import type { JobStatus } from './job-client.ts';

export interface ProgressSample {
  readonly at: number;
  readonly events: number;
}

export const sourceEvents = (s: JobStatus, sourceIds: ReadonlySet<string>): number =>
  s.vertices.filter((v) => sourceIds.has(v.id)).reduce((a, v) => a + v.recordsIn, 0);

export function progressLine(s: JobStatus, prev: ProgressSample | undefined, now: ProgressSample): string {
  const rate = prev && now.at > prev.at ? ((now.events - prev.events) * 1000) / (now.at - prev.at) : 0;
  const lags = s.vertices.map((v) => v.watermarkLagMs).filter((x): x is number => x !== null);
  const bp = Math.max(0, ...s.vertices.map((v) => v.backpressureRatio));
  const worst = s.vertices.reduce((a, v) => (v.backpressureRatio > (a?.backpressureRatio ?? -1) ? v : a), s.vertices[0]);
  const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));
  return [
    `${s.state}`,
    `${(s.duration / 1000).toFixed(1)}s`,
    `events ${fmt(now.events)}`,
    `${fmt(rate)}/s`,
    `wm lag ${lags.length ? `${(Math.max(...lags) / 1000).toFixed(1)}s` : '-'}`,
    `backpressure ${(bp * 100).toFixed(0)}%${bp > 0.1 && worst ? ` (${worst.name.slice(0, 30)})` : ''}`,
    s.restarts ? `restarts ${s.restarts}` : '',
  ].filter(Boolean).join(' | ');
}
