import type { Auction, Bid, NexmarkEvent, Person } from '../../../runtime/connectors/nexmark/index.ts';
import { canonicalRows, diffRows, q0, q1, q2, q3, q5, q7, q8, slidingWindows } from './index.ts';

const T = 1_000_000; // a base time that is a multiple of every window size used here

function person(id: number, dateTime: number, state = 'OR', name = `person-${id}`): Person {
  return { kind: 'person', id, name, emailAddress: 'a@b.com', creditCard: '0000 0000 0000 0000', city: 'Bend', state, dateTime, extra: '' };
}
function auction(id: number, seller: number, dateTime: number, category = 10): Auction {
  return { kind: 'auction', id, itemName: 'item', description: 'd', initialBid: 100, reserve: 200, dateTime, expires: dateTime + 1000, seller, category, extra: '' };
}
function bid(auctionId: number, price: number, dateTime: number, bidder = 1): Bid {
  return { kind: 'bid', auction: auctionId, bidder, price, channel: 'Google', url: 'u', dateTime, extra: 'x' };
}

describe('Nexmark reference results', () => {
  test('q0 passes every bid through and drops people and auctions', () => {
    const events: NexmarkEvent[] = [person(1, T), bid(5, 100, T), auction(5, 1, T), bid(6, 200, T + 1)];
    expect(q0(events)).toEqual([events[1], events[3]]);
  });

  test('q1 converts bid prices from dollars to euros (x0.908, rounded down)', () => {
    const rows = q1([bid(5, 1000, T), person(1, T), bid(6, 1234, T + 7, 9)]);
    expect(rows).toEqual([
      { auction: 5, bidder: 1, price: 908, dateTime: T, extra: 'x' },
      { auction: 6, bidder: 9, price: 1120, dateTime: T + 7, extra: 'x' },
    ]);
  });

  test('q2 keeps the auction and price of bids on auctions divisible by 123', () => {
    const rows = q2([bid(123, 10, T), bid(124, 20, T), bid(1107, 30, T), auction(246, 1, T)]);
    expect(rows).toEqual([{ auction: 123, price: 10 }, { auction: 1107, price: 30 }]);
    expect(q2([bid(10, 1, T), bid(11, 2, T)], { auctionModulus: 5 })).toEqual([{ auction: 10, price: 1 }]);
  });

  test('q3 joins category-10 auctions with sellers from OR, ID or CA, whichever arrives first', () => {
    const events: NexmarkEvent[] = [
      auction(100, 1, T), // seller arrives later: still joined
      person(1, T + 1, 'OR', 'ann'),
      person(2, T + 1, 'WA', 'bob'), // wrong state
      auction(101, 2, T + 2),
      auction(102, 1, T + 3, 11), // wrong category
      person(3, T + 4, 'CA', 'cy'),
      auction(103, 3, T + 5),
      auction(104, 1, T + 6),
    ];
    expect(canonicalRows(q3(events))).toEqual(canonicalRows([
      { name: 'ann', city: 'Bend', state: 'OR', id: 100 },
      { name: 'cy', city: 'Bend', state: 'CA', id: 103 },
      { name: 'ann', city: 'Bend', state: 'OR', id: 104 },
    ]));
  });

  test('sliding windows assign an event to size/slide windows that contain it', () => {
    expect(slidingWindows(T + 1250, 2000, 500).map((w) => w.windowStart)).toEqual([T + 1000, T + 500, T, T - 500]);
    expect(slidingWindows(T + 1000, 2000, 500).map((w) => w.windowStart)).toEqual([T + 1000, T + 500, T, T - 500]);
  });

  test('q5 reports, per sliding window, the auctions with the most bids, ties included', () => {
    const events = [bid(1, 1, T + 100), bid(1, 1, T + 200), bid(2, 1, T + 300), bid(2, 1, T + 1600), bid(2, 1, T + 1700)];
    const rows = q5(events, { windowSizeMs: 1000, slideMs: 500 });
    expect(canonicalRows(rows)).toEqual(canonicalRows([
      { windowStart: T - 500, windowEnd: T + 500, auction: 1, num: 2 },
      { windowStart: T, windowEnd: T + 1000, auction: 1, num: 2 },
      { windowStart: T + 1000, windowEnd: T + 2000, auction: 2, num: 2 },
      { windowStart: T + 1500, windowEnd: T + 2500, auction: 2, num: 2 },
    ]));
    const tie = q5([bid(1, 1, T), bid(2, 1, T + 1)], { windowSizeMs: 1000, slideMs: 1000 });
    expect(canonicalRows(tie)).toEqual(canonicalRows([
      { windowStart: T, windowEnd: T + 1000, auction: 1, num: 1 },
      { windowStart: T, windowEnd: T + 1000, auction: 2, num: 1 },
    ]));
  });

  test('q7 reports the highest bid of every tumbling window, ties included', () => {
    const events = [bid(1, 50, T + 10, 7), bid(2, 90, T + 20, 8), bid(3, 90, T + 999, 9), bid(4, 10, T + 1000, 1), person(1, T + 5)];
    expect(canonicalRows(q7(events, { windowSizeMs: 1000 }))).toEqual(canonicalRows([
      { windowStart: T, windowEnd: T + 1000, auction: 2, bidder: 8, price: 90, dateTime: T + 20 },
      { windowStart: T, windowEnd: T + 1000, auction: 3, bidder: 9, price: 90, dateTime: T + 999 },
      { windowStart: T + 1000, windowEnd: T + 2000, auction: 4, bidder: 1, price: 10, dateTime: T + 1000 },
    ]));
  });

  test('q8 reports people who opened an auction in the window in which they registered, once per window', () => {
    const events: NexmarkEvent[] = [
      person(1, T + 100, 'OR', 'ann'),
      auction(10, 1, T + 200),
      auction(11, 1, T + 300), // a second auction: still one row
      person(2, T + 900, 'WA', 'bob'),
      auction(12, 2, T + 1100), // next window: no row
      auction(13, 3, T + 1200), // seller never registered: no row
    ];
    expect(q8(events, { windowSizeMs: 1000 })).toEqual([{ id: 1, name: 'ann', windowStart: T, windowEnd: T + 1000 }]);
  });

  test('results compare as multisets of rows, independent of row and key order', () => {
    expect(diffRows([{ a: 1, b: 2 }, { a: 3, b: 4 }], [{ b: 4, a: 3 }, { b: 2, a: 1 }])).toEqual({ missing: [], unexpected: [] });
    expect(diffRows([{ a: 1 }, { a: 1 }], [{ a: 1 }, { a: 2 }])).toEqual({ missing: ['{"a":1}'], unexpected: ['{"a":2}'] });
  });
});
