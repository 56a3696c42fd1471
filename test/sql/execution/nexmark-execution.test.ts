// Nexmark q0, q1 and q2 as the Nexmark project ships them, run end to end in-process: the nexmark
// table connector → the translated plan → a filesystem (JSON) sink. The rows written must equal
// the rows computed here, directly from the same generator events (not through SQL).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createNexmarkGenerator, type Bid } from '../../../runtime/connectors/nexmark/index.ts';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { DEFAULT_VARIABLES, substituteVariables } from '../nexmark/nexmark-queries.ts';

const EVENTS = 10_000;
const SEED = 42; // the nexmark connector's default seed
/** events per second of event time: 10 per millisecond, so timestamps differ between events */
const TPS = 10_000;

const query = (file: string): string => substituteVariables(readFileSync(new URL(`../nexmark/queries/${file}`, import.meta.url), 'utf8'), { ...DEFAULT_VARIABLES, EVENTS_NUM: String(EVENTS), TPS: String(TPS) });

/** ddl_gen + ddl_views + the query, its blackhole sink replaced by a filesystem sink in `dir`. */
function script(q: string, dir: string): string {
  const body = query(`${q}.sql`).replace("'connector' = 'blackhole'", `'connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json'`);
  expect(body).toContain("'connector' = 'filesystem'");
  return [query('ddl_gen.sql'), query('ddl_views.sql'), body].join(';\n');
}

/** Every line the sink committed, as text (the price of q1 must be compared exactly). */
function sinkLines(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
}

const bids = (): Bid[] => {
  const gen = createNexmarkGenerator({ events: EVENTS, seed: SEED, eventsPerSecond: TPS });
  return Array.from({ length: EVENTS }, (_, i) => gen.eventAt(i)).filter((e): e is Bid => e.kind === 'bid');
};

/** TIMESTAMP text of the json format → epoch ms (UTC wall clock). */
const timestampMs = (text: string): number => Date.parse(`${text.replace(' ', 'T')}Z`);

/** 0.908 * price as DECIMAL(23, 3), exactly: price * 908 thousandths. */
const euro = (price: number): string => {
  const milli = BigInt(price) * 908n;
  return `${milli / 1000n}.${String(milli % 1000n).padStart(3, '0')}`;
};

const sortedJson = (rows: unknown[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();

describe('Nexmark SQL runs on the local runtime (physical translation)', () => {
  const all = bids();

  test('q0: every bid passes through unchanged', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-q0-'));
    const { jobs } = await runSqlFile(script('q0', dir), { parallelism: 2 });
    expect(jobs).toBe(1);
    const got = sinkLines(dir).map((l) => JSON.parse(l) as { auction: number; bidder: number; price: number; dateTime: string; extra: string }).map((r) => [r.auction, r.bidder, r.price, timestampMs(r.dateTime), r.extra]);
    expect(got.length).toBe(all.length);
    expect(sortedJson(got)).toEqual(sortedJson(all.map((b) => [b.auction, b.bidder, b.price, b.dateTime, b.extra])));
  });

  test('q1: prices converted to euro as exact DECIMAL(23, 3)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-q1-'));
    await runSqlFile(script('q1', dir), { parallelism: 1 });
    const got = sinkLines(dir).map((l) => {
      const r = JSON.parse(l) as { auction: number; bidder: number; dateTime: string };
      const price = /"price":(-?\d+\.\d{3})[,}]/.exec(l)?.[1];
      return [r.auction, r.bidder, price, timestampMs(r.dateTime)];
    });
    expect(sortedJson(got)).toEqual(sortedJson(all.map((b) => [b.auction, b.bidder, euro(b.price), b.dateTime])));
  });

  test('q2: bids whose auction % 123 = 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-q2-'));
    await runSqlFile(script('q2', dir), { parallelism: 2 });
    const expected = all.filter((b) => b.auction % 123 === 0).map((b) => [b.auction, b.price]);
    expect(expected.length).toBeGreaterThan(0);
    const got = sinkLines(dir).map((l) => JSON.parse(l) as { auction: number; price: number }).map((r) => [r.auction, r.price]);
    expect(sortedJson(got)).toEqual(sortedJson(expected));
  });
});
