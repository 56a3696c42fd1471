import { benchScript, benchStatements, bidJson, canonicalRow, checkOutput, referenceOutput, sqlTimestamp } from './kafka-data.ts';

const bid = (price: number, auction = 7) => bidJson({ kind: 'bid', auction, bidder: 3, price, channel: 'Google', url: 'https://x', dateTime: Date.UTC(2025, 0, 1, 0, 0, 4, 500), extra: 'pad' });

describe('bench:kafka data', () => {
  it('writes bids as flat JSON with SQL timestamp text', () => {
    expect(JSON.parse(bid(150000))).toEqual({ auction: 7, bidder: 3, price: 150000, channel: 'Google', url: 'https://x', dateTime: '2025-01-01 00:00:04.500', extra: 'pad' });
    expect(sqlTimestamp(0)).toBe('1970-01-01 00:00:00.000');
  });

  it('the reference keeps bids with price >= 100000 and projects auction, bidder, price, channel, dateTime', () => {
    expect(referenceOutput(bid(99999))).toBeNull();
    expect(referenceOutput(bid(100000))).toEqual({ auction: 7, bidder: 3, price: 100000, channel: 'Google', dateTime: '2025-01-01 00:00:04.500' });
  });

  it('the SQL both sides run has the same filter and projection, and the bounded option only when asked', () => {
    const o = { bootstrap: '127.0.0.1:19092', topics: { input: 'in', output: 'out' } };
    const [source, sink, insert] = benchStatements({ ...o, bounded: false });
    expect(insert).toBe('INSERT INTO bids_out SELECT auction, bidder, price, channel, dateTime FROM bids WHERE price >= 100000');
    expect(source).toContain("'topic' = 'in'");
    expect(source).not.toContain('scan.bounded.mode');
    expect(sink).toContain("'topic' = 'out'");
    expect(sink).toContain("'sink.delivery-guarantee' = 'at-least-once'");
    expect(benchScript({ ...o, bounded: true })).toContain("'scan.bounded.mode' = 'latest-offset'");
  });

  it('compares output rows by value: trailing zeros of a timestamp and number formatting do not matter', () => {
    expect(canonicalRow({ auction: 7, bidder: 3, price: 1.5e5, channel: 'Google', dateTime: '2025-01-01 00:00:04.5' }))
      .toBe(canonicalRow({ auction: 7, bidder: 3, price: 150000, channel: 'Google', dateTime: '2025-01-01 00:00:04.500' }));
  });

  it('checkOutput: equal as a multiset in any order; a missing, extra, duplicated or changed row fails', () => {
    const inputs = [bid(150000, 1), bid(10, 2), bid(200000, 3), bid(200000, 3)];
    const out = (auction: number, price: number) => JSON.stringify({ auction, bidder: 3, price, channel: 'Google', dateTime: '2025-01-01 00:00:04.5' });
    expect(checkOutput(inputs, [out(3, 200000), out(1, 150000), out(3, 200000)])).toEqual({ expectedRows: 3, rows: 3, equal: true, difference: null });
    expect(checkOutput(inputs, [out(3, 200000), out(1, 150000)]).difference).toMatch(/^1 reference row\(s\) missing/);
    expect(checkOutput(inputs, [out(3, 200000), out(1, 150000), out(3, 200000), out(1, 150000)]).equal).toBe(false);
    expect(checkOutput(inputs, [out(3, 200000), out(1, 150001), out(3, 200000)]).difference).toMatch(/^an output row the reference does not have/);
    expect(checkOutput(inputs, [out(2, 10), out(1, 150000), out(3, 200000)]).equal).toBe(false);
    expect(checkOutput(inputs, ['not json']).difference).toMatch(/not JSON/);
  });
});
