import { replaceNexmarkSection, SECTION_BEGIN, SECTION_END } from './report.ts';
import { figuresOf, perCoreRatio, type SystemOutcome } from './results.ts';
import { mergeQueries, renderSqlSection, renderSqlTable, replaceSqlSection, SQL_SECTION_BEGIN, SQL_SECTION_END, sqlTargetRatio, type SqlBenchReport, type SqlQueryResult } from './sql-report.ts';
import { checksumOf, verifySqlQuery } from './sql-verify.ts';
import type { WindowFigures } from './window.ts';

const ROWS = ['[1,2]', '[3,4]', '[5,6]'];

describe('verifySqlQuery', () => {
  const base = { events: 5000, tables: ['nexmark_q1'], oracle: [{ table: 'nexmark_q1', rows: ROWS }] };

  it('passes when Flink has the oracle rows in any order and Millrace is equal with the same count', () => {
    const v = verifySqlQuery({ ...base, flink: [{ table: 'nexmark_q1', rows: [...ROWS].reverse() }], millrace: { rows: '3', verdict: 'equal', detail: 'nexmark_q1: 3 rows' } });
    expect(v).toMatchObject({ ok: true, problem: null, rowCountsEqual: true, oracle: { rows: 3 }, flink: { rows: 3, equalToOracle: true } });
    expect(v.flink.checksum).toBe(v.oracle.checksum);
  });

  it('fails when Flink with the benchmark table writes other rows than the oracle', () => {
    const v = verifySqlQuery({ ...base, flink: [{ table: 'nexmark_q1', rows: ['[1,2]', '[3,4]', '[5,7]'] }], millrace: { rows: '3', verdict: 'equal', detail: '' } });
    expect(v.ok).toBe(false);
    expect(v.flink.equalToOracle).toBe(false);
    expect(v.problem).toMatch(/Flink with the benchmark's nexmark table wrote 3 rows \(checksum [0-9a-f]{16}\), the oracle on the same events 3/);
  });

  it('fails when Millrace differs from the oracle, or has another row count, or a table has no result', () => {
    const flink = [{ table: 'nexmark_q1', rows: ROWS }];
    expect(verifySqlQuery({ ...base, flink, millrace: { rows: '2', verdict: 'differs', detail: 'first differing rows below' } }).problem).toBe('Millrace against the oracle: differs (first differing rows below)');
    expect(verifySqlQuery({ ...base, flink, millrace: { rows: '4', verdict: 'equal up to ties', detail: 'x' } }).problem).toBe('row counts differ: Millrace 4, Flink 3');
    expect(verifySqlQuery({ ...base, flink: [], millrace: { rows: '3', verdict: 'equal', detail: '' } }).problem).toMatch(/^no result for nexmark_q1/);
  });

  it('checksums multisets: order does not matter, a repeated row does', () => {
    expect(checksumOf(['b', 'a'])).toBe(checksumOf(['a', 'b']));
    expect(checksumOf(['a', 'a', 'b'])).not.toBe(checksumOf(['a', 'b']));
  });
});

const run = (eventsPerSecond: number, cores: number): WindowFigures => ({
  seconds: 30, events: eventsPerSecond * 30, eventsPerSecond, cpuSeconds: cores * 30, cores, eventsPerSecondPerCore: Math.round(eventsPerSecond / cores), channelRecordsPerEvent: 0.5, processes: 1,
});
const ok = (runs: WindowFigures[], tasks: string[]): SystemOutcome => ({ status: 'ok', runs, plan: { logical: [], implementation: [], tasks }, latency: { status: 'not measured', reason: 'throughput only' } });

function result(query: string, measuredAt: string, loadMax: number): SqlQueryResult {
  const flink = figuresOf(ok([run(1_000_000, 2), run(1_200_000, 2), run(900_000, 2)], ['Sink(table=[nexmark_q0])']));
  const millrace = figuresOf(ok([run(3_000_000, 1.5), run(3_300_000, 1.5), run(2_700_000, 1.5)], ['TableSourceScan(datagen) -> Sink(nexmark_q0)']));
  const { ratio, range } = perCoreRatio(millrace, flink);
  return {
    query, statement: `INSERT INTO nexmark_${query} SELECT auction, bidder FROM bid;`, measuredAt, loadAverage: { min: 0.5, max: loadMax, samples: 20 },
    millraceTasks: ['TableSourceScan(datagen) -> Sink(nexmark_q0)'], millraceSourceScans: 1, flinkPlan: ['Sink(table=[nexmark_q0])', '+- TableSourceScan(datagen)'],
    flink, millrace, ratioMillraceToFlinkPerCore: ratio, ratioRange: range, targetRatio: sqlTargetRatio(query), targetMet: ratio === null ? null : ratio >= sqlTargetRatio(query),
    verification: verifySqlQuery({ events: 5000, tables: ['t'], oracle: [{ table: 't', rows: ROWS }], flink: [{ table: 't', rows: ROWS }], millrace: { rows: '3', verdict: 'equal', detail: '' } }),
  };
}

const report = (queries: SqlQueryResult[], runs = 3): SqlBenchReport => ({
  generatedAt: '2026-12-07T13:00:00.000Z',
  machine: { cpuModel: 'EPYC', logicalCpus: 2, memoryGiB: 24, os: 'Debian', kernel: 'Linux 6', node: 'v24', java: 'openjdk 17', loadAverageAtStart: [0.5, 0.6, 0.7] },
  settings: { parallelism: 2, taskmanagers: 2, runs, warmupSeconds: 10, measureSeconds: 30, verifyEvents: 5000, seed: 42, flinkVersion: '1.20.3', flinkConfiguration: { 'pipeline.object-reuse': 'true' } },
  ddl: 'CREATE TABLE datagen (...);',
  queries,
});

describe('the Nexmark SQL section', () => {
  it('states the statement, both plans, the verification and the figures from the results', () => {
    const text = renderSqlSection(report([result('q1', '2026-12-07T13:05:00.000Z', 1.1)]));
    expect(text.startsWith(SQL_SECTION_BEGIN)).toBe(true);
    expect(text.trimEnd().endsWith(SQL_SECTION_END)).toBe(true);
    expect(text).toContain('INSERT INTO nexmark_q1 SELECT auction, bidder FROM bid;');
    expect(text).toContain('`TableSourceScan(datagen) -> Sink(nexmark_q0)`');
    expect(text).toContain('+- TableSourceScan(datagen)');
    expect(text).toContain('`pipeline.object-reuse` = `true`');
    expect(text).toMatch(/q1: first 5,000 events; oracle 3 rows \(checksum [0-9a-f]{16}\); Flink 3 rows .*equal to the oracle.*Millrace 3 rows, equal; row counts equal/);
    // Flink medians 1,000,000 / 2 cores, Millrace 3,000,000 / 1.5 cores: 4x; q1's target is 2x
    expect(text).toMatch(/\| millrace \| 3,000,000 \(2,700,000–3,300,000, spread 20%\) \| 1.50 \| 2,000,000 .*\| 4.00 \(3.00–4.89\) \| >= 2: met \|/);
    expect(text).toContain('1-minute load average during its runs 0.50–1.10 (20 samples)');
    expect(text).not.toContain('Smoke run');
    expect(text).not.toContain('was not idle');
  });

  it('says when the machine was busy and when the run is a smoke run', () => {
    expect(renderSqlSection(report([result('q5', 'x', 9.5)]))).toContain('**The machine was not idle:** the 1-minute load average reached 9.50 on 2 logical CPUs');
    expect(renderSqlSection(report([result('q5', 'x', 2.9)]))).not.toContain('not idle');
    expect(renderSqlSection(report([result('q5', 'x', 1)], 1))).toContain('**Smoke run, not figures:** 1 run(s)');
    expect(renderSqlTable([result('q5', 'x', 1)])).toMatch(/>= 1: met/);
    const withSource = { ...result('q5', 'x', 1), source: { commit: 'abc1234', modifiedRuntimeFiles: ['runtime/task/stream-task.ts'] } };
    expect(renderSqlSection(report([withSource]))).toContain('Millrace from commit abc1234 with 1 uncommitted file(s) under runtime/ (runtime/task/stream-task.ts).');
  });

  it('replaces only its own section of RESULTS.md, and goes last when there is none', () => {
    const nexmark = `${SECTION_BEGIN}\nDataStream figures\n${SECTION_END}`;
    const first = replaceSqlSection(`${nexmark}\n\nnotes kept\n`, `${SQL_SECTION_BEGIN}\nsql one\n${SQL_SECTION_END}\n`);
    expect(first).toBe(`${nexmark}\n\nnotes kept\n\n${SQL_SECTION_BEGIN}\nsql one\n${SQL_SECTION_END}\n`);
    const second = replaceSqlSection(first, `${SQL_SECTION_BEGIN}\nsql two\n${SQL_SECTION_END}\n`);
    expect(second).toBe(first.replace('sql one', 'sql two'));
    // and the DataStream benchmark's writer leaves the SQL section alone
    expect(replaceNexmarkSection(second, `${SECTION_BEGIN}\nnew DataStream\n${SECTION_END}`)).toBe(second.replace('DataStream figures', 'new DataStream'));
  });

  it('keeps the queries an earlier run with the same settings measured, and only then', () => {
    const earlier = report([result('q0', 'earlier', 1), result('q1', 'earlier', 1)]);
    const now = report([result('q1', 'now', 1), result('q5', 'now', 1)]);
    const merged = mergeQueries(earlier, now);
    expect(merged.queries.map((q) => `${q.query} ${q.measuredAt}`)).toEqual(['q0 earlier', 'q1 now', 'q5 now']);
    expect(merged.kept).toEqual(['q0']);
    expect(mergeQueries({ ...earlier, settings: { ...earlier.settings, measureSeconds: 60 } }, now).kept).toEqual([]);
    expect(mergeQueries(null, now).queries.map((q) => q.query)).toEqual(['q1', 'q5']);
  });
});
