// q8, monitor new users: people who opened an auction in the same tumbling event-time window
// in which they registered. One row per (person, window), however many auctions they opened.

import type { NexmarkEvent, Person } from '../../../runtime/connectors/nexmark/index.ts';
import { tumblingWindow } from './windows.ts';

export interface Q8Row {
  readonly id: number;
  readonly name: string;
  readonly windowStart: number;
  readonly windowEnd: number;
}

export interface Q8Options {
  readonly windowSizeMs: number;
}

/** Nexmark uses 10 s; this default suits short test runs. */
export const Q8_DEFAULTS: Q8Options = { windowSizeMs: 1000 };

export function q8(events: readonly NexmarkEvent[], options: Q8Options = Q8_DEFAULTS): Q8Row[] {
  const registered = new Map<string, Person>(); // `${windowStart}:${personId}` -> person
  const selling = new Set<string>(); // `${windowStart}:${sellerId}`
  for (const event of events) {
    if (event.kind === 'person') registered.set(`${tumblingWindow(event.dateTime, options.windowSizeMs).windowStart}:${event.id}`, event);
    else if (event.kind === 'auction') selling.add(`${tumblingWindow(event.dateTime, options.windowSizeMs).windowStart}:${event.seller}`);
  }
  const rows: Q8Row[] = [];
  for (const [key, person] of registered) {
    if (!selling.has(key)) continue;
    const { windowStart, windowEnd } = tumblingWindow(person.dateTime, options.windowSizeMs);
    rows.push({ id: person.id, name: person.name, windowStart, windowEnd });
  }
  return rows;
}
