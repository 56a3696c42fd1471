// A table's WATERMARK on a Kafka source, as Flink plans it: generated in the source per partition
// (pushed down), with the table's 'scan.watermark.idle-timeout' — for upsert-kafka before
// ChangelogNormalize, and for a computed rowtime column (`ts AS TO_TIMESTAMP_LTZ(t, 3)`) through
// the Calc that computes it. The strategy and the idle timeout are the ones the SQL job builds; a
// hand-driven reader and a manual clock stand in for the broker
// (test/connectors/kafka/kafka-watermarks.test.ts runs the same against it).
import { buildStreamGraph, defineJob } from '../../api/environment.ts';
import type { SourceReaderContext } from '../../api/source.ts';
import type { WatermarkStrategy } from '../../api/watermarks.ts';
import type { StreamNode } from '../../graph/stream-graph.ts';
import { SourceOperator } from '../../operators/source-operator.ts';
import { translatePlans } from '../../sql/physical/translate.ts';
import { registryCapabilities } from '../../sql/planner/registry-capabilities.ts';
import { SqlSession } from '../../sql/session/sql-session.ts';
import { OperatorHarness } from '../../testing/operator-harness.ts';
import { createConnectorRegistry, type ChangelogRow } from '../factory/index.ts';

const UPSERT = `CREATE TABLE u (id BIGINT, v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND, PRIMARY KEY (id) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka', 'topic' = 'u', 'properties.bootstrap.servers' = 'localhost:1', 'key.format' = 'json', 'value.format' = 'json'`;
const COMPUTED = `CREATE TABLE u (id BIGINT, v STRING, t BIGINT, ts AS TO_TIMESTAMP_LTZ(t, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'kafka', 'topic' = 'u', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'json'`;

const COMPUTED_FROM_STRING = `CREATE TABLE u (id BIGINT, v STRING, s STRING, ts AS TO_TIMESTAMP(s), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'kafka', 'topic' = 'u', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'json'`;

/** The stream graph of `INSERT INTO out SELECT id, v, ts FROM u` over the table `ddl` (its WITH left open for `extra`). */
function graph(ddl: string, extra: string, set = ''): StreamNode[] {
  const registry = createConnectorRegistry();
  const session = new SqlSession({ capabilities: registryCapabilities(registry) });
  const job = session.executeScript(`${set}${ddl}${extra});
CREATE TABLE out (id BIGINT, v STRING, ts TIMESTAMP_LTZ(3)) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id, v, ts FROM u;`).find((r) => r.kind === 'job');
  if (job?.kind !== 'job') throw new Error('no job');
  return buildStreamGraph(defineJob({ name: 'sql', build: (env) => translatePlans(env, job.trees, { registry, config: session.config }) }), 1).nodes;
}

/**
 * The upsert-kafka source of the graph under a manual clock: its real reader opens (and sets the
 * table's idle timeout), records come from `feed` as the reader's partitions would give them.
 */
async function drive(nodes: StreamNode[]) {
  const source = nodes.find((n) => n.kind === 'source')!.source!;
  const real = source.source.createReader();
  let ctx!: SourceReaderContext;
  let batch: Array<{ partition: string; row: ChangelogRow; kafkaTimestamp: number }> = [];
  const op = new SourceOperator({
    open: (c) => {
      ctx = c;
      return real.open?.(c);
    },
    pollNext(out) {
      for (const r of batch) {
        ctx.splitWatermarks!.setCurrentSplit(r.partition);
        out.collect(r.row, r.kafkaTimestamp);
      }
      const n = batch.length;
      batch = [];
      return n > 0 ? 'more' : 'wait';
    },
    close: () => real.close?.(),
  }, source.strategy as WatermarkStrategy<unknown>);
  const h = await new OperatorHarness(op).open();
  ctx.splitWatermarks!.addSplit('p0');
  ctx.splitWatermarks!.addSplit('p1');
  const poll = (at: number, rows: typeof batch = []) => {
    h.setProcessingTime(at);
    batch = rows;
    const before = op.recordsEmitted;
    op.reader.pollNext(op, 100);
    return op.afterPoll(op.recordsEmitted - before);
  };
  return { h, poll, close: () => real.close?.() };
}

const upsert = (partition: string, id: number, ts: number) => ({ partition, row: { kind: '+I' as const, values: [id, `v${id}`, ts] }, kafkaTimestamp: ts });
const tombstone = (partition: string, id: number, kafkaTimestamp: number) => ({ partition, row: { kind: '-D' as const, values: [id, null, null] }, kafkaTimestamp });

describe('upsert-kafka: the WATERMARK in the source', () => {
  test('the WATERMARK is pushed into the source, before ChangelogNormalize; no WatermarkAssigner after it', () => {
    const names = graph(UPSERT, '').map((n) => n.name);
    expect(names[0]).toBe('TableSourceScan(u, watermark pushed down)');
    expect(names).toContain('ChangelogNormalize(key=[id])');
    expect(names.some((n) => n.startsWith('WatermarkAssigner'))).toBe(false);
  });

  test("per partition with 'scan.watermark.idle-timeout': a silent partition holds the watermark back until it is idle; a tombstone does not move it", async () => {
    const { h, poll, close } = await drive(graph(UPSERT, ", 'scan.watermark.idle-timeout' = '300 ms'"));
    try {
      poll(0, [upsert('p0', 1, 5000)]);
      expect(h.watermarks).toEqual([]); // p1 has no record yet
      // a tombstone (key only, NULL rowtime) on p1: no failure, no watermark from it, but p1 is active
      poll(100, [tombstone('p1', 2, 4000)]);
      expect(h.watermarks).toEqual([]);
      poll(250, [upsert('p0', 3, 6000)]);
      expect(h.watermarks).toEqual([]);
      // p1 silent since 100: its idle time starts at the first poll without its records (250), so
      // it is idle from 550 on, then p0 alone sets the watermark (ts - 1 s)
      poll(549);
      expect(h.watermarks).toEqual([]);
      poll(550);
      expect(h.watermarks).toEqual([5000]);
      // p1 comes back with a record: it holds the minimum again
      poll(600, [upsert('p1', 4, 5500)]);
      poll(650, [upsert('p0', 5, 9000)]);
      expect(h.watermarks).toEqual([5000]);
      poll(700, [upsert('p1', 6, 8000)]);
      expect(h.watermarks).toEqual([5000, 7000]);
    } finally {
      await close();
    }
  });

  test('without the option a silent partition holds the watermark back for good', async () => {
    const { h, poll, close } = await drive(graph(UPSERT, ''));
    try {
      poll(0, [upsert('p0', 1, 5000)]);
      poll(60_000, [upsert('p0', 2, 9000)]);
      expect(h.watermarks).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('a computed rowtime column: the WATERMARK in the source, through the Calc', () => {
  const record = (partition: string, id: number, t: number) => ({ partition, row: { kind: '+I' as const, values: [id, `v${id}`, t] }, kafkaTimestamp: 0 });

  test('the source generates it; the Calc computing ts follows the source; no WatermarkAssigner', () => {
    const names = graph(COMPUTED, '').map((n) => n.name);
    expect(names[0]).toBe('TableSourceScan(u, watermark pushed down)');
    expect(names).toContain('Calc(select=[id, v, ts])');
    expect(names.some((n) => n.startsWith('WatermarkAssigner'))).toBe(false);
  });

  test('per partition from the computed ts, with the idle timeout', async () => {
    const { h, poll, close } = await drive(graph(COMPUTED, ", 'scan.watermark.idle-timeout' = '300 ms'"));
    try {
      poll(0, [record('p0', 1, 5000), record('p1', 2, 7000)]);
      expect(h.watermarks).toEqual([4000]); // min over partitions of TO_TIMESTAMP_LTZ(t, 3) - 1 s
      poll(100, [record('p1', 3, 9000)]);
      expect(h.watermarks).toEqual([4000]); // p0 holds it back
      poll(399);
      expect(h.watermarks).toEqual([4000]);
      poll(400); // p0 silent since 0, its idle time counted from the first poll without its records (100): idle, p1 alone sets it
      expect(h.watermarks).toEqual([4000, 8000]);
    } finally {
      await close();
    }
  });

  test('TO_TIMESTAMP of a string column, the same way', async () => {
    const names = graph(COMPUTED_FROM_STRING, '').map((n) => n.name);
    expect(names[0]).toBe('TableSourceScan(u, watermark pushed down)');
    const { h, poll, close } = await drive(graph(COMPUTED_FROM_STRING, ''));
    try {
      const at = (partition: string, id: number, s: string) => ({ partition, row: { kind: '+I' as const, values: [id, `v${id}`, s] }, kafkaTimestamp: 0 });
      poll(0, [at('p0', 1, '2026-01-01 00:00:05'), at('p1', 2, '2026-01-01 00:00:07.250')]);
      expect(h.watermarks).toEqual([Date.UTC(2026, 0, 1, 0, 0, 4)]);
    } finally {
      await close();
    }
  });

  test("'table.exec.source.idle-timeout' is the default idle timeout; the table's 'scan.watermark.idle-timeout' overrides it", async () => {
    const run = async (extra: string) => {
      const { h, poll, close } = await drive(graph(COMPUTED, extra, "SET 'table.exec.source.idle-timeout' = '300 ms';\n"));
      try {
        poll(0, [record('p0', 1, 5000)]);
        poll(200, [record('p0', 2, 6000)]);
        poll(300);
        return h.watermarks;
      } finally {
        await close();
      }
    };
    expect(await run('')).toEqual([5000]); // p1 (never a record) idle at 300: p0 alone
    expect(await run(", 'scan.watermark.idle-timeout' = '1 s'")).toEqual([]);
    expect(() => graph(COMPUTED, '', "SET 'table.exec.source.idle-timeout' = 'soon';\n")).toThrow(/MR_ERR_SQL_VALIDATE: 'table.exec.source.idle-timeout' = 'soon' is not a duration/);
  });
});

describe('EXPLAIN shows the WATERMARK in the TableSourceScan, as Flink prints it', () => {
  /** The "Optimized Logical Plan" part of EXPLAIN `statement` after the DDL `ddl` (its WITH left open for `extra`). */
  function optimized(ddl: string, extra: string, statement: string, set = ''): string {
    const registry = createConnectorRegistry();
    const session = new SqlSession({ capabilities: registryCapabilities(registry) });
    const result = session.executeScript(`${set}${ddl}${extra});
CREATE TABLE out (id BIGINT, v STRING, ts TIMESTAMP_LTZ(3)) WITH ('connector' = 'blackhole');
CREATE TABLE out2 (v STRING) WITH ('connector' = 'blackhole');
CREATE TABLE g (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen');
EXPLAIN ${statement};`).find((r) => r.kind === 'explain');
    if (result?.kind !== 'explain') throw new Error('no EXPLAIN result');
    return result.text.split('== Optimized Logical Plan ==\n')[1]!.trim();
  }

  test("upsert-kafka: watermark=[...] and the table's idletimeout=[ms] in the scan, no WatermarkAssigner", () => {
    expect(optimized(UPSERT, ", 'scan.watermark.idle-timeout' = '300 ms'", 'SELECT id, v, ts FROM u')).toBe(
      'TableSourceScan(table=[[default_catalog, default_database, u, watermark=[-(ts, 1000:INTERVAL SECOND(3))], idletimeout=[300], watermarkEmitStrategy=[on-periodic]]], fields=[id, v, ts])');
  });

  test('without an idle timeout no idletimeout=[...]; a computed rowtime is written out over the source columns, its Calc above the scan', () => {
    expect(optimized(COMPUTED, '', 'SELECT id, v, ts FROM u')).toBe([
      'Calc(select=[id, v, TO_TIMESTAMP_LTZ(t, 3) AS ts])',
      '+- TableSourceScan(table=[[default_catalog, default_database, u, watermark=[-(TO_TIMESTAMP_LTZ(t, 3), 1000:INTERVAL SECOND(3))], watermarkEmitStrategy=[on-periodic]]], fields=[id, v, t])',
    ].join('\n'));
  });

  test("'table.exec.source.idle-timeout' shows unless the table's option overrides it", () => {
    const set = "SET 'table.exec.source.idle-timeout' = '5 s';\n";
    expect(optimized(COMPUTED, '', 'SELECT id, ts FROM u', set)).toContain('watermark=[-(TO_TIMESTAMP_LTZ(t, 3), 1000:INTERVAL SECOND(3))], idletimeout=[5000], watermarkEmitStrategy=[on-periodic]]]');
    expect(optimized(COMPUTED, ", 'scan.watermark.idle-timeout' = '250 ms'", 'SELECT id, ts FROM u', set)).toContain('idletimeout=[250]');
    expect(optimized(COMPUTED, ", 'scan.watermark.idle-timeout' = '0 ms'", 'SELECT id, ts FROM u', set)).not.toContain('idletimeout');
  });

  test('with a projection pushed into the scan and CHANGELOG_MODE', () => {
    const plan = optimized(COMPUTED.replace('ts AS', 'x INT, ts AS'), '', `CHANGELOG_MODE EXECUTE STATEMENT SET BEGIN
INSERT INTO out SELECT id, v, ts FROM u WHERE id > 1;
INSERT INTO out2 SELECT v FROM u WHERE id > 1;
END`);
    expect(plan).toContain('TableSourceScan(table=[[default_catalog, default_database, u, project=[id, v, t], watermark=[-(TO_TIMESTAMP_LTZ(t, 3), 1000:INTERVAL SECOND(3))], watermarkEmitStrategy=[on-periodic]]], fields=[id, v, t], changelogMode=[I])');
    expect(plan).not.toContain('WatermarkAssigner');
  });

  test('a source shared by two INSERTs prints once, with its watermark, then as Reused', () => {
    const physical = COMPUTED.replace('t BIGINT, ts AS TO_TIMESTAMP_LTZ(t, 3)', 'ts TIMESTAMP(3)');
    const plan = optimized(physical, '', `EXECUTE STATEMENT SET BEGIN
INSERT INTO out SELECT id, v, ts FROM u WHERE id > 1;
INSERT INTO out2 SELECT v FROM u WHERE id < 0;
END`).split('\n');
    expect(plan).toContain('      +- TableSourceScan(table=[[default_catalog, default_database, u, watermark=[-(ts, 1000:INTERVAL SECOND(3))], watermarkEmitStrategy=[on-periodic]]], fields=[id, v, ts])(reuse_id=[1])');
    expect(plan.at(-1)).toBe('      +- Reused(reference_id=[1])');
  });

  test('a source without push-down (datagen) keeps its WatermarkAssigner', () => {
    expect(optimized(COMPUTED, '', 'SELECT id FROM g')).toBe([
      'Calc(select=[id])',
      '+- WatermarkAssigner(rowtime=[ts], watermark=[-(ts, 1000:INTERVAL SECOND(3))])',
      '   +- TableSourceScan(table=[[default_catalog, default_database, g]], fields=[id, ts])',
    ].join('\n'));
  });
});
