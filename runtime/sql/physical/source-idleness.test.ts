// 'table.exec.source.idle-timeout' for a WATERMARK its source does not generate (datagen here):
// the source of the scan under the WatermarkAssigner announces idleness after that long without a
// record, as Flink's WatermarkAssigner operator does, and makes no watermark of its own (the
// assigner after it still does). Manual clock, the stream graph the SQL job builds, the real
// datagen reader replaced by a hand-fed one.
import { buildStreamGraph, defineJob } from '../../api/environment.ts';
import type { WatermarkStrategy } from '../../api/watermarks.ts';
import type { StreamNode } from '../../graph/stream-graph.ts';
import { SourceOperator } from '../../operators/source-operator.ts';
import { OperatorHarness } from '../../testing/operator-harness.ts';
import { createConnectorRegistry } from '../../connectors/factory/index.ts';
import { registryCapabilities } from '../planner/registry-capabilities.ts';
import { SqlSession } from '../session/sql-session.ts';
import { translatePlans } from './translate.ts';

const GEN = `CREATE TABLE g (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen');
CREATE TABLE g2 (id BIGINT, t BIGINT, ts AS TO_TIMESTAMP_LTZ(t, 3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');
CREATE TABLE plain (id BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE out (id BIGINT) WITH ('connector' = 'blackhole');
`;

function graph(insert: string, set = ''): StreamNode[] {
  const registry = createConnectorRegistry();
  const session = new SqlSession({ capabilities: registryCapabilities(registry) });
  const job = session.executeScript(`${set}${GEN}${insert}`).find((r) => r.kind === 'job');
  if (job?.kind !== 'job') throw new Error('no job');
  return buildStreamGraph(defineJob({ name: 'sql', build: (env) => translatePlans(env, job.trees, { registry, config: session.config }) }), 1).nodes;
}

const sources = (nodes: StreamNode[]) => nodes.filter((n) => n.kind === 'source').map((n) => ({ name: n.name, idleTimeoutMs: n.source!.strategy?.idleTimeoutMs }));
const SET = "SET 'table.exec.source.idle-timeout' = '300 ms';\n";

describe("'table.exec.source.idle-timeout' without watermark push-down", () => {
  test('the source under a WatermarkAssigner (also through the Calc of a computed rowtime) gets the idle timeout; the assigner stays', () => {
    const nodes = graph('INSERT INTO out SELECT id FROM g UNION ALL SELECT id FROM g2;', SET);
    expect(sources(nodes)).toEqual([{ name: 'TableSourceScan(g)', idleTimeoutMs: 300 }, { name: 'TableSourceScan(g2)', idleTimeoutMs: 300 }]);
    expect(nodes.filter((n) => n.name.startsWith('WatermarkAssigner')).map((n) => n.name)).toEqual(['WatermarkAssigner(ts)', 'WatermarkAssigner(ts)']);
  });

  test('a table without a WATERMARK, or a session without the option, gets none', () => {
    expect(sources(graph('INSERT INTO out SELECT id FROM plain;', SET))).toEqual([{ name: 'TableSourceScan(plain)', idleTimeoutMs: undefined }]);
    expect(sources(graph('INSERT INTO out SELECT id FROM g;'))).toEqual([{ name: 'TableSourceScan(g)', idleTimeoutMs: undefined }]);
    expect(sources(graph('INSERT INTO out SELECT id FROM g;', "SET 'table.exec.source.idle-timeout' = '0 ms';\n"))).toEqual([{ name: 'TableSourceScan(g)', idleTimeoutMs: undefined }]);
    expect(() => graph('INSERT INTO out SELECT id FROM g;', "SET 'table.exec.source.idle-timeout' = 'soon';\n")).toThrow(/MR_ERR_SQL_VALIDATE: 'table.exec.source.idle-timeout' = 'soon' is not a duration/);
  });

  test('the source subtask goes idle after 300 ms without a record and active with the next; it emits no watermark itself', async () => {
    const source = graph('INSERT INTO out SELECT id FROM g;', SET).find((n) => n.kind === 'source')!.source!;
    let batch: unknown[] = [];
    const op = new SourceOperator({
      pollNext(out) {
        for (const row of batch) out.collect(row, 5000);
        const n = batch.length;
        batch = [];
        return n > 0 ? 'more' : 'wait';
      },
    }, source.strategy as WatermarkStrategy<unknown>);
    const h = await new OperatorHarness(op).open();
    const poll = (at: number, rows: unknown[] = []) => {
      h.setProcessingTime(at);
      batch = rows;
      const before = op.recordsEmitted;
      op.reader.pollNext(op, 100);
      return op.afterPoll(op.recordsEmitted - before);
    };
    expect(poll(100, [{ kind: '+I', values: [1, 5000] }])).toBeUndefined();
    expect(poll(399)).toBeUndefined();
    expect(poll(400)).toBe('idle');
    expect(poll(5000)).toBeUndefined();
    expect(poll(5100, [{ kind: '+I', values: [2, 6000] }])).toBe('active');
    expect(h.watermarks).toEqual([]);
    expect(h.output.map((r) => r.timestamp)).toEqual([5000, 5000]); // timestamps left to the WatermarkAssigner
  });
});
