import {
  createNexmarkGenerator, rateLimitDueMs, subtaskEventCount, subtaskEventIndex, checksumOfFirst,
  canonicalEventLine, DEFAULT_NEXMARK_CONFIG,
} from './index.ts';
import type { Auction, Bid, NexmarkEvent, Person } from './index.ts';

function take(count: number, seed = 7): NexmarkEvent[] {
  const generator = createNexmarkGenerator({ seed, events: count });
  return Array.from({ length: count }, (_, i) => generator.eventAt(i));
}

describe('Nexmark generator', () => {
  test('the same seed and index give the same event, in any order and from any generator', () => {
    const a = createNexmarkGenerator({ seed: 11 });
    const b = createNexmarkGenerator({ seed: 11 });
    const forward = [0, 1, 2, 3, 4, 5, 777, 123_456].map((i) => canonicalEventLine(a.eventAt(i)));
    const backward = [123_456, 777, 5, 4, 3, 2, 1, 0].map((i) => canonicalEventLine(b.eventAt(i))).reverse();
    expect(backward).toEqual(forward);
    expect(checksumOfFirst(a.eventAt, 2000)).toBe(checksumOfFirst(b.eventAt, 2000));
  });

  test('a different seed gives different events', () => {
    const a = createNexmarkGenerator({ seed: 1 });
    const b = createNexmarkGenerator({ seed: 2 });
    expect(checksumOfFirst(a.eventAt, 500)).not.toBe(checksumOfFirst(b.eventAt, 500));
  });

  test('subtasks generating interleaved shares together cover the run exactly once', () => {
    const events = 1003;
    const parallelism = 4;
    const generator = createNexmarkGenerator({ seed: 3, events });
    const seen: string[] = new Array(events);
    let total = 0;
    for (let subtask = 0; subtask < parallelism; subtask++) {
      const count = subtaskEventCount(subtask, parallelism, events);
      total += count;
      for (let k = 0; k < count; k++) {
        const index = subtaskEventIndex(subtask, parallelism, k);
        expect(seen[index]).toBeUndefined();
        seen[index] = canonicalEventLine(generator.eventAt(index));
      }
    }
    expect(total).toBe(events);
    expect(seen).toEqual(take(events, 3).map(canonicalEventLine));
  });

  test('a source resuming from an index continues with the same events', () => {
    const generator = createNexmarkGenerator({ seed: 5, events: 300 });
    const full = Array.from({ length: 300 }, (_, i) => canonicalEventLine(generator.eventAt(i)));
    const resumed = createNexmarkGenerator({ seed: 5, events: 300 });
    const tail = Array.from({ length: 100 }, (_, k) => canonicalEventLine(resumed.eventAt(200 + k)));
    expect(tail).toEqual(full.slice(200));
  });

  test('events come in the 1/3/46 person/auction/bid proportions', () => {
    const events = take(50_000);
    const count = (kind: string) => events.filter((e) => e.kind === kind).length;
    expect(count('person')).toBe(1000);
    expect(count('auction')).toBe(3000);
    expect(count('bid')).toBe(46_000);
  });

  test('person and auction ids are dense and increasing; bids and auctions refer to existing or just-upcoming ids', () => {
    const events = take(20_000);
    const people = events.filter((e): e is Person => e.kind === 'person');
    const auctions = events.filter((e): e is Auction => e.kind === 'auction');
    expect(people.map((p) => p.id)).toEqual(people.map((_, i) => 1000 + i));
    expect(auctions.map((a) => a.id)).toEqual(auctions.map((_, i) => 1000 + i));
    let lastPerson = 0;
    let lastAuction = 0;
    const violations: string[] = [];
    for (const event of events) {
      if (event.kind === 'person') lastPerson = event.id;
      else if (event.kind === 'auction') {
        lastAuction = event.id;
        const valid = event.seller <= lastPerson + 10 && event.category >= 10 && event.category < 15
          && event.reserve > event.initialBid && event.expires > event.dateTime;
        if (!valid) violations.push(canonicalEventLine(event));
      } else if (!(event.auction <= lastAuction + 10 && event.bidder <= lastPerson + 10 && event.price >= 100)) {
        violations.push(canonicalEventLine(event));
      }
    }
    expect(violations).toEqual([]);
  });

  test('hot auctions and bidders get the configured share of the bids', () => {
    // The hot auction (bidder) is the newest auction (person) id rounded down to a multiple of 100.
    const hotShares = (events: NexmarkEvent[]) => {
      let lastPerson = 1000;
      let lastAuction = 1000;
      let bids = 0;
      let onHotAuction = 0;
      let byHotBidder = 0;
      for (const event of events) {
        if (event.kind === 'person') lastPerson = event.id;
        else if (event.kind === 'auction') lastAuction = event.id;
        else {
          bids++;
          if (event.auction === 1000 + Math.floor((lastAuction - 1000) / 100) * 100) onHotAuction++;
          if (event.bidder === 1001 + Math.floor((lastPerson - 1000) / 100) * 100) byHotBidder++;
        }
      }
      return { auction: onHotAuction / bids, bidder: byHotBidder / bids };
    };
    // defaults: hotAuctionRatio 2 -> 1/2 of bids on the hot auction; hotBiddersRatio 4 -> 3/4 by the hot bidder
    const skewed = hotShares(take(100_000));
    expect(skewed.auction).toBeGreaterThan(0.48);
    expect(skewed.auction).toBeLessThan(0.53);
    expect(skewed.bidder).toBeGreaterThan(0.73);
    expect(skewed.bidder).toBeLessThan(0.77);
    const uniform = createNexmarkGenerator({ seed: 7, hotAuctionRatio: 1, hotBiddersRatio: 1 });
    const cold = hotShares(Array.from({ length: 100_000 }, (_, i) => uniform.eventAt(i)));
    expect(cold.auction).toBeLessThan(0.05);
    expect(cold.bidder).toBeLessThan(0.05);
  });

  test('timestamps follow the events-per-second schedule from the base time', () => {
    const generator = createNexmarkGenerator({ seed: 1, eventsPerSecond: 250, baseTimeMs: 1_000_000 });
    expect(generator.eventAt(0).dateTime).toBe(1_000_000);
    expect(generator.eventAt(1).dateTime).toBe(1_000_004);
    expect(generator.eventAt(250).dateTime).toBe(1_001_000);
    expect(generator.timestampAt(2500)).toBe(1_010_000);
    expect(generator.eventAt(2500).dateTime).toBe(generator.timestampAt(2500));
    const times = Array.from({ length: 1000 }, (_, i) => generator.timestampAt(i));
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
  });

  test('a bounded run ends at its event count; an unbounded one does not', () => {
    const bounded = createNexmarkGenerator({ events: 10 });
    expect(bounded.hasEvent(9)).toBe(true);
    expect(bounded.hasEvent(10)).toBe(false);
    expect(() => bounded.eventAt(10)).toThrow(expect.objectContaining({ code: 'MR_ERR_NEXMARK_INDEX' }));
    const unbounded = createNexmarkGenerator();
    expect(DEFAULT_NEXMARK_CONFIG.events).toBeNull();
    expect(unbounded.hasEvent(1e12)).toBe(true);
    expect(unbounded.eventAt(1e12).dateTime).toBe(DEFAULT_NEXMARK_CONFIG.baseTimeMs + 1e11);
  });

  test('the extra field pads events to about the configured average size', () => {
    const bids = take(20_000).filter((e): e is Bid => e.kind === 'bid');
    const mean = bids.reduce((sum, b) => sum + b.extra.length + 32, 0) / bids.length;
    expect(mean).toBeGreaterThan(90);
    expect(mean).toBeLessThan(110);
  });

  test('invalid configuration is rejected with a code naming the field', () => {
    expect(() => createNexmarkGenerator({ eventsPerSecond: 0 })).toThrow(/nexmark\.eventsPerSecond/);
    expect(() => createNexmarkGenerator({ events: -1 })).toThrow(expect.objectContaining({ code: 'MR_ERR_NEXMARK_CONFIG' }));
    expect(() => createNexmarkGenerator({ rateLimit: 0 })).toThrow(/nexmark\.rateLimit/);
  });

  test('the rate-limit schedule is global by index, matching event time when eventsPerSecond equals the rate', () => {
    expect(rateLimitDueMs(0, 1000)).toBe(0);
    expect(rateLimitDueMs(500, 1000)).toBe(500);
    expect(rateLimitDueMs(1_000_000, null)).toBe(0);
    const generator = createNexmarkGenerator({ eventsPerSecond: 2000, rateLimit: 2000, baseTimeMs: 0 });
    for (const index of [1, 2001, 123_457]) expect(rateLimitDueMs(index, 2000)).toBeCloseTo(generator.timestampAt(index), -1);
  });
});
