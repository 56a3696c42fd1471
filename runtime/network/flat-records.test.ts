import { isDeepStrictEqual } from 'node:util';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { createNexmarkGenerator } from '../connectors/nexmark/generator.ts';
import { decodeFlat, encodeFlat, FLAT_TAG } from './flat-records.ts';
import { decodeRecords, encodeRecords } from './record-codec.ts';

/** Batches of one flat shape: scalar fields and arrays of scalars, ASCII or not. */
function flatBatch(seed: number): unknown[] {
  const g = xoroshiro128plus(seed);
  const int = (a: number, b: number): number => uniformInt(g, a, b);
  const ascii = int(0, 2) > 0;
  const text = (): string => {
    const chars = ascii ? 'abc XYZ/?=&0123456789' : 'aü日😀\u0000';
    return Array.from({ length: int(0, int(0, 1) ? 8 : 200) }, () => [...chars][int(0, [...chars].length - 1)]).join('');
  };
  const scalar = (): unknown => {
    switch (int(0, 8)) {
      case 0: return int(-(2 ** 31), 2 ** 31 - 1);
      case 1: return int(0, 2 ** 30) * 2 ** int(0, 23) + int(0, 3) / 4;
      case 2: return [NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 0.1, Number.MAX_SAFE_INTEGER, 1_735_689_600_000][int(0, 7)];
      case 3: return int(0, 1) === 1;
      case 4: return null;
      case 5: return undefined;
      default: return text();
    }
  };
  const keys = Array.from({ length: int(1, 10) }, (_, i) => (ascii ? `f${i}` : `fü${i}`));
  const arrays = new Set(keys.filter(() => int(0, 3) === 0));
  return Array.from({ length: int(1, 120) }, () => {
    const o: Record<string, unknown> = {};
    for (const k of keys) o[k] = arrays.has(k) ? Array.from({ length: int(0, 6) }, scalar) : scalar();
    return o;
  });
}

describe('flat records', () => {
  test('60 random flat batches take the flat encoding and come back identical', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const values = flatBatch(seed);
      const bytes = Buffer.from(encodeRecords(values));
      expect(bytes[0]).toBe(FLAT_TAG);
      const back = decodeRecords(bytes, values.length);
      if (!isDeepStrictEqual(back, values)) throw new Error(`seed ${seed}: the batch did not come back identical`);
    }
  });

  test('Nexmark events of one kind and SQL rows of plain values are flat; a bigint or a second shape is not', () => {
    const gen = createNexmarkGenerator();
    const bids = Array.from({ length: 2000 }, (_, i) => gen.eventAt(i)).filter((e) => e.kind === 'bid');
    expect(encodeFlat(bids)?.[0]).toBe(FLAT_TAG);
    const rows = [{ kind: '+I', values: [1, 'Google', 2.5, null, true] }, { kind: '-U', values: [] }];
    expect(encodeFlat(rows)?.[0]).toBe(FLAT_TAG);
    expect(decodeRecords(Buffer.from(encodeRecords(rows)), 2)).toStrictEqual(rows);
    expect(encodeFlat([{ kind: '+I', values: [1n] }])).toBeUndefined();
    expect(encodeFlat([{ kind: '+I', values: [[1]] }])).toBeUndefined();
    expect(encodeFlat([{ a: 1, b: 2 }, { b: 2, a: 1 }])).toBeUndefined();
    expect(encodeFlat([{ a: 1 }, { a: 1, b: 2 }])).toBeUndefined();
    expect(encodeFlat([{ a: new Date(0) }])).toBeUndefined();
    expect(encodeFlat([1, 2])).toBeUndefined();
    const longKey = { ['k'.repeat(30_000)]: 1 };
    expect(encodeFlat([longKey])).toBeUndefined();
    expect(decodeRecords(Buffer.from(encodeRecords([longKey])), 1)).toStrictEqual([longKey]);
    // a frame larger than the working buffer keeps (1 MiB), then a small one after it lets it go
    const big = Array.from({ length: 40 }, (_, i) => ({ i, s: String(i).repeat(60_000) }));
    expect(decodeRecords(Buffer.from(encodeRecords(big)), 40)).toStrictEqual(big);
    expect(decodeRecords(Buffer.from(encodeRecords(rows)), 2)).toStrictEqual(rows);
    const mixed = [{ a: 1 }, { b: 'x' }];
    expect(decodeRecords(Buffer.from(encodeRecords(mixed)), 2)).toStrictEqual(mixed);
  });

  test('strings come back in both modes: an ASCII block, and UTF-8 inline when a string is not ASCII', () => {
    for (const s of ['https://www.nexmark.com/lole/yjiq/ild/item.htm?query=1', 'Zürich 日本 😀 '.repeat(3)]) {
      const bytes = Buffer.from(encodeFlat([{ s }, { s: 'other' }])!);
      const back = decodeFlat(bytes, 2) as { s: string }[];
      expect(back[0]!.s).toBe(s);
      expect(back[1]!.s).toBe('other');
    }
  });

  test('every truncation and 400 random corruptions of a flat frame throw an Error or decode; nothing else', () => {
    const gen = createNexmarkGenerator();
    const events = Array.from({ length: 20 }, (_, i) => gen.eventAt(i)).filter((e) => e.kind === 'bid');
    const good = Buffer.from(encodeFlat(events)!);
    // (Buffer's own RangeErrors come from outside jest's realm: not matched by class)
    const accepted: number[] = [];
    for (let cut = 1; cut < good.length; cut++) {
      try {
        decodeFlat(good.subarray(0, cut), events.length);
        accepted.push(cut);
      } catch {
        // refused, as it must be
      }
    }
    expect(accepted).toEqual([]);
    const g = xoroshiro128plus(7);
    const odd: string[] = [];
    for (let i = 0; i < 400; i++) {
      const bad = Buffer.from(good);
      for (let f = uniformInt(g, 1, 4); f > 0; f--) bad[uniformInt(g, 1, bad.length - 1)] = uniformInt(g, 0, 255);
      try {
        const back = decodeFlat(bad, events.length);
        if (back.length !== events.length) odd.push(`case ${i}: ${back.length} records`);
      } catch (err) {
        if (typeof (err as Error).message !== 'string') odd.push(`case ${i}: threw ${String(err)}`);
      }
    }
    expect(odd).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // a count the body cannot hold is refused before anything is allocated for it
    expect(() => decodeFlat(good, 1e9)).toThrow(/do not fit/);
    expect(() => decodeFlat(good, events.length - 1)).toThrow(/left after/);
  });

  test('a __proto__ key is never written flat and refused when read', () => {
    const o = JSON.parse('{"__proto__": 1}') as unknown;
    expect(encodeFlat([o])).toBeUndefined();
    const forged = Buffer.from(encodeFlat([{ __proto_x: 1 }])!);
    forged.write('__proto__', 5, 'latin1'); // the key's bytes: "__proto_x" → "__proto__"
    expect(() => decodeFlat(forged, 1)).toThrow(/not allowed/);
  });
});
