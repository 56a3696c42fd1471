// The physical translation node by node: what the job graph looks like, what runs, what is refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StreamExecutionEnvironment } from '../../../runtime/api/environment.ts';
import { createConnectorRegistry } from '../../../runtime/connectors/factory/index.ts';
import { insertRow } from '../../../runtime/connectors/factory/row.ts';
import { translatePlans } from '../../../runtime/sql/physical/translate.ts';
import { sqlWatermarkStrategy } from '../../../runtime/sql/physical/watermark.ts';
import { operatorUids } from '../../../runtime/sql/planner/operator-uids.ts';
import { registryCapabilities } from '../../../runtime/sql/planner/registry-capabilities.ts';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import type { PlannedTree } from '../../../runtime/sql/planner/planner.ts';

const collected = async (sql: string, table: string): Promise<unknown[][]> => {
  const { sinks } = await runSqlFile(sql, { collectSinks: true });
  const s = sinks.find((x) => x.table === table);
  if (!s) throw new Error(`no rows collected for ${table}`);
  expect(s.changelog.every((r) => r.kind === '+I')).toBe(true);
  return s.changelog.map((r) => [...r.values]);
};

/** A CSV file table with columns a INT, b STRING, c BIGINT. */
function csvTable(rows: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-t-'));
  writeFileSync(path.join(dir, 'part-0.csv'), rows.join('\n') + '\n');
  return `CREATE TABLE t (a INT, b STRING, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`;
}
const OUT = "CREATE TABLE out (x BIGINT, y INT) WITH ('connector' = 'blackhole')";

function plan(sql: string): PlannedTree[] {
  const registry = createConnectorRegistry();
  const session = new SqlSession({ capabilities: registryCapabilities(registry) });
  const results = session.executeScript(sql);
  const job = results.find((r) => r.kind === 'job');
  if (job?.kind !== 'job') throw new Error('no INSERT in the script');
  return job.trees;
}

describe('physical translation', () => {
  test('projection and filters pushed into the scan run right after the source', async () => {
    const sql = `${csvTable(['1,x,10', '2,y,20', '3,z,30'])}; ${OUT}; INSERT INTO out SELECT c, a FROM t WHERE a > 1`;
    const [tree] = plan(sql);
    let scan = tree!.optimized;
    while (scan.kind !== 'TableScan') scan = (scan as { input: typeof scan }).input;
    expect(scan.projection).toEqual([0, 2]); // b is never read past the source
    expect(scan.filters.length).toBe(1);
    expect(await collected(sql, 'out')).toEqual([[20, 2], [30, 3]]);
  });

  test('the job graph: source and sink carry the plan-derived uids; Calc nodes become map/filter', () => {
    const sql = `${csvTable([])}; ${OUT}; INSERT INTO out SELECT c * 2, a + 1 FROM t WHERE b <> 'x'`;
    const trees = plan(sql);
    const env = new StreamExecutionEnvironment(1);
    translatePlans(env, trees, { registry: createConnectorRegistry() });
    const uids = operatorUids(trees.map((t) => t.optimized));
    const nodes = env.graph.nodes;
    const source = nodes.find((n) => n.kind === 'source')!;
    const sink = nodes.find((n) => n.kind === 'sink')!;
    expect(source.name).toBe('TableSourceScan(t)');
    expect(sink.name).toBe('Sink(out)');
    const root = trees[0]!.optimized;
    expect(sink.uid).toBe(uids.get(root));
    expect(source.uid).toBe([...uids].find(([n]) => n.kind === 'TableScan')![1]);
    expect(nodes.map((n) => n.name)).toContain('Calc(select=[EXPR$0, EXPR$1])');
  });

  test('UNION ALL of VALUES runs; expressions are evaluated by the generated code', async () => {
    const rows = await collected(`${OUT}; INSERT INTO out SELECT CAST(x AS BIGINT), y FROM (VALUES (1, 2), (3, 4)) AS v(x, y) UNION ALL SELECT CAST(10 AS BIGINT), 5 * 5`, 'out');
    expect(rows.map((r) => JSON.stringify(r)).sort()).toEqual(['[1,2]', '[10,25]', '[3,4]']);
  });

  test('a statement set writes every sink in one job', async () => {
    const out2 = "CREATE TABLE out2 (b STRING) WITH ('connector' = 'blackhole')";
    const sql = `${csvTable(['1,x,10', '2,y,20'])}; ${OUT}; ${out2};
      EXECUTE STATEMENT SET BEGIN INSERT INTO out SELECT c, a FROM t; INSERT INTO out2 SELECT b FROM t WHERE a = 2; END`;
    const { sinks, jobs } = await runSqlFile(sql, { collectSinks: true });
    expect(jobs).toBe(1);
    expect(sinks.find((s) => s.table === 'out')!.changelog.map((r) => r.values)).toEqual([[10, 1], [20, 2]]);
    expect(sinks.find((s) => s.table === 'out2')!.changelog.map((r) => r.values)).toEqual([['y']]);
  });

  test('a node that is not executable yet is refused with a coded error naming it', async () => {
    // (ARRAY_AGG served here until it ran: physical/aggregate/collection-agg.ts)
    const ddl = `CREATE TABLE e (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
      CREATE TABLE w (id BIGINT, ws TIMESTAMP(3)) WITH ('connector' = 'blackhole');
      INSERT INTO w SELECT id, window_start FROM TABLE(SESSION(TABLE e, DESCRIPTOR(ts), INTERVAL '10' SECOND))`;
    await expect(runSqlFile(ddl, { collectSinks: true })).rejects.toMatchObject({ code: 'MR_ERR_SQL_UNSUPPORTED', message: expect.stringContaining('plan node WindowTableFunction: a SESSION window table function without an aggregation is not executable yet') as unknown });
  });

  test('a sink table with a persisted metadata column is refused, not written without it', async () => {
    const sql = `${csvTable([])}; CREATE TABLE m (a INT, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp') WITH ('connector' = 'blackhole');
      INSERT INTO m SELECT a, CAST(NULL AS TIMESTAMP_LTZ(3)) FROM t`;
    await expect(runSqlFile(sql, {})).rejects.toMatchObject({ code: 'MR_ERR_SQL_UNSUPPORTED', message: expect.stringContaining("metadata column 'ts'") as unknown });
  });

  test('a SELECT without INSERT is refused (no client to return rows to yet)', async () => {
    await expect(runSqlFile('SELECT 1', {})).rejects.toMatchObject({ code: 'MR_ERR_SQL_UNSUPPORTED' });
  });

  test('the watermark follows the highest value of the WATERMARK expression', () => {
    const strategy = sqlWatermarkStrategy(0, (v) => (v[0] as number) - 4000);
    const gen = strategy.createGenerator();
    const seen = (ms: number): number => {
      const ts = strategy.timestampAssigner!(insertRow([ms]), undefined);
      gen.onEvent(ts);
      return ts;
    };
    expect(gen.currentWatermark()).toBe(Number.NEGATIVE_INFINITY);
    expect(seen(10_000)).toBe(10_000);
    expect(gen.currentWatermark()).toBe(6000);
    seen(8000); // out of order: the watermark does not go back
    expect(gen.currentWatermark()).toBe(6000);
    seen(12_500);
    expect(gen.currentWatermark()).toBe(8500);
    expect(() => strategy.timestampAssigner!(insertRow([null]), undefined)).toThrow(/rowtime column .* must not be NULL/);
  });
});
