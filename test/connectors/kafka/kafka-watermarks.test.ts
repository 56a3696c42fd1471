// Per-partition watermarks with idleness, against the real broker: a topic of two partitions
// where only partition 0 has records (3 s of event time). The source's watermark is the minimum
// over its partitions, so the silent partition holds it back and no event-time window fires;
// with an idle timeout the silent partition stops holding it back and the windows fire. The
// same through the DataStream API (WatermarkStrategy.withIdleness), SQL DDL (WATERMARK pushed
// into the source, 'scan.watermark.idle-timeout', for kafka and upsert-kafka) and a YAML pipeline
// (the same table option).
import { jest } from '@jest/globals';
import { defineJob, type StreamExecutionEnvironment } from '../../../runtime/api/environment.ts';
import { WatermarkStrategies } from '../../../runtime/api/watermarks.ts';
import { TumblingEventTimeWindows } from '../../../runtime/api/windows.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { createConnectorRegistry, type ChangelogRow } from '../../../runtime/connectors/factory/index.ts';
import { kafkaSource } from '../../../runtime/connectors/kafka/source.ts';
import { executeLocally, type LocalExecution } from '../../../runtime/local/local-executor.ts';
import { buildPipeline } from '../../../runtime/pipeline/compile.ts';
import type { Row } from '../../../runtime/pipeline/functions.ts';
import { parsePipeline } from '../../../runtime/pipeline/parse.ts';
import { parseScript } from '../../../runtime/sql/parser/index.ts';
import { translatePlans } from '../../../runtime/sql/physical/translate.ts';
import { registryCapabilities } from '../../../runtime/sql/planner/registry-capabilities.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import { useKafka } from '../../services/kafka/environment.ts';
import { createTopic, produce, uniqueTopic } from './kafka-admin.ts';

jest.setTimeout(180_000);

const RECORDS = 30;
const IDLE_MS = 300;
/** how long a run without idleness is watched after it read every record: well past IDLE_MS plus a fetch's wait (500 ms) */
const GRACE_MS = 1000;

let bootstrap = '';
let topic = '';
/** event time of the first record, on a second (windows of 1 s start there) */
let base = 0;

beforeAll(async () => {
  ({ bootstrap } = await useKafka());
  topic = uniqueTopic('wm-idle');
  await createTopic(bootstrap, topic, 2);
  base = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  // partition 0: one record every 100 ms of event time over 3 s; partition 1: nothing
  await produce(bootstrap, topic, Array.from({ length: RECORDS }, (_, i) => {
    const t = base + i * 100;
    // keyed, so upsert-kafka reads them too (key = its primary key)
    return { partition: 0, timestamp: t, key: JSON.stringify({ id: i }), value: JSON.stringify({ id: i, t, ts: new Date(t).toISOString().replace('T', ' ').replace('Z', '') }) };
  }));
});

/** The two windows the watermark of partition 0 alone closes (its last record is at base + 2900). */
const closedWindows = () => [{ start: base, n: 10 }, { start: base + 1000, n: 10 }];

/** Runs a job until `done` holds, then cancels it; returns the source task's metrics at that point. */
// 60 s: under the whole suite the first records can take tens of seconds to arrive; done ends it at once
async function runUntil(build: (env: StreamExecutionEnvironment) => void, done: (exec: LocalExecution) => boolean, timeoutMs = 60_000) {
  const exec = executeLocally(defineJob({ name: 'kafka-watermarks', build }), { parallelism: 1 });
  let failure: unknown;
  exec.done.catch((e: unknown) => (failure = e));
  const deadline = Date.now() + timeoutMs;
  try {
    while (!done(exec)) {
      if (failure !== undefined) throw failure;
      if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; tasks: ${describeTasks(exec)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return sourceMetrics(exec);
  } finally {
    exec.cancel();
    await exec.done.catch(() => {});
  }
}

/** Each task's records and output watermark, for a failure message. */
function describeTasks(exec: LocalExecution): string {
  return exec.tasks.map((t) => {
    const m = t.metrics();
    return `${t.name}: in ${m.recordsIn}, out ${m.recordsOut}, watermark ${m.outputWatermark}`;
  }).join('; ');
}

function sourceMetrics(exec: LocalExecution) {
  const source = exec.tasks.find((t) => /kafka|Source/i.test(t.name))!;
  return source.metrics();
}

/** Without idleness: waits until the source emitted every record, then GRACE_MS more. */
function allReadThenGrace(): (exec: LocalExecution) => boolean {
  let allReadAt: number | undefined;
  return (exec) => {
    if (allReadAt === undefined && sourceMetrics(exec).recordsIn >= RECORDS) allReadAt = Date.now();
    return allReadAt !== undefined && Date.now() - allReadAt >= GRACE_MS;
  };
}

describe('Kafka per-partition watermarks and idleness', () => {
  type Ev = { id: number; t: number };
  test('DataStream: a silent partition holds the watermark back; with withIdleness the windows fire', async () => {
    const windows = (idle: boolean, out: Array<{ start: number; n: number }>) => (env: StreamExecutionEnvironment) => {
      const strategy = WatermarkStrategies.forBoundedOutOfOrderness<Ev>(0);
      const events = env.fromSource(kafkaSource<Ev>({ bootstrapServers: bootstrap, topics: [topic], deserializer: (r) => JSON.parse(r.value!.toString('utf8')) as Ev }), idle ? strategy.withIdleness(IDLE_MS) : strategy, 'kafka');
      events.keyBy(() => 'all').window(TumblingEventTimeWindows.of(1000))
        .aggregate<{ n: number; min: number }, { start: number; n: number }>({
          createAccumulator: () => ({ n: 0, min: Number.POSITIVE_INFINITY }),
          add: (e, a) => ({ n: a.n + 1, min: Math.min(a.min, e.t) }),
          getResult: (a) => ({ start: a.min - (a.min % 1000), n: a.n }),
          merge: (a, b) => ({ n: a.n + b.n, min: Math.min(a.min, b.min) }),
        })
        .sinkTo(collectSink(out));
    };
    const silent: Array<{ start: number; n: number }> = [];
    const held = await runUntil(windows(false, silent), allReadThenGrace());
    expect(held.recordsIn).toBe(RECORDS);
    expect(held.outputWatermark).toBe(Number.NEGATIVE_INFINITY);
    expect(silent).toEqual([]);

    const fired: Array<{ start: number; n: number }> = [];
    const idle = await runUntil(windows(true, fired), () => fired.length >= 2);
    expect(fired).toEqual(closedWindows());
    expect(idle.outputWatermark).toBe(base + 2900 - 1); // partition 0's watermark alone
  });

  test.each([
    ['a physical rowtime column', 'ts TIMESTAMP(3)'],
    // pushed down through the Calc that computes it, as Flink does
    ['a computed rowtime column', 'ts AS TO_TIMESTAMP_LTZ(t, 3)'],
  ])("SQL, %s: the table's WATERMARK is generated per partition, 'scan.watermark.idle-timeout' lets the windows fire", async (_, rowtime) => {
    const run = async (extra: string, done: (rows: ChangelogRow[]) => (exec: LocalExecution) => boolean) => {
      const registry = createConnectorRegistry();
      const session = new SqlSession({ capabilities: registryCapabilities(registry) });
      const rows: ChangelogRow[] = [];
      let job: ReturnType<SqlSession['execute']> | undefined;
      for (const statement of parseScript(`
CREATE TABLE events (id BIGINT, t BIGINT, ${rowtime}, WATERMARK FOR ts AS ts) WITH (
  'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${bootstrap}',
  'format' = 'json', 'scan.startup.mode' = 'earliest-offset'${extra});
CREATE TABLE counts (window_start TIMESTAMP(3), n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO counts SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end;
`)) job = session.execute(statement);
      if (job?.kind !== 'job') throw new Error('expected a job');
      const trees = job.trees;
      const metrics = await runUntil((env) => translatePlans(env, trees, { registry, config: session.config, sinkFor: () => collectSink(rows) }), done(rows));
      return { rows, metrics };
    };
    const held = await run('', () => allReadThenGrace());
    expect(held.metrics.recordsIn).toBe(RECORDS);
    expect(held.rows).toEqual([]);

    const fired = await run(`, 'scan.watermark.idle-timeout' = '${IDLE_MS} ms'`, (rows) => () => rows.length >= 2);
    expect(fired.rows.map((r) => [r.kind, r.values[0], r.values[1]])).toEqual(closedWindows().map((w) => ['+I', w.start, w.n]));
  });

  test("SQL upsert-kafka: its WATERMARK is generated per partition before ChangelogNormalize; 'scan.watermark.idle-timeout' lets an event-time temporal join emit", async () => {
    // events (kafka, idle timeout set) joined with the versions of the same records (upsert-kafka):
    // a row is emitted once both sides' watermarks passed its time
    const run = async (extra: string, done: (rows: ChangelogRow[]) => (exec: LocalExecution) => boolean) => {
      const registry = createConnectorRegistry();
      const session = new SqlSession({ capabilities: registryCapabilities(registry) });
      const trees = session.executeScript(`
CREATE TABLE events (id BIGINT, t BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
  'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${bootstrap}',
  'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.watermark.idle-timeout' = '${IDLE_MS} ms');
CREATE TABLE versions (id BIGINT, t BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts, PRIMARY KEY (id) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${bootstrap}',
  'key.format' = 'json', 'value.format' = 'json'${extra});
CREATE TABLE joined (id BIGINT, t BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO joined SELECT e.id, v.t FROM events AS e JOIN versions FOR SYSTEM_TIME AS OF e.ts AS v ON e.id = v.id;
`).flatMap((r) => (r.kind === 'job' ? r.trees : []));
      const rows: ChangelogRow[] = [];
      await runUntil((env) => translatePlans(env, trees, { registry, config: session.config, sinkFor: () => collectSink(rows) }), done(rows));
      return rows;
    };
    expect(await run('', () => allReadThenGrace())).toEqual([]);
    const joined = await run(`, 'scan.watermark.idle-timeout' = '${IDLE_MS} ms'`, (rows) => () => rows.length >= RECORDS);
    expect(joined.map((r) => [r.kind, r.values[0], r.values[1]]).sort((a, b) => (a[1] as number) - (b[1] as number))).toEqual(Array.from({ length: RECORDS }, (_, i) => ['+I', i, base + i * 100]));
  });

  test("YAML pipeline: the same per partition; the connector's 'scan.watermark.idle-timeout' lets the window fire", async () => {
    const pipeline = (idle: string) => parsePipeline(`
source:
  type: connector
  columns: { id: BIGINT, t: BIGINT }
  options: { connector: kafka, topic: ${topic}, properties.bootstrap.servers: "${bootstrap}", format: json, scan.startup.mode: earliest-offset${idle} }
  timestampField: t
steps:
  - type: window
    size: 1s
    aggregates: [{ fn: count, as: n }]
sink: { type: print }`);
    const silent: Row[] = [];
    const held = await runUntil((env) => buildPipeline(env, pipeline(''), { sink: collectSink(silent) }), allReadThenGrace());
    expect(held.recordsIn).toBe(RECORDS);
    expect(silent).toEqual([]);

    const out: Row[] = [];
    await runUntil((env) => buildPipeline(env, pipeline(`, scan.watermark.idle-timeout: ${IDLE_MS} ms`), { sink: collectSink(out) }), () => out.length >= 2);
    expect(out.map((r) => ({ start: r.windowStart, n: r.n }))).toEqual(closedWindows());
  });
});
