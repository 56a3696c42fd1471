// Table connectors through the factory, run as DataStream jobs in-process (fromSource / sinkTo).

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineJob } from '../../api/environment.ts';
import { executeLocally } from '../../local/local-executor.ts';
import { T, type RowField } from '../../sql/types/data-type.ts';
import { collectSink } from '../collect-sink.ts';
import { SecretResolver, createConnectorRegistry, type ChangelogRow, type TableDescriptor } from '../factory/index.ts';
import { createNexmarkGenerator } from '../nexmark/index.ts';
import { NEXMARK_COLUMNS } from './nexmark.ts';
import { formatPrintedRow, printTableSink } from './print.ts';

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });

async function readAll(table: TableDescriptor, parallelism = 2): Promise<ChangelogRow[]> {
  const out: ChangelogRow[] = [];
  const source = registry.createSource(table);
  await executeLocally(defineJob({ name: 'read', build: (env) => env.fromSource(source.createSource()).sinkTo(collectSink(out)) }), { parallelism }).done;
  return out;
}

/** Copies `from` into `to`; returns the rows written. */
async function copy(from: TableDescriptor, to: TableDescriptor, parallelism = 2): Promise<ChangelogRow[]> {
  const source = registry.createSource(from);
  const sink = registry.createSink(to);
  const written: ChangelogRow[] = [];
  await executeLocally(defineJob({
    name: 'copy',
    build: (env) => {
      const rows = env.fromSource(source.createSource());
      rows.sinkTo(sink.createSink());
      rows.sinkTo(collectSink(written));
    },
  }), { parallelism }).done;
  return written;
}

const sortRows = (rows: ChangelogRow[]): string[] => rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();

describe('nexmark table connector', () => {
  test('produces the datagen table of ddl_gen.sql: one row per generator event, the event in its ROW column', async () => {
    const rows = await readAll({ name: 'datagen', columns: NEXMARK_COLUMNS, options: { connector: 'nexmark', 'events.num': '2000', 'first-event.rate': '1000' } });
    expect(rows).toHaveLength(2000);
    const gen = createNexmarkGenerator({ events: 2000, eventsPerSecond: 1000 });
    const expected = Array.from({ length: 2000 }, (_, i) => {
      const e = gen.eventAt(i);
      if (e.kind === 'bid') return { kind: '+I', values: [2, null, null, [e.auction, e.bidder, e.price, e.channel, e.url, e.dateTime, e.extra]] } as ChangelogRow;
      if (e.kind === 'person') return { kind: '+I', values: [0, [e.id, e.name, e.emailAddress, e.creditCard, e.city, e.state, e.dateTime, e.extra], null, null] } as ChangelogRow;
      return { kind: '+I', values: [1, null, [e.id, e.itemName, e.description, e.initialBid, e.reserve, e.dateTime, e.expires, e.seller, e.category, e.extra], null] } as ChangelogRow;
    });
    expect(sortRows(rows)).toEqual(sortRows(expected));
    expect(rows.filter((r) => r.values[0] === 2).length).toBe(expected.filter((r) => r.values[0] === 2).length);
  });

  test('refuses what the generator cannot do and columns that are not the Nexmark ones', () => {
    expect(() => registry.createSource({ name: 'd', columns: NEXMARK_COLUMNS, options: { connector: 'nexmark', 'next-event.rate': '5' } })).toThrow("'next-event.rate' must equal 'first-event.rate'");
    expect(() => registry.createSource({ name: 'd', columns: NEXMARK_COLUMNS, options: { connector: 'nexmark', 'bid.proportion': '10' } })).toThrow('1:3:46');
    expect(() => registry.createSource({ name: 'd', columns: [{ name: 'x', type: T.int() }], options: { connector: 'nexmark' } })).toThrow('the physical columns must be event_type, person, auction, bid');
  });
});

describe('datagen table connector', () => {
  const columns: RowField[] = [{ name: 'id', type: T.bigint() }, { name: 'name', type: T.string() }, { name: 'score', type: T.int() }];
  const options = { connector: 'datagen', 'fields.id.kind': 'sequence', 'fields.id.start': '1', 'fields.id.end': '300', 'fields.name.length': '6', 'fields.score.min': '10', 'fields.score.max': '20', 'rows-per-second': '1000000' };

  test('a sequence column bounds the table and gives each value once; random values respect min/max/length and repeat per seed', async () => {
    const rows = await readAll({ name: 'g', columns, options });
    expect(rows.map((r) => r.values[0]).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    for (const r of rows) {
      expect(r.kind).toBe('+I');
      expect(r.values[1]).toMatch(/^[0-9a-f]{6}$/);
      expect(r.values[2]).toBeGreaterThanOrEqual(10);
      expect(r.values[2]).toBeLessThanOrEqual(20);
    }
    expect(new Set(rows.map((r) => r.values[2])).size).toBeGreaterThan(5);
    const again = await readAll({ name: 'g', columns, options }, 3);
    expect(sortRows(again)).toEqual(sortRows(rows));
  });

  test('number-of-rows bounds a random table', async () => {
    const rows = await readAll({ name: 'g', columns: [{ name: 'b', type: T.boolean() }], options: { connector: 'datagen', 'number-of-rows': '57' } });
    expect(rows).toHaveLength(57);
  });

  test('field options are checked against the column they name', () => {
    expect(() => registry.createSource({ name: 'g', columns, options: { connector: 'datagen', 'fields.nope.kind': 'random' } })).toThrow("option 'fields.nope.kind' names no column; columns: id, name, score");
    expect(() => registry.createSource({ name: 'g', columns, options: { connector: 'datagen', 'fields.name.min': '1' } })).toThrow("column 'name' VARCHAR: 'min' and 'max' apply to numeric columns");
    expect(() => registry.createSource({ name: 'g', columns, options: { connector: 'datagen', 'fields.id.kind': 'sequence' } })).toThrow("a sequence needs 'fields.id.start' and 'fields.id.end'");
  });
});

describe('filesystem table connector', () => {
  const columns: RowField[] = [{ name: 'id', type: T.bigint() }, { name: 'name', type: T.string() }, { name: 'at', type: T.timestamp(3) }];
  const gen = { connector: 'datagen', 'fields.id.kind': 'sequence', 'fields.id.start': '1', 'fields.id.end': '500', 'fields.name.length': '4', 'fields.at.max-past': '1 h', 'rows-per-second': '1000000' };

  test.each(['json', 'csv'])('the exactly-once file sink commits %s files that the source reads back row for row', async (fmt) => {
    const dir = mkdtempSync(path.join(tmpdir(), `millrace-fs-${fmt}-`));
    const written = await copy({ name: 'g', columns, options: gen }, { name: 'out', columns, options: { connector: 'filesystem', path: dir, format: fmt } });
    const files = readdirSync(dir).filter((f) => !f.startsWith('.'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.endsWith(`.${fmt}`))).toBe(true);
    const lines = files.flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n'));
    expect(lines).toHaveLength(500);
    if (fmt === 'json') expect(JSON.parse(lines[0]!)).toEqual({ id: expect.any(Number), name: expect.stringMatching(/^[0-9a-f]{4}$/), at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/) });
    const back = await readAll({ name: 'in', columns, options: { connector: 'filesystem', path: dir, format: fmt } });
    expect(sortRows(back)).toEqual(sortRows(written));
  });
});

describe('print table connector', () => {
  test('prints rows like Flink: the row kind, Java text of each value, nested rows', () => {
    const columns: RowField[] = [
      { name: 'id', type: T.int() }, { name: 'name', type: T.string() }, { name: 'avg', type: T.double() },
      { name: 'at', type: T.timestamp(3) }, { name: 'bid', type: T.row([{ name: 'price', type: T.bigint() }]) }, { name: 'd', type: T.decimal(5, 2) },
    ];
    expect(formatPrintedRow(columns, { kind: '+I', values: [1, 'foo', 2, Date.UTC(2025, 0, 1, 10, 0), [7], '1.50'] })).toBe('+I[1, foo, 2.0, 2025-01-01T10:00, +I[7], 1.50]');
    expect(formatPrintedRow(columns, { kind: '-U', values: [1, null, 0.5, Date.UTC(2025, 0, 1, 10, 0, 4, 5), null, null] })).toBe('-U[1, null, 0.5, 2025-01-01T10:00:04.005, null, null]');
  });

  test('prefixes print-identifier and the subtask (1-based) when parallel, as Flink does', async () => {
    const lines: string[] = [];
    const columns: RowField[] = [{ name: 'x', type: T.int() }];
    const rows: ChangelogRow[] = [{ kind: '+I', values: [1] }, { kind: '-D', values: [2] }];
    await executeLocally(defineJob({ name: 'print', build: (env) => env.fromElements(rows).sinkTo(printTableSink(columns, 'out', (l) => lines.push(l))) }), { parallelism: 2 }).done;
    expect(lines.sort()).toEqual(['out:1> +I[1]', 'out:2> -D[2]']);
    const single: string[] = [];
    await executeLocally(defineJob({ name: 'print', build: (env) => env.fromElements(rows).sinkTo(printTableSink(columns, undefined, (l) => single.push(l))) }), { parallelism: 1 }).done;
    expect(single).toEqual(['+I[1]', '-D[2]']);
  });

  test('the filesystem sink refuses an update row: it is append-only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-fs-upd-'));
    const sink = registry.createSink({ name: 'out', columns: [{ name: 'x', type: T.int() }], options: { connector: 'filesystem', path: dir, format: 'json' } });
    expect(sink.changelogMode).toBe('insert-only');
    const run = executeLocally(defineJob({ name: 'upd', build: (env) => env.fromElements<ChangelogRow>([{ kind: '-U', values: [1] }]).sinkTo(sink.createSink()) }), { parallelism: 1 }).done;
    await expect(run).rejects.toThrow('the filesystem sink is append-only and got a -U row');
  });
});
