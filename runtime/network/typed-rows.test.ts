import { isDeepStrictEqual } from 'node:util';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { T, type DataType } from '../sql/types/data-type.ts';
import { changelogRecordType } from '../sql/physical/record-type.ts';
import { dataBuffer } from './buffers.ts';
import { decodeData, encodeBuffer, FrameError, FrameReader, type Frame } from './frame-codec.ts';
import { FLAT_TAG } from './flat-records.ts';
import { decodeRecords, encodeRecords } from './record-codec.ts';
import { recordTypeFingerprint, TYPED_BLOCK, TYPED_INLINE, TypedRowCodec } from './typed-rows.ts';

/** Random SQL types and rows of them, in the table world's representation (connectors/factory/row.ts). */
function randomSql(seed: number) {
  const g = xoroshiro128plus(seed);
  const int = (a: number, b: number): number => uniformInt(g, a, b);
  const pick = <X>(xs: readonly X[]): X => xs[int(0, xs.length - 1)]!;
  const text = (ascii: boolean): string => {
    const alphabet = ascii ? 'abc xyz-09"\\\n' : 'aäöüß日本語😀 ';
    const chars = [...alphabet];
    let s = '';
    for (let i = int(0, int(0, 3) === 0 ? 0 : 40); i > 0; i--) s += pick(chars);
    return s;
  };
  const scalarTypes: Array<() => DataType> = [
    () => T.boolean(), () => T.tinyint(), () => T.smallint(), () => T.int(), () => T.bigint(), () => T.float(), () => T.double(),
    () => T.decimal(38, int(0, 18)), () => T.decimal(10, 2), () => T.string(), () => T.char(3), () => T.bytes(), () => T.binary(4),
    () => T.date(), () => T.time(3), () => T.timestamp(9), () => T.timestamp(3), () => T.timestampLtz(3), () => T.timestampLtz(9),
    () => T.intervalDayTime(), () => T.intervalYearMonth(), () => T.null(),
  ];
  const type = (depth: number): DataType => {
    const k = depth >= 2 ? 0 : int(0, 9);
    if (k <= 5) return pick(scalarTypes)();
    if (k === 6) return T.array(type(depth + 1));
    if (k === 7) return T.multiset(type(depth + 1));
    if (k === 8) return T.map(type(depth + 1), type(depth + 1));
    return T.row(Array.from({ length: int(1, 4) }, (_, i) => ({ name: `f${i}`, type: type(depth + 1) })));
  };
  const decimal = (scale: number): string => {
    const digits = Array.from({ length: int(1, 38 - scale) }, () => int(0, 9)).join('').replace(/^0+(?=\d)/, '');
    const frac = scale === 0 ? '' : '.' + Array.from({ length: scale }, () => int(0, 9)).join('');
    return (int(0, 1) === 0 ? '-' : '') + digits + frac;
  };
  const value = (t: DataType, ascii: boolean): unknown => {
    if (int(0, 5) === 0) return null;
    switch (t.root) {
      case 'BOOLEAN': return int(0, 1) === 1;
      case 'TINYINT': return int(-128, 127);
      case 'SMALLINT': return int(-32768, 32767);
      case 'INTEGER': case 'INTERVAL_YEAR_MONTH': return int(-(2 ** 31), 2 ** 31 - 1);
      case 'BIGINT': {
        // a number while safe, a bigint beyond 2^53 (up to the 64-bit limits)
        if (int(0, 2) > 0) return int(-(2 ** 31), 2 ** 31) * 2 ** int(0, 21);
        return pick([2n ** 53n, -(2n ** 53n) - 5n, 2n ** 63n - 1n, -(2n ** 63n), BigInt(int(1, 2 ** 31)) * 2n ** 32n + 7n]);
      }
      case 'FLOAT': case 'DOUBLE': return pick([0.1 + 0.2, -0, NaN, Infinity, -1e300, int(-1000, 1000) / 8]);
      case 'DECIMAL': return decimal(t.scale);
      case 'CHAR': case 'VARCHAR': return text(ascii);
      case 'BINARY': case 'VARBINARY': return Uint8Array.from({ length: int(0, 20) }, () => int(0, 255));
      case 'DATE': return int(-100_000, 100_000);
      case 'TIME': return int(0, 86_399_999);
      case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return 1_700_000_000_000 + int(-(2 ** 30), 2 ** 30) * 1000 + int(0, 999);
      case 'INTERVAL_DAY_TIME': return int(-(2 ** 30), 2 ** 30) * 1000;
      case 'NULL': return null;
      case 'ARRAY': case 'MULTISET': return Array.from({ length: int(0, 4) }, () => value(t.element, ascii));
      case 'MAP': return new Map(Array.from({ length: int(0, 3) }, () => [value(t.key, ascii), value(t.value, ascii)] as const));
      case 'ROW': return t.fields.map((f) => value(f.type, ascii));
      default: throw new Error(`no value for ${t.root}`);
    }
  };
  const schema = (): DataType[] => Array.from({ length: int(1, 12) }, () => type(0));
  const rows = (types: readonly DataType[], ascii: boolean): unknown[] =>
    Array.from({ length: int(0, 60) }, () => ({ kind: pick(['+I', '-U', '+U', '-D']), values: types.map((t) => value(t, ascii)) }));
  return { schema, rows, int };
}

const codecFor = (types: readonly DataType[]): TypedRowCodec => new TypedRowCodec(changelogRecordType(types.map((type) => ({ type })))!);

describe('typed SQL rows on the data plane', () => {
  test('random rows of random SQL types (NULLs, BIGINT beyond 2^53, DECIMAL(38, s), TIMESTAMP(9), LTZ, INTERVAL, nested ARRAY/MAP/ROW/MULTISET, non-ASCII and empty strings) round-trip exactly, typed', () => {
    let typedBatches = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = randomSql(seed);
      const types = r.schema();
      const codec = codecFor(types);
      const rows = r.rows(types, seed % 3 !== 0);
      const bytes = encodeRecords(rows, codec);
      if (rows.length > 0) {
        // conforming rows always take the typed encoding (block or inline strings)
        expect([bytes[0], bytes[1] === TYPED_BLOCK || bytes[1] === TYPED_INLINE]).toEqual([FLAT_TAG, true]);
        typedBatches++;
      }
      const back = decodeRecords(Buffer.from(bytes), rows.length, codecFor(types));
      if (!isDeepStrictEqual(back, rows)) throw new Error(`seed ${seed}: ${JSON.stringify(types)} did not round-trip`);
    }
    expect(typedBatches).toBeGreaterThan(300);
  });

  test('a batch with a row the type does not describe goes the generic way and still round-trips', () => {
    const types = [T.int(), T.string(), T.bytes()];
    const codec = codecFor(types);
    const odd = [
      [{ kind: '+I', values: [1, 'a', new Uint8Array([1])] }, { kind: '+I', values: [1.5, 'b', null] }], // not an INT
      [{ kind: '+I', values: [1, 'a', Buffer.from([1])] }], // a Buffer, not a Uint8Array
      [{ kind: '+I', values: [1, 'a'] }], // too few values
      [{ kind: '+X', values: [1, 'a', null] }], // no row kind
      [{ kind: '+I', values: [1, 'a', null], extra: true }], // another shape
      [{ kind: '+I', values: [-0, undefined, null] }],
    ];
    for (const rows of odd) {
      const bytes = encodeRecords(rows, codec);
      expect(bytes[0] === FLAT_TAG && (bytes[1] === TYPED_BLOCK || bytes[1] === TYPED_INLINE)).toBe(false);
      expect(decodeRecords(Buffer.from(bytes), rows.length, codec)).toStrictEqual(rows);
    }
  });

  test('a typed frame is refused on a channel without the type; any cut or corrupted typed frame is a FrameError', () => {
    const types = [T.bigint(), T.decimal(38, 4), T.array(T.string()), T.map(T.int(), T.bytes()), T.timestamp(9)];
    const codec = codecFor(types);
    const rows = [
      { kind: '+I', values: [2n ** 60n, '12345.6789', ['a', '', 'ü'], new Map([[1, new Uint8Array([1, 2])], [2, null]]), 1_700_000_000_123] },
      { kind: '-D', values: [null, null, [], new Map(), null] },
    ];
    const frame = encodeBuffer(0, dataBuffer(rows, [1, 2]));
    expect(decodeData(frame.subarray(9)).values).toStrictEqual(rows); // untyped: generic encoding
    const typedBody = Buffer.concat([frame.subarray(9, 9 + 4 + 16), Buffer.from(encodeRecords(rows, codec))]);
    expect(decodeData(typedBody, codec).values).toStrictEqual(rows);
    expect(() => decodeData(typedBody)).toThrow(expect.objectContaining({ code: 'MR_ERR_FRAME_INVALID', message: expect.stringContaining('declared no row type') }));
    for (let cut = 4 + 16 + 1; cut < typedBody.length; cut++) {
      expect(() => decodeData(typedBody.subarray(0, cut), codec)).toThrow(FrameError);
    }
    // a row count the body cannot hold is refused before allocating
    const huge = Buffer.from(typedBody);
    huge.writeUInt32LE(1_000_000, 0);
    expect(() => decodeData(huge, codec)).toThrow(FrameError);
    // corrupted bytes never crash the process: each is a FrameError or decodes to some rows
    const r = randomSql(7);
    for (let i = 0; i < 2000; i++) {
      const bad = Buffer.from(typedBody);
      bad[r.int(4 + 16 + 2, bad.length - 1)] = r.int(0, 255);
      try {
        decodeData(bad, codec);
      } catch (err) {
        expect(err).toBeInstanceOf(FrameError);
      }
    }
  });

  test('a frame reader hands typed frames through unchanged, and equal types have equal fingerprints', () => {
    const types = [T.int(), T.string()];
    expect(recordTypeFingerprint(changelogRecordType(types.map((type) => ({ type }))))).toBe(recordTypeFingerprint(changelogRecordType([T.int(), T.varchar(10)].map((type) => ({ type })))));
    expect(recordTypeFingerprint(changelogRecordType([{ type: T.int() }]))).not.toBe(recordTypeFingerprint(changelogRecordType([{ type: T.bigint() }])));
    expect(recordTypeFingerprint(undefined)).toBe('');
    const frames: Frame[] = [];
    new FrameReader((f) => frames.push(f)).push(encodeBuffer(3, dataBuffer([{ kind: '+I', values: [1, 'x'] }], [5])));
    expect(frames).toHaveLength(1);
  });

  test('a RAW column leaves the stream without a declared type (generic encoding)', () => {
    expect(changelogRecordType([{ type: T.int() }, { type: { root: 'RAW', className: 'x.Y', nullable: true } }])).toBeUndefined();
  });
});
