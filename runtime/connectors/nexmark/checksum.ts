// A canonical text form and a 32-bit FNV-1a checksum of events. The Java port in bench/flink
// computes the same, so the benchmark can prove both systems see the same input.

import type { NexmarkEvent } from './model.ts';

// Math functions bound once: module constants are cheaper than global lookups in sandboxed contexts (jest's vm).
const { imul } = Math;

export function canonicalEventLine(event: NexmarkEvent): string {
  switch (event.kind) {
    case 'person':
      return `P|${event.id}|${event.name}|${event.emailAddress}|${event.creditCard}|${event.city}|${event.state}|${event.dateTime}|${event.extra}`;
    case 'auction':
      return `A|${event.id}|${event.itemName}|${event.description}|${event.initialBid}|${event.reserve}|${event.dateTime}|${event.expires}|${event.seller}|${event.category}|${event.extra}`;
    case 'bid':
      return `B|${event.auction}|${event.bidder}|${event.price}|${event.channel}|${event.url}|${event.dateTime}|${event.extra}`;
  }
}

export const FNV_OFFSET = 0x811c9dc5 | 0;

/** Folds `line` and a newline into a running FNV-1a hash. */
export function fnv1a(hash: number, line: string): number {
  let h = hash;
  for (let i = 0; i < line.length; i++) h = imul(h ^ line.charCodeAt(i), 0x01000193);
  return imul(h ^ 10, 0x01000193);
}

/** Checksum of the events at indices 0 .. count-1, as an unsigned hex string. */
export function checksumOfFirst(eventAt: (index: number) => NexmarkEvent, count: number): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < count; i++) hash = fnv1a(hash, canonicalEventLine(eventAt(i)));
  return (hash >>> 0).toString(16).padStart(8, '0');
}
