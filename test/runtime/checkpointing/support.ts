// Helpers of the checkpointing tests: the exact expected output of fixtures/window-counts.job.ts
// computed straight from the Nexmark generator (no runtime involved), and the committed output a
// reader of the sink's directory sees (files not starting with '.').

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNexmarkGenerator, type Bid } from '../../../runtime/connectors/nexmark/index.ts';

export const WINDOW_COUNTS = fileURLToPath(new URL('../fixtures/window-counts.job.ts', import.meta.url));

/** `auction:window:count` lines, sorted. */
export function expectedWindowCounts(events: number): string[] {
  const gen = createNexmarkGenerator({ events, eventsPerSecond: 1000 });
  const counts = new Map<string, number>();
  for (let i = 0; gen.hasEvent(i); i++) {
    const e = gen.eventAt(i);
    if (e.kind !== 'bid') continue;
    const k = `${(e as Bid).auction}:${Math.floor((e as Bid).dateTime / 1000)}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}:${n}`).sort();
}

/** The committed rows of the sink directory as `auction:window:count`, sorted (duplicates kept). */
export function committedWindowCounts(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => {
      const r = JSON.parse(l) as { auction: number; window: number; n: number };
      return `${r.auction}:${r.window}:${r.n}`;
    }).sort();
}

export const hiddenFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('.'));
