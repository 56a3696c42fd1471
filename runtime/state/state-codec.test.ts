import { StateReader, StateWriter } from './state-codec.ts';

const writer = new StateWriter();
function roundTrip(...values: unknown[]): unknown[] {
  writer.begin();
  for (const v of values) writer.value(v);
  const r = new StateReader(writer.finish());
  const out = values.map(() => r.value());
  expect(r.done).toBe(true);
  return out;
}

describe('state value codec', () => {
  test('numbers, strings and nesting come back exactly', () => {
    const values = [
      0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 1_700_000_000_123, 0.1, Number.NaN, Number.NEGATIVE_INFINITY, Number.MAX_VALUE,
      '', 'a', 'ascii text longer than the short-string loop handles', 'é', '日本語'.repeat(20), 'mixed ascii then é',
      true, false, null, undefined,
      [[1, [2, [3, 'x']]], { a: { b: { c: [null, undefined] } } }],
      new Map<unknown, unknown>([[1, 'one'], ['two', new Map([[2, [2]]])]]),
    ];
    const back = roundTrip(...values);
    back.forEach((v, i) => expect(Object.is(v, values[i]) || (typeof v === 'object' && v !== null)).toBe(true));
    expect(back).toStrictEqual(values);
  });

  test('as JSON: toJSON speaks for an object, class instances are their own properties, functions are dropped', () => {
    class Point {
      x = 1;
      y = 2;
      norm(): number {
        return this.x + this.y;
      }
    }
    const [point, custom, withFn] = roundTrip(new Point(), { nested: { toJSON: () => 'custom' } }, { keep: 1, fn: () => 1, sym: Symbol('s') });
    expect(point).toStrictEqual({ x: 1, y: 2 });
    expect(custom).toStrictEqual({ nested: 'custom' });
    expect(withFn).toStrictEqual({ keep: 1 });
  });

  test('a "__proto__" key stays an own property and never sets the prototype', () => {
    const o = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    const [back] = roundTrip(o) as [Record<string, unknown>];
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect((back as { polluted?: boolean }).polluted).toBeUndefined();
  });

  test('object keys are written once per record, also past the 65,534 keys that get numbers, and keys of any length', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ auction: i, bidder: i * 2, channel: 'web' }));
    writer.begin();
    writer.value(rows);
    const size = writer.length;
    expect(size).toBeLessThan(1000 * 40); // the three key names are not written per row
    const wide = Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, i]));
    // compared as text: a deep comparison of 70,000 properties costs seconds
    const after = { k0: 'numbered', k69999: 'not numbered' };
    expect(JSON.stringify(roundTrip([wide, after]))).toBe(JSON.stringify([[wide, after]]));
    // a key over 65,535 UTF-8 bytes (JSON took it)
    const long = { ['é'.repeat(40_000)]: 1, short: 2 };
    expect(roundTrip(long, long)).toStrictEqual([long, long]);
  });

  test('a damaged record throws MR_ERR_STATE_FORMAT instead of reading past its end', () => {
    writer.begin();
    writer.value(['abc', 1.5, { a: 1 }]);
    const bytes = writer.finish();
    expect(() => new StateReader(bytes.subarray(0, bytes.length - 2)).value()).toThrow(/MR_ERR_STATE_FORMAT: a state record ends/);
    const bad = Buffer.from(bytes);
    bad[0] = 200;
    expect(() => new StateReader(bad).value()).toThrow(/MR_ERR_STATE_FORMAT: unknown value tag 200/);
    // an array count larger than the bytes left cannot allocate a huge array
    expect(() => new StateReader(Buffer.from([8, 0xff, 0xff, 0xff, 0x7f])).value()).toThrow(/MR_ERR_STATE_FORMAT/);
  });
});
