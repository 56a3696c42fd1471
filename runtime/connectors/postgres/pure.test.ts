// The pure parts of the PostgreSQL connector: statements, the sink's change buffer, the lookup
// cache (manual clock), scan splits, the URL and value conversions.
import { T } from '../../sql/types/data-type.ts';
import { ChangeBuffer } from './buffer.ts';
import { LookupCache } from './lookup-cache.ts';
import { bigintToLsn, decodePgOutput, lsnToBigint, standbyStatusUpdate } from './pgoutput.ts';
import { numericSplits, splitsOfSubtask } from './splits.ts';
import { deleteStatement, lookupStatement, rowsPerStatement, upsertStatement } from './statements.ts';
import { parseJdbcUrl } from './url.ts';
import { fromPgText, toPgParam } from './values.ts';

describe('statements', () => {
  test('upsert updates the non-key columns from EXCLUDED; identifiers are quoted', () => {
    expect(upsertStatement('public.orders', ['id', 'Amount'], ['id'], 2)).toBe(
      'INSERT INTO "public"."orders" ("id", "Amount") VALUES ($1, $2), ($3, $4) ON CONFLICT ("id") DO UPDATE SET "Amount" = EXCLUDED."Amount"',
    );
    expect(upsertStatement('t', ['a', 'b'], ['a', 'b'], 1)).toBe('INSERT INTO "t" ("a", "b") VALUES ($1, $2) ON CONFLICT ("a", "b") DO NOTHING');
    expect(deleteStatement('t', ['a', 'b'], 2)).toBe('DELETE FROM "t" WHERE ("a", "b") IN (($1, $2), ($3, $4))');
    expect(lookupStatement('t', ['id', 'x"y'], ['id'])).toBe('SELECT "id", "x""y" FROM "t" WHERE "id" = $1');
    expect(rowsPerStatement(10)).toBe(6553);
  });
});

describe('change buffer', () => {
  test('with a key, the last change per key wins and -U is dropped', () => {
    const b = new ChangeBuffer([0]);
    b.add({ kind: '+I', values: [1, 'a'] });
    b.add({ kind: '+I', values: [2, 'b'] });
    b.add({ kind: '-U', values: [1, 'a'] });
    b.add({ kind: '+U', values: [1, 'a2'] });
    b.add({ kind: '-D', values: [2, 'b'] });
    b.add({ kind: '-D', values: [3, 'c'] });
    b.add({ kind: '+I', values: [3, 'c2'] });
    expect(b.size).toBe(6);
    expect(b.take()).toEqual({ upserts: [[1, 'a2'], [3, 'c2']], deletes: [[2]], received: 6 });
    expect(b.size).toBe(0);
  });

  test('without a key it appends inserts and refuses updates', () => {
    const b = new ChangeBuffer(undefined);
    b.add({ kind: '+I', values: [1] });
    b.add({ kind: '+I', values: [1] });
    expect(b.take().upserts).toEqual([[1], [1]]);
    expect(() => b.add({ kind: '-D', values: [1] })).toThrow('append-only');
  });
});

describe('lookup cache', () => {
  test('entries expire after the TTL and the least recently used is evicted', () => {
    let now = 0;
    const cache = new LookupCache<string>({ maxRows: 2, ttlMs: 1000, now: () => now });
    cache.put('a', 'A');
    cache.put('b', 'B');
    now = 500;
    expect(cache.get('a')).toBe('A'); // a is now the most recently used
    cache.put('c', 'C'); // evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(2);
    now = 999;
    expect(cache.get('a')).toBe('A');
    now = 1000; // a was loaded at 0
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBe('C'); // loaded at 500
    now = 1500;
    expect(cache.get('c')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('scan splits', () => {
  test('cover [lower, upper] evenly and go round-robin to subtasks', () => {
    expect(numericSplits(1n, 10n, 3)).toEqual([{ index: 0, from: '1', to: '4' }, { index: 1, from: '5', to: '7' }, { index: 2, from: '8', to: '10' }]);
    expect(numericSplits(0n, 1n, 5)).toEqual([{ index: 0, from: '0', to: '0' }, { index: 1, from: '1', to: '1' }]);
    expect(numericSplits(9007199254740993n, 9007199254740994n, 1)).toEqual([{ index: 0, from: '9007199254740993', to: '9007199254740994' }]);
    const splits = numericSplits(0n, 99n, 5);
    expect(splitsOfSubtask(splits, 1, 2).map((s) => s.index)).toEqual([1, 3]);
    expect(() => numericSplits(5n, 1n, 2)).toThrow('above');
  });
});

describe('JDBC URL', () => {
  test('host, port, database and supported parameters; other databases and parameters refused by name', () => {
    expect(parseJdbcUrl('jdbc:postgresql://db.example:6543/shop?sslmode=require&user=u', 't')).toEqual({ host: 'db.example', port: 6543, database: 'shop', ssl: { rejectUnauthorized: false }, user: 'u' });
    expect(parseJdbcUrl('jdbc:postgresql://localhost/shop', 't')).toMatchObject({ port: 5432 });
    expect(() => parseJdbcUrl('jdbc:mysql://h/db', 't')).toThrow("MR_ERR_CONNECTOR_OPTIONS: table 't': option 'url' = 'jdbc:mysql://h/db': only PostgreSQL is supported");
    expect(() => parseJdbcUrl('jdbc:postgresql://h/db?loginTimeout=3', 't')).toThrow("URL parameter 'loginTimeout' is not supported");
  });
});

describe('values', () => {
  test('row values become parameters and the server text comes back as the same row values', () => {
    const cases: Array<[ReturnType<typeof T.int>, unknown, unknown, string]> = [
      [T.bigint(), 9007199254740993n, '9007199254740993', '9007199254740993'],
      [T.decimal(10, 2), '12.30', '12.30', '12.30'],
      [T.date(), 20090, '2025-01-02', '2025-01-02'],
      [T.timestamp(3), Date.UTC(2025, 0, 2, 3, 4, 5, 6), '2025-01-02 03:04:05.006', '2025-01-02 03:04:05.006'],
      [T.timestampLtz(3), Date.UTC(2025, 0, 2, 3, 4, 5), '2025-01-02T03:04:05.000Z', '2025-01-02 03:04:05+00'],
      [T.boolean(), true, true, 't'],
    ];
    for (const [type, value, param, text] of cases) {
      expect(toPgParam(type, value)).toEqual(param);
      expect(fromPgText(type, text, 'c')).toEqual(value);
    }
    expect(fromPgText(T.bytes(), '\\x0102ff', 'c')).toEqual(new Uint8Array([1, 2, 255]));
    expect(fromPgText(T.int(), null, 'c')).toBeNull();
    expect(() => fromPgText(T.date(), 'infinity', 'c')).toThrow("column 'c'");
  });
});

describe('pgoutput', () => {
  test('LSNs round-trip; the standby status update carries the LSN three times', () => {
    expect(lsnToBigint('16/B374D848')).toBe(0x16b374d848n);
    expect(bigintToLsn(0x16b374d848n)).toBe('16/B374D848');
    const update = standbyStatusUpdate(0x10n, 946_684_800_000 + 1);
    expect(update.toString('latin1', 0, 1)).toBe('r');
    expect([update.readBigUInt64BE(1), update.readBigUInt64BE(9), update.readBigUInt64BE(17), update.readBigInt64BE(25)]).toEqual([0x10n, 0x10n, 0x10n, 1000n]);
  });

  test('an update with a full old tuple, then a delete with the key only', () => {
    const tuple = (...values: Array<string | null>) => Buffer.concat([
      Buffer.from([0, values.length]),
      ...values.map((v) => (v === null ? Buffer.from('n') : Buffer.concat([Buffer.from('t'), Buffer.from([0, 0, 0, Buffer.byteLength(v)]), Buffer.from(v)]))),
    ]);
    const rel = Buffer.from([0, 0, 0, 7]);
    expect(decodePgOutput(Buffer.concat([Buffer.from('U'), rel, Buffer.from('O'), tuple('1', 'a'), Buffer.from('N'), tuple('1', 'b')]))).toEqual({ tag: 'update', relationId: 7, old: ['1', 'a'], oldIsKeyOnly: false, tuple: ['1', 'b'] });
    expect(decodePgOutput(Buffer.concat([Buffer.from('D'), rel, Buffer.from('K'), tuple('1', null)]))).toEqual({ tag: 'delete', relationId: 7, old: ['1', null], oldIsKeyOnly: true });
  });
});
