import { DEFAULT_VARIABLES, readNexmarkFile } from '../../../../test/sql/nexmark/nexmark-queries.ts';
import { buildStreamGraph, defineJob } from '../../../api/environment.ts';
import { createConnectorRegistry } from '../../../connectors/factory/index.ts';
import { translatePlans } from '../../physical/translate.ts';
import { runSqlFile } from '../../run-sql-file.ts';
import { SqlSession as SqlSessionClass } from '../../session/sql-session.ts';
import type { SqlSession } from '../../session/sql-session.ts';
import { registryCapabilities } from '../registry-capabilities.ts';
import type { LogicalNode } from '../logical-plan.ts';
import { inputsOf } from '../logical-plan.ts';
import { operatorUids } from '../operator-uids.ts';
import type { PlannedTree } from '../planner.ts';
import { testSession } from '../test-support.ts';

const SELF_JOIN = `INSERT INTO print_out SELECT a.user_id, b.user_id FROM clicks AS a JOIN clicks AS b ON a.user_id = b.user_id`;
const TWO_INSERTS = `EXECUTE STATEMENT SET BEGIN
  INSERT INTO print_out SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
  INSERT INTO append_out SELECT user_id, user_id FROM clicks;
END`;

function trees(sql: string, session: SqlSession = testSession()): PlannedTree[] {
  const job = session.executeScript(sql).find((r) => r.kind === 'job');
  if (job?.kind !== 'job') throw new Error('no job');
  return job.trees;
}

function explain(sql: string, session: SqlSession = testSession()): string {
  const r = session.executeScript(`EXPLAIN ${sql}`).at(-1)!;
  if (r.kind !== 'explain') throw new Error(`not an EXPLAIN: ${r.kind}`);
  return r.text.split('== Optimized Logical Plan ==')[1]!;
}

/** The distinct TableScan nodes (by identity) of a job's trees. */
function scans(ts: readonly PlannedTree[]): Set<LogicalNode> {
  const out = new Set<LogicalNode>();
  const walk = (n: LogicalNode): void => {
    if (n.kind === 'TableScan') out.add(n);
    inputsOf(n).forEach(walk);
  };
  ts.forEach((t) => walk(t.optimized));
  return out;
}

function sourceCount(ts: readonly PlannedTree[], config?: ReadonlyMap<string, string>): number {
  const graph = buildStreamGraph(defineJob({ name: 'sql', build: (env) => translatePlans(env, ts, { registry: createConnectorRegistry(), ...(config ? { config } : {}) }) }), 1);
  return graph.nodes.filter((n) => n.kind === 'source').length;
}

const count = (text: string, what: string): number => text.split(what).length - 1;

describe('source reuse (table.optimizer.reuse-source-enabled)', () => {
  it('a self-join scans its table once: EXPLAIN prints the scan once and Reused for the other side', () => {
    const plan = explain(SELF_JOIN);
    expect(count(plan, 'TableSourceScan(')).toBe(1);
    expect(plan).toContain('(reuse_id=[1])');
    expect(plan).toContain('Reused(reference_id=[1])');
    // the identical stateless steps above it (computed column, watermark) are shared too (reuse-sub-plan-enabled)
    expect(count(plan, 'WatermarkAssigner(')).toBe(1);
    const t = trees(SELF_JOIN);
    expect(scans(t).size).toBe(1);
    expect(sourceCount(t)).toBe(1);
    const sourceOnly = testSession();
    sourceOnly.executeScript("SET 'table.optimizer.reuse-sub-plan-enabled' = 'false'");
    const p2 = explain(SELF_JOIN, sourceOnly);
    expect([count(p2, 'TableSourceScan('), count(p2, 'WatermarkAssigner(')]).toEqual([1, 2]);
  });

  it("the statement set's INSERTs share the scan, the source has one uid, and the stateful nodes keep theirs", () => {
    const t = trees(TWO_INSERTS);
    expect(scans(t).size).toBe(1);
    expect(sourceCount(t)).toBe(1);
    const uids = [...operatorUids(t.map((x) => x.optimized)).values()];
    expect(uids.filter((u) => u.startsWith('table-scan-'))).toHaveLength(1);
    // the same statements without reuse: the scan's first uid is the shared source's uid, the aggregate's is unchanged
    const off = testSession();
    off.executeScript("SET 'table.optimizer.reuse-source-enabled' = 'false'");
    const without = [...operatorUids(trees(TWO_INSERTS, off).map((x) => x.optimized)).values()];
    expect(without.filter((u) => u.startsWith('table-scan-'))).toEqual([uids.find((u) => u.startsWith('table-scan-')), `${uids.find((u) => u.startsWith('table-scan-'))}-2`]);
    expect(without.filter((u) => !u.startsWith('table-scan-')).sort()).toEqual(uids.filter((u) => !u.startsWith('table-scan-')).sort());
  });

  it('is off with the key set to false, and a value that is not a boolean is refused naming the key', () => {
    const s = testSession();
    s.executeScript("SET 'table.optimizer.reuse-source-enabled' = 'false'");
    expect(count(explain(SELF_JOIN, s), 'TableSourceScan(')).toBe(2);
    expect(sourceCount(trees(SELF_JOIN, s), s.config)).toBe(2);
    const bad = testSession();
    bad.executeScript("SET 'table.optimizer.reuse-source-enabled' = 'yes'");
    expect(() => trees(SELF_JOIN, bad)).toThrow(/MR_ERR_SQL_VALIDATE.*'table\.optimizer\.reuse-source-enabled' = 'yes' is not a boolean/);
  });

  it('scans with different pushed-down filters or projections stay apart in the plan but read from one source', () => {
    const sql = 'INSERT INTO print_out SELECT CAST(x.a AS BIGINT), y.c FROM (SELECT a FROM plain WHERE a = 1) AS x JOIN (SELECT a, c FROM plain WHERE a = 2) AS y ON x.a = y.a';
    expect(count(explain(sql), 'TableSourceScan(')).toBe(2);
    const t = trees(sql);
    expect(scans(t).size).toBe(2);
    // the projection and filters run after reading (physical/scan.ts): one source feeds both
    expect(sourceCount(t)).toBe(1);
    expect(sourceCount(t, new Map([['table.optimizer.reuse-source-enabled', 'false']]))).toBe(2);
  });

  it('separate INSERTs of one script, run as one job, share their scan too', () => {
    const s = testSession();
    const a = trees('INSERT INTO print_out SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id', s);
    const b = trees('INSERT INTO append_out SELECT user_id, user_id FROM clicks', s);
    expect(scans([...a, ...b]).size).toBe(2);
    expect(sourceCount([...a, ...b])).toBe(1);
  });
});

describe('source reuse keeps the results', () => {
  const nexmark = (name: string): string => readNexmarkFile(name, { ...DEFAULT_VARIABLES, TPS: '100', EVENTS_NUM: '10000' });
  const q7 = [nexmark('ddl_gen.sql'), nexmark('ddl_views.sql'), nexmark('q7.sql')].join(';\n');

  it('Nexmark q7 (bid read twice, at parallelism 2) gives the same changelog with one source as with two', async () => {
    const run = async (reuse: string): Promise<string[]> => {
      const { sinks } = await runSqlFile(q7, { collectSinks: true, parallelism: 2, config: { 'table.optimizer.reuse-source-enabled': reuse } });
      return sinks.find((x) => x.table === 'nexmark_q7')!.changelog.map((r) => `${r.kind}${JSON.stringify(r.values)}`).sort();
    };
    const shared = await run('true');
    expect(shared.length).toBeGreaterThan(5); // one row per 10 s window of event time (100 s)
    expect(shared).toEqual(await run('false'));
  });
});

describe('source reuse with a watermark pushed into the source (kafka)', () => {
  const registry = createConnectorRegistry();
  const session = (): SqlSession => {
    const s = new SqlSessionClass({ capabilities: registryCapabilities(registry) });
    s.executeScript(`CREATE TABLE k (id BIGINT, v STRING, w STRING, tsp TIMESTAMP(3), ts AS CASE WHEN id > 0 AND v <> w THEN tsp ELSE tsp END, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
      'connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
      CREATE TABLE o (a BIGINT, b STRING) WITH ('connector' = 'blackhole')`);
    return s;
  };
  const build = (ts: readonly PlannedTree[]): string[] => {
    const graph = buildStreamGraph(defineJob({ name: 'sql', build: (env) => translatePlans(env, ts, { registry }) }), 1);
    return graph.nodes.filter((n) => n.kind === 'source').map((n) => n.uid);
  };

  it('the watermark, computed columns and scan are shared only whole: identical sides read one source', () => {
    // both sides read id and v (a join's sides keep only the columns read: project-join-transpose.ts)
    const same = trees('INSERT INTO o SELECT a.id, b.v FROM k AS a JOIN k AS b ON a.v = b.v AND a.id = b.id', session());
    expect(build(same)).toHaveLength(1);
  });

  it('sides that compute different columns over one scan never give two sources one uid (the source is built with its watermark)', () => {
    const different = trees('INSERT INTO o SELECT a.id, b.w FROM (SELECT id, v FROM k) AS a JOIN (SELECT v, w FROM k) AS b ON a.v = b.v', session());
    const uids = build(different);
    expect(uids.length).toBeGreaterThan(0);
    expect(new Set(uids).size).toBe(uids.length);
  });
});

describe('sub-plan reuse of stateful nodes (table.optimizer.reuse-sub-plan-enabled)', () => {
  const AGG = 'SELECT user_id, COUNT(*) AS cnt FROM clicks GROUP BY user_id';
  const SELF_JOIN_AGG = `INSERT INTO print_out SELECT a.user_id, b.cnt FROM (${AGG}) AS a JOIN (${AGG}) AS b ON a.user_id = b.user_id`;
  const operators = (ts: readonly PlannedTree[], kind: string, config?: ReadonlyMap<string, string>): number => {
    const graph = buildStreamGraph(defineJob({ name: 'sql', build: (env) => translatePlans(env, ts, { registry: createConnectorRegistry(), ...(config ? { config } : {}) }) }), 1);
    return graph.nodes.filter((n) => n.name.startsWith(kind)).length;
  };

  it('an aggregate computed twice over the shared scan runs once, keeps the first copy\'s uid, and both sides read it', () => {
    const plan = explain(SELF_JOIN_AGG);
    expect(count(plan, 'GroupAggregate(')).toBe(1);
    expect(plan).toContain('Reused(reference_id=[1])'); // the other side: the shared Calc over the shared aggregate
    const shared = trees(SELF_JOIN_AGG);
    expect(operators(shared, 'GroupAggregate')).toBe(1);
    const off = testSession();
    off.executeScript("SET 'table.optimizer.reuse-sub-plan-enabled' = 'false'");
    const apart = trees(SELF_JOIN_AGG, off);
    expect(count(explain(SELF_JOIN_AGG, off), 'GroupAggregate(')).toBe(2);
    expect(operators(apart, 'GroupAggregate', off.config)).toBe(2);
    const aggUids = (ts: readonly PlannedTree[]): string[] => [...operatorUids(ts.map((x) => x.optimized))].filter(([n]) => n.kind === 'Aggregate').map(([, u]) => u);
    expect(aggUids(apart)).toEqual([aggUids(shared)[0], `${aggUids(shared)[0]}-2`]);
  });

  it('the statement set\'s INSERTs that group the same way share the aggregate; sinks stay apart', () => {
    const session = testSession();
    session.executeScript("CREATE TABLE print_two (user_id BIGINT, cnt BIGINT) WITH ('connector' = 'print')");
    const t = trees(`EXECUTE STATEMENT SET BEGIN INSERT INTO print_out ${AGG}; INSERT INTO print_two ${AGG}; END`, session);
    expect(operators(t, 'GroupAggregate')).toBe(1);
    expect(operators(t, 'Sink')).toBe(2);
  });

  it('gives the same final rows with one aggregate as with two (a self-join of an updating aggregate, at parallelism 2)', async () => {
    const sql = `CREATE TABLE n (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '300', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '300');
CREATE TABLE o (k BIGINT, a BIGINT, b BIGINT) WITH ('connector' = 'print');
INSERT INTO o SELECT x.k, x.c, y.c FROM (SELECT MOD(id, 7) AS k, COUNT(*) AS c FROM n GROUP BY MOD(id, 7)) AS x
  JOIN (SELECT MOD(id, 7) AS k, COUNT(*) AS c FROM n GROUP BY MOD(id, 7)) AS y ON x.k = y.k`;
    const final = async (reuse: string): Promise<string[]> => {
      const { sinks } = await runSqlFile(sql, { collectSinks: true, parallelism: 2, config: { 'table.optimizer.reuse-sub-plan-enabled': reuse } });
      const rows = new Map<string, number>();
      for (const r of sinks[0]!.changelog) {
        const k = JSON.stringify(r.values);
        rows.set(k, (rows.get(k) ?? 0) + (r.kind === '+I' || r.kind === '+U' ? 1 : -1));
      }
      return [...rows].filter(([, n]) => n !== 0).flatMap(([k, n]) => Array<string>(n).fill(k)).sort();
    };
    const shared = await final('true');
    expect(shared).toEqual(Array.from({ length: 7 }, (_, k) => JSON.stringify([k, k === 0 ? 42 : 43, k === 0 ? 42 : 43])).sort());
    expect(shared).toEqual(await final('false'));
  });
});
