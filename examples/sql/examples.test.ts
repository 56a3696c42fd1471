// Every SQL example runs as a user runs it, `millrace sql -f <file>` in a child process, and its
// rows equal what this test computes on its own from the same inputs. deployment.yaml is a valid
// Deployment whose script passes the operator's check.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { deploymentSchema } from '../../operator/api/v1alpha1/deployment.ts';
import { validateSqlSource } from '../../operator/controllers/deployment/sql-source.ts';
import { formatJavaLocalDateTime } from '../../runtime/connectors/factory/temporal.ts';
import { createNexmarkGenerator, type Bid } from '../../runtime/connectors/nexmark/index.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../runtime/bin/millrace.ts', import.meta.url));
const DIR = import.meta.dirname;

async function millraceSql(file: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [BIN, 'sql', '-f', path.join(DIR, file)], { timeout: 90_000, maxBuffer: 16 << 20 });
  expect(stdout).toContain('[INFO] 1 job finished.');
  return stdout.split('\n');
}
/** 0.908 * price as DECIMAL(23, 3), exactly: price * 908 thousandths. */
const euro = (price: number) => {
  const milli = BigInt(price) * 908n;
  return `${milli / 1000n}.${String(milli % 1000n).padStart(3, '0')}`;
};
const nexmarkBids = (events: number) => {
  // the generator the nexmark connector wraps: same events (seed 42, 10000 events/s)
  const gen = createNexmarkGenerator({ events, seed: 42, eventsPerSecond: 10_000 });
  return Array.from({ length: events }, (_, i) => gen.eventAt(i)).filter((e): e is Bid => e.kind === 'bid');
};
const rowsOf = (lines: string[], prefix = '') => lines.filter((l) => /^[+-][IUD]\[/.test(l.slice(prefix.length)) && l.startsWith(prefix)).map((l) => l.slice(prefix.length));

test('the README lists every example file', () => {
  const readme = readFileSync(path.join(DIR, 'README.md'), 'utf8');
  for (const f of readdirSync(DIR).filter((f) => f.endsWith('.sql') || f.endsWith('.yaml'))) expect(readme).toContain(`\`${f}\``);
});

describe('SQL examples run with millrace sql -f', () => {
  test.concurrent('01: projection, filter, CASE, CAST', async () => {
    const word = (n: number) => (n % 15 === 0 ? 'FizzBuzz' : n % 3 === 0 ? 'Fizz' : n % 5 === 0 ? 'Buzz' : String(n));
    const expected = Array.from({ length: 10 }, (_, i) => i + 6).map((n) => `+I[${n}, ${word(n)}, ${n % 2 === 0 ? `${n / 2}.0` : String(n / 2)}]`);
    expect(rowsOf(await millraceSql('01-filter-project.sql'))).toEqual(expected);
  }, 100_000);

  test.concurrent('02: the nexmark connector, a view, exact DECIMAL', async () => {
    const expected = nexmarkBids(2000).filter((b) => b.auction % 10 === 0).map((b) => `+I[${b.auction}, ${b.bidder}, ${b.price}, ${euro(b.price)}]`);
    expect(expected.length).toBeGreaterThan(10);
    expect(rowsOf(await millraceSql('02-nexmark-bids.sql'), 'q1> ')).toEqual(expected);
  }, 100_000);

  test.concurrent('03: GROUP BY prints its changelog (+I, then -U/+U per change)', async () => {
    const expected: string[] = [];
    const state = new Map<number, [number, number, number]>();
    for (let id = 1; id <= 9; id++) {
      const amount = ((id * 37) % 100) + 1;
      const bucket = id % 3;
      const old = state.get(bucket);
      const next: [number, number, number] = old ? [old[0] + 1, old[1] + amount, Math.max(old[2], amount)] : [1, amount, amount];
      if (old) expected.push(`-U[${bucket}, ${old.join(', ')}]`, `+U[${bucket}, ${next.join(', ')}]`);
      else expected.push(`+I[${bucket}, ${next.join(', ')}]`);
      state.set(bucket, next);
    }
    expect(rowsOf(await millraceSql('03-group-aggregate.sql'))).toEqual(expected);
  }, 100_000);

  test.concurrent('04: TUMBLE windows on event time, one row per window', async () => {
    const at = (s: number) => `2024-01-01T00:00${s === 0 ? '' : `:${String(s).padStart(2, '0')}`}`;
    const expected = [0, 5, 10, 15].map((start) => {
      let total = 0;
      for (let id = start; id < start + 5; id++) total += (id * 7) % 10;
      return `+I[${at(start)}, ${at(start + 5)}, 5, ${total}]`;
    });
    expect(rowsOf(await millraceSql('04-tumble-window.sql'))).toEqual(expected);
  }, 100_000);

  test.concurrent('05: a statement set writes two tables in one job', async () => {
    const out = '/tmp/millrace-example-sql';
    rmSync(out, { recursive: true, force: true });
    await millraceSql('05-statement-set.sql');
    const rows = (t: string) => readdirSync(path.join(out, t)).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(out, t, f), 'utf8').split('\n').filter((l) => l !== '')).sort();
    expect(rows('deposits')).toEqual(['100', '5']);
    expect(rows('withdrawals')).toEqual(['30', '70']);
    rmSync(out, { recursive: true, force: true });
  }, 100_000);

  test.concurrent('06: a TypeScript UDF (Nexmark q14 with count_char ported from Java)', async () => {
    const hour = (ms: number) => new Date(ms).getUTCHours();
    const expected = nexmarkBids(10_000).filter((b) => b.price * 908 > 1_000_000_000 && b.price * 908 < 50_000_000_000).map((b) => {
      const h = hour(b.dateTime);
      const time = h >= 8 && h <= 18 ? 'dayTime' : h <= 6 || h >= 20 ? 'nightTime' : 'otherTime';
      return `+I[${b.auction}, ${b.bidder}, ${euro(b.price)}, ${time}, ${formatJavaLocalDateTime(b.dateTime)}, ${b.extra}, ${[...b.extra].filter((c) => c === 'c').length}]`;
    });
    expect(expected.length).toBeGreaterThan(10);
    expect(expected.some((r) => !r.endsWith(', 0]'))).toBe(true);
    expect(rowsOf(await millraceSql('06-udf.sql'), 'q14> ')).toEqual(expected);
  }, 100_000);

  test.concurrent('07: a TypeScript table function (LATERAL TABLE) and aggregate function (GROUP BY)', async () => {
    const reviews: Array<[number, number, string]> = [[5, 3, 'great fast delivery'], [2, 1, 'slow delivery'], [4, 2, 'great value'], [1, 4, '']];
    const acc = new Map<string, { sum: number; votes: number; n: number }>();
    const expected: string[] = [];
    const show = (w: string, a: { sum: number; votes: number; n: number }) => `[${w}, ${Number.isInteger(a.sum / a.votes) ? (a.sum / a.votes).toFixed(1) : a.sum / a.votes}, ${a.n}]`;
    for (const [score, votes, text] of reviews) {
      for (const w of text.split(' ').filter((x) => x !== '')) {
        const old = acc.get(w);
        const next = { sum: (old?.sum ?? 0) + score * votes, votes: (old?.votes ?? 0) + votes, n: (old?.n ?? 0) + 1 };
        if (old !== undefined) expected.push(`-U${show(w, old)}`, `+U${show(w, next)}`);
        else expected.push(`+I${show(w, next)}`);
        acc.set(w, next);
      }
    }
    expect(expected).toContain('+U[delivery, 4.25, 2]');
    expect(rowsOf(await millraceSql('07-table-aggregate-udf.sql'), 'words> ')).toEqual(expected);
  }, 100_000);

  test('deployment.yaml is a valid Deployment whose script passes the operator\'s check', () => {
    const d = deploymentSchema.parse(parse(readFileSync(path.join(DIR, 'deployment.yaml'), 'utf8')));
    expect(d.spec.source.sql).toContain('INSERT INTO shown');
    expect(validateSqlSource(d.spec.source.sql!)).toBeUndefined();
  });
});
