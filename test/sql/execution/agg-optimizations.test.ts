// The configured aggregate rewrites (mini-batch, local/global, split distinct) change how a
// GROUP BY runs, never what it computes: Nexmark q4 (its outer AVG over MAX's retractions runs in two
// phases with TWO_PHASE/AUTO)/q15/q16/q17 and a retracting aggregation give
// the same final result (changelog applied) with each option SET as without, in-process at
// parallelism 2; EXPLAIN shows the nodes; bad values are refused naming the key.
import { readFileSync } from 'node:fs';
import type { ChangelogRow } from '../../../runtime/connectors/factory/row.ts';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import { DEFAULT_VARIABLES, substituteVariables } from '../nexmark/nexmark-queries.ts';

const EVENTS = 6000;
const query = (file: string): string => substituteVariables(readFileSync(new URL(`../nexmark/queries/${file}`, import.meta.url), 'utf8'), { ...DEFAULT_VARIABLES, EVENTS_NUM: String(EVENTS), TPS: '200' });
const script = (q: string): string => [query('ddl_gen.sql'), query('ddl_views.sql'), query(`${q}.sql`)].join(';\n');

/** The final multiset of a changelog, as sorted JSON lines; a retraction of a row never emitted fails. */
function applied(changelog: readonly ChangelogRow[]): string[] {
  const counts = new Map<string, number>();
  for (const r of changelog) {
    const k = JSON.stringify(r.values);
    const n = (counts.get(k) ?? 0) + (r.kind === '+I' || r.kind === '+U' ? 1 : -1);
    if (n === 0) counts.delete(k);
    else counts.set(k, n);
  }
  for (const [k, n] of counts) if (n < 0) throw new Error(`retracted a row never emitted: ${k}`);
  return [...counts].flatMap(([k, n]) => Array<string>(n).fill(k)).sort();
}

const MINI_BATCH = { 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '200 ms', 'table.exec.mini-batch.size': '100' };
const OPTIONS: Record<string, Record<string, string>> = {
  'mini-batch': { ...MINI_BATCH, 'table.optimizer.agg-phase-strategy': 'ONE_PHASE' },
  'mini-batch + two-phase': { ...MINI_BATCH, 'table.optimizer.agg-phase-strategy': 'TWO_PHASE' },
  'split distinct': { 'table.optimizer.distinct-agg.split.enabled': 'true', 'table.optimizer.distinct-agg.split.bucket-num': '8' },
  'all three': { ...MINI_BATCH, 'table.optimizer.distinct-agg.split.enabled': 'true', 'table.optimizer.distinct-agg.split.bucket-num': '8' },
};

async function result(q: string, config: Record<string, string>): Promise<{ rows: string[]; changes: number }> {
  const { sinks } = await runSqlFile(script(q), { collectSinks: true, parallelism: 2, config });
  const log = sinks.find((s) => s.table === `nexmark_${q}`)!.changelog;
  return { rows: applied(log), changes: log.length };
}

describe('configured aggregate rewrites give the same result as the plain plan', () => {
  for (const q of ['q4', 'q15', 'q16', 'q17']) {
    test(`Nexmark ${q}`, async () => {
      const plain = await result(q, {});
      expect(plain.rows.length).toBeGreaterThan(0);
      for (const [name, config] of Object.entries(OPTIONS)) {
        const optimized = await result(q, config);
        expect({ name, rows: optimized.rows }).toEqual({ name, rows: plain.rows });
        // a batch folds a key's rows into one change: never more changes than row by row
        if (name.startsWith('mini-batch')) expect(optimized.changes).toBeLessThanOrEqual(plain.changes);
      }
    }, 60_000);
  }
});

describe('EXPLAIN and configuration errors', () => {
  const explain = (sets: Record<string, string>, sql: string): string => {
    const s = new SqlSession({ config: sets });
    s.executeScript(`${query('ddl_gen.sql')}; ${query('ddl_views.sql')}`);
    const r = s.executeScript(`EXPLAIN ${sql}`)[0]!;
    return r.kind === 'explain' ? r.text.split('== Optimized Logical Plan ==')[1]! : '';
  };
  const q = 'SELECT auction, COUNT(*) AS n, COUNT(DISTINCT bidder) AS b FROM bid GROUP BY auction';

  test('the default plan has none of the new nodes', () => {
    const text = explain({}, q);
    expect(text).toMatch(/^\+- GroupAggregate\(groupBy=\[auction\]/m);
    expect(text).not.toMatch(/MiniBatchAssigner|LocalGroupAggregate|\$f_bucket/);
  });

  test('mini-batch with two phases: GlobalGroupAggregate over Exchange, LocalGroupAggregate and MiniBatchAssigner', () => {
    const text = explain(MINI_BATCH, q);
    const lines = text.trim().split('\n').map((l) => l.replace(/^[ :+-]*/, ''));
    expect(lines.slice(1, 5).map((l) => l.split('(')[0])).toEqual(['GlobalGroupAggregate', 'Exchange', 'LocalGroupAggregate', 'MiniBatchAssigner']);
    expect(lines[2]).toBe('Exchange(distribution=[hash[auction]])');
    expect(lines[4]).toBe('MiniBatchAssigner(interval=[200ms], size=[100], mode=[ProcTime])');
  });

  test('ONE_PHASE keeps one GroupAggregate with mini-batch; split distinct adds a bucketed partial aggregate', () => {
    expect(explain({ ...MINI_BATCH, 'table.optimizer.agg-phase-strategy': 'ONE_PHASE' }, q)).not.toMatch(/LocalGroupAggregate/);
    const text = explain({ 'table.optimizer.distinct-agg.split.enabled': 'true' }, q);
    expect(text).toMatch(/GroupAggregate\(groupBy=\[auction\], select=\[auction, \$SUM0\(EXPR\$0\$partial\) AS EXPR\$0, \$SUM0\(EXPR\$1\$partial\) AS EXPR\$1\]\)/);
    expect(text).toMatch(/GroupAggregate\(groupBy=\[auction, \$f_bucket\], select=\[auction, \$f_bucket, COUNT\(\*\) AS EXPR\$0, COUNT\(DISTINCT bidder\) AS EXPR\$1\]\)/);
    expect(text).toMatch(/MOD\(\$HASH_CODE\(bidder\), 1024\) AS \$f_bucket/);
  });

  test('an aggregate over an updating input gets two phases too (as in Flink), unless it has a DISTINCT call', () => {
    const inner = '(SELECT auction, MAX(price) AS top FROM bid GROUP BY auction)';
    const phases = (sql: string): string[] => explain(MINI_BATCH, sql).trim().split('\n').map((l) => l.replace(/^[ :+-]*/, '').split('(')[0]!).filter((n) => n.endsWith('GroupAggregate'));
    // the outer aggregate (over MAX's retractions) and the inner one (over bid) both run in two phases
    expect(phases(`SELECT top, COUNT(*), SUM(auction), MIN(auction), MAX(auction), AVG(auction) FROM ${inner} GROUP BY top`)).toEqual(['GlobalGroupAggregate', 'LocalGroupAggregate', 'GlobalGroupAggregate', 'LocalGroupAggregate']);
    expect(phases(`SELECT top, COUNT(DISTINCT auction) FROM ${inner} GROUP BY top`)).toEqual(['GroupAggregate', 'GlobalGroupAggregate', 'LocalGroupAggregate']);
  });

  test('mini-batch without a size is refused naming the key', () => {
    expect(() => explain({ 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '1 s' }, q)).toThrow(/table\.exec\.mini-batch\.size/);
    expect(() => explain({ 'table.optimizer.agg-phase-strategy': 'THREE' }, q)).toThrow(/agg-phase-strategy.*AUTO, ONE_PHASE, TWO_PHASE/);
  });
});
