// The continuous filesystem source (`source.monitor-interval`): which files a subtask takes and
// what its checkpoint keeps (pure, file-discovery.ts), then readers on a local directory driven
// by hand with a manual clock: files and partition directories added after the start are read
// once, a restore at another parallelism neither re-reads nor skips a file; and the connector
// metrics of the filesystem source and sink.

import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildStreamGraph, defineJob } from '../../api/environment.ts';
import type { SinkContext } from '../../api/functions.ts';
import type { SourceReader, SourceReaderContext } from '../../api/source.ts';
import type { WatermarkStrategy } from '../../api/watermarks.ts';
import { SourceOperator } from '../../operators/source-operator.ts';
import { translatePlans } from '../../sql/physical/translate.ts';
import { registryCapabilities } from '../../sql/planner/registry-capabilities.ts';
import { SqlSession } from '../../sql/session/sql-session.ts';
import { OperatorHarness } from '../../testing/operator-harness.ts';
import { T } from '../../sql/types/data-type.ts';
import { createConnectorRegistry, SecretResolver, type ChangelogRow, type TableDescriptor } from '../factory/index.ts';
import { fileSource } from '../file-source.ts';
import { ConnectorMetricGroup } from '../../metrics/connector-metric-group.ts';
import { FileDiscovery, ownerOf, type ContinuousPosition } from './file-discovery.ts';

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });

describe('file discovery (pure, manual clock)', () => {
  test('the first listing is due at once, the next an interval after a listing started', () => {
    const d = new FileDiscovery(0, 1, 1_000);
    expect(d.listingDue(0)).toBe(true);
    d.listingStarted(5_000);
    expect(d.listingDue(5_999)).toBe(false);
    expect(d.msUntilListing(5_400)).toBe(600);
    expect(d.listingDue(6_000)).toBe(true);
  });

  test('a listing queues visible keys this subtask owns and has not taken, once', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `dt=2024-01-${String(i % 3 + 1).padStart(2, '0')}/part-${i}.json`);
    const subtasks = [0, 1, 2].map((s) => new FileDiscovery(s, 3, 1_000));
    const taken = subtasks.map((d) => d.discovered([...keys, '.part-x.inprogress', 'dt=2024-01-01/_SUCCESS', '_tmp/part-9.json']));
    // every visible key exactly once over the subtasks; hidden names and '_' directories never
    expect(taken.flat().sort()).toEqual([...keys].sort());
    expect(taken.every((t) => t.length > 0)).toBe(true);
    taken.forEach((t, s) => expect(t.every((k) => ownerOf(k, 3) === s)).toBe(true));
    // the same listing again, plus one new file: only the new one
    const more = `dt=2024-01-04/part-new.json`;
    const again = subtasks.map((d) => d.discovered([...keys, more]));
    expect(again.flat()).toEqual([more]);
  });

  test('reading moves through the queue; the snapshot keeps taken keys and the first file\'s progress', () => {
    const d = new FileDiscovery(0, 1, 1_000);
    d.discovered(['b', 'a', 'c']);
    expect(d.next()).toEqual({ key: 'a', skip: 0 });
    d.progress('a', 5);
    expect(d.snapshot()).toEqual({ restoreAsUnion: true, continuous: 1, taken: ['a', 'b', 'c'], queue: [{ key: 'a', skip: 5 }, { key: 'b', skip: 0 }, { key: 'c', skip: 0 }] });
    d.finished('a');
    expect(d.next()).toEqual({ key: 'b', skip: 0 });
    expect(d.snapshot().queue.map((q) => q.key)).toEqual(['b', 'c']);
    expect(d.snapshot().taken).toEqual(['a', 'b', 'c']);
  });

  test('a restore at another parallelism: taken keys are not taken again, queued ones continue where they were', () => {
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    const old = [0, 1].map((s) => new FileDiscovery(s, 2, 1_000));
    old.forEach((d) => d.discovered(keys));
    // each old subtask has read its first two files, and 3 records of its third
    for (const d of old) {
      for (let i = 0; i < 2; i++) d.finished(d.next()!.key);
      d.progress(d.next()!.key, 3);
    }
    const states: ContinuousPosition[] = old.map((d) => d.snapshot());
    const partly = states.map((s) => s.queue[0]!);
    const unread = new Set(states.flatMap((s) => s.queue.map((q) => q.key)));
    const fresh = [0, 1, 2].map((s) => new FileDiscovery(s, 3, 1_000));
    fresh.forEach((d) => d.restore(states));
    // the queues together are the old queues, each key once, at its new owner, partly read files first
    const queues = fresh.map((d) => d.snapshot().queue);
    expect(queues.flat().map((q) => q.key).sort()).toEqual([...unread].sort());
    queues.forEach((q, s) => expect(q.every((e) => ownerOf(e.key, 3) === s)).toBe(true));
    for (const p of partly) expect(queues.flat()).toContainEqual(p);
    for (const q of queues) if (q.some((e) => e.skip > 0)) expect(q[0]!.skip).toBeGreaterThan(0);
    // a listing of the same directory finds nothing new, a new key goes to its owner
    expect(fresh.flatMap((d) => d.discovered([...keys, 'k-new']))).toEqual(['k-new']);
  });
});

/** A reader context with a manual clock and a metric group. */
function context(subtaskIndex: number, parallelism: number, clock: { now: number }, metrics?: ConnectorMetricGroup): SourceReaderContext {
  return { subtaskIndex, parallelism, attempt: 0, startTime: 0, now: () => clock.now, ...(metrics ? { connectorMetrics: () => metrics } : {}) };
}

/** Polls (awaiting available() on 'wait') until `out` holds `n` rows; a continuous reader never ends. */
async function readUntil(reader: SourceReader<ChangelogRow>, out: ChangelogRow[], n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (out.length < n) {
    if (Date.now() > deadline) throw new Error(`read ${out.length} rows, expected ${n}`);
    const status = reader.pollNext({ collect: (r) => out.push(r) }, 7);
    expect(status).not.toBe('end');
    if (status === 'wait') await reader.available!();
  }
}

/** Polls through three waits (each a load or the reader's short idle wake-up) and expects no new row. */
async function expectNothingMore(reader: SourceReader<ChangelogRow>, out: ChangelogRow[]): Promise<void> {
  const before = out.length;
  for (let waits = 0; waits < 3;) {
    if (reader.pollNext({ collect: (r) => out.push(r) }, 7) === 'wait') {
      waits++;
      await reader.available!();
    }
  }
  expect(out.length).toBe(before);
}

describe('continuous reader on a local directory (manual clock)', () => {
  const table = (dir: string, interval = '10 s'): TableDescriptor => ({
    name: 'events', partitionKeys: ['dt'],
    columns: [{ name: 'id', type: T.bigint() }, { name: 'dt', type: T.string() }],
    options: { connector: 'filesystem', path: dir, format: 'json', 'source.monitor-interval': interval },
  });
  /** Writes a file as the sink does: under a hidden name, then renamed (appears whole). */
  const put = (dir: string, key: string, ids: number[]): void => {
    const file = path.join(dir, key);
    mkdirSync(path.dirname(file), { recursive: true });
    const hidden = path.join(path.dirname(file), `.${path.basename(file)}.inprogress`);
    writeFileSync(hidden, ids.map((id) => `${JSON.stringify({ id })}\n`).join(''));
    renameSync(hidden, file);
  };
  const ids = (rows: ChangelogRow[]): number[] => rows.map((r) => Number(r.values[0])).sort((a, b) => a - b);

  test('files and partition directories added after the start are read once, at the next listing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fs-continuous-'));
    put(dir, 'dt=1/part-a.json', [1, 2, 3]);
    const src = registry.createSource(table(dir));
    expect(src.bounded).toBe(false);
    const clock = { now: 0 };
    const metrics = new ConnectorMetricGroup('source', 'filesystem', 'scan');
    const reader = src.createSource().createReader();
    await reader.open!(context(0, 1, clock, metrics));
    const out: ChangelogRow[] = [];
    await readUntil(reader, out, 3);
    expect(out.map((r) => r.values)).toEqual([[1, '1'], [2, '1'], [3, '1']]);
    put(dir, 'dt=1/part-b.json', [4]);
    put(dir, 'dt=2/part-c.json', [5, 6]);
    writeFileSync(path.join(dir, 'dt=2', '.part-d.inprogress'), '{"id":99}\n');
    clock.now = 9_999;
    await expectNothingMore(reader, out);
    clock.now = 10_000;
    await readUntil(reader, out, 6);
    expect(ids(out)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.find((r) => r.values[0] === 5)!.values).toEqual([5, '2']);
    clock.now = 20_000;
    await expectNothingMore(reader, out);
    // the connector metrics: every record, and the bytes of the three files
    const s = metrics.snapshot();
    expect(s.recordsIn).toBe(6);
    expect(s.bytesIn).toBe(['{"id":1}\n{"id":2}\n{"id":3}\n', '{"id":4}\n', '{"id":5}\n{"id":6}\n'].reduce((n, t) => n + Buffer.byteLength(t), 0));
    await reader.close!();
  });

  test('a restore from 2 subtasks onto 3, mid-file and with files unread, reads every record once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fs-continuous-restore-'));
    const all: number[] = [];
    for (let f = 0; f < 12; f++) {
      const rows = Array.from({ length: 10 }, (_, i) => f * 10 + i);
      all.push(...rows);
      put(dir, `dt=${f % 3}/part-${f}.json`, rows);
    }
    const clock = { now: 0 };
    const out: ChangelogRow[] = [];
    const source = registry.createSource(table(dir)).createSource();
    const old = [0, 1].map(() => source.createReader());
    for (const [s, r] of old.entries()) await r.open!(context(s, 2, clock));
    // each old subtask reads its first file and 4 records of its second
    for (const r of old) await readUntil(r, out, out.length + 14);
    const states = old.map((r) => r.snapshotState!(1));
    const before = out.length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(all.length);
    // records emitted after the checkpoint are dropped, as a failover replays from it
    const kept = out.slice(0, before);
    for (const r of old) await r.close!();
    // new files appear while the job is down
    put(dir, 'dt=9/part-late.json', [1_000, 1_001]);
    all.push(1_000, 1_001);
    const fresh = [0, 1, 2].map(() => source.createReader());
    for (const [s, r] of fresh.entries()) {
      await r.open!(context(s, 3, clock));
      r.restoreStates!(states);
    }
    // each new subtask lists at once (its first listing is due), the three together read the rest
    for (let i = 0; kept.length < all.length && i < 10_000; i++) {
      for (const r of fresh) if (r.pollNext({ collect: (row) => kept.push(row) }, 5) === 'wait') await Promise.race([r.available!(), new Promise((res) => setImmediate(res))]);
    }
    for (const r of fresh) await expectNothingMore(r, kept);
    expect(ids(kept)).toEqual([...all].sort((a, b) => a - b));
    for (const r of fresh) await r.close!();
  });

  test('the DataStream fileSource watches a local directory with monitorIntervalMs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fs-continuous-ds-'));
    writeFileSync(path.join(dir, 'a.jsonl'), '{"n":1}\n{"n":2}\n');
    const src = fileSource<{ n: number }>({ path: dir, format: 'jsonl', monitorIntervalMs: 1_000 });
    expect(src.bounded).toBe(false);
    const clock = { now: 0 };
    const reader = src.createReader() as unknown as SourceReader<ChangelogRow>;
    await reader.open!(context(0, 1, clock));
    const out: ChangelogRow[] = [];
    await readUntil(reader, out, 2);
    put(dir, 'b.jsonl', [3]);
    clock.now = 1_000;
    await readUntil(reader, out, 3);
    expect(out).toEqual([{ n: 1 }, { n: 2 }, { id: 3 }]);
    await expectNothingMore(reader, out);
    await reader.close!();
    expect(() => fileSource({ path: dir, format: 'csv', monitorIntervalMs: 1_000 })).toThrow(/MR_ERR_FILE_FORMAT: .*a watched directory's CSV files have no header line; set csvHeader: false/);
    expect(() => fileSource({ path: dir, format: 'jsonl', monitorIntervalMs: 0 })).toThrow(/monitorIntervalMs must be a number of milliseconds greater than 0/);
  });

  test('bad options and mismatched savepoints give clear errors', async () => {
    expect(() => registry.createSource(table('/tmp/x', '0 s'))).toThrow(/option 'source.monitor-interval' must be greater than 0/);
    expect(() => registry.createSource(table('/tmp/x', 'soon'))).toThrow(/source.monitor-interval/);
    const dir = mkdtempSync(path.join(tmpdir(), 'fs-continuous-mix-'));
    const bounded = registry.createSource({ ...table(dir), options: { connector: 'filesystem', path: dir, format: 'json' } }).createSource().createReader();
    await bounded.open!(context(0, 1, { now: 0 }));
    expect(() => bounded.restoreStates!([{ restoreAsUnion: true, continuous: 1, taken: [], queue: [] }])).toThrow(/MR_ERR_FILESYSTEM_SOURCE: .*continuous source/);
    const continuous = registry.createSource(table(dir)).createSource().createReader();
    await continuous.open!(context(0, 1, { now: 0 }));
    expect(() => continuous.restoreStates!([{ files: [] }])).toThrow(/MR_ERR_FILESYSTEM_SOURCE: .*bounded source/);
    await bounded.close!();
    await continuous.close!();
  });
});

describe("'table.exec.source.idle-timeout' on a continuous filesystem source", () => {
  test('the SQL source goes idle when no new file comes for the timeout, and active with the next file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fs-continuous-idle-'));
    writeFileSync(path.join(dir, 'part-1.json'), '{"id":1,"ts":"2024-01-01 00:00:01"}\n');
    const reg = createConnectorRegistry();
    const session = new SqlSession({ capabilities: registryCapabilities(reg) });
    const job = session.executeScript(`SET 'table.exec.source.idle-timeout' = '300 ms';
CREATE TABLE files (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json', 'source.monitor-interval' = '1 s');
CREATE TABLE out (id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id FROM files;`).find((r) => r.kind === 'job');
    if (job?.kind !== 'job') throw new Error('no job');
    const node = buildStreamGraph(defineJob({ name: 'sql', build: (env) => translatePlans(env, job.trees, { registry: reg, config: session.config }) }), 1).nodes.find((n) => n.kind === 'source')!;
    expect(node.source!.source.bounded).toBe(false);
    expect(node.source!.strategy?.idleTimeoutMs).toBe(300);
    const op = new SourceOperator(node.source!.source.createReader(), node.source!.strategy as WatermarkStrategy<unknown>);
    const h = await new OperatorHarness(op).open();
    /** Polls at `at` until the reader waits with nothing in flight, returns the idleness transitions. */
    const pollAt = async (at: number): Promise<Array<'idle' | 'active'>> => {
      h.setProcessingTime(at);
      const seen: Array<'idle' | 'active'> = [];
      for (let waits = 0; waits < 3;) {
        const before = op.recordsEmitted;
        const status = op.reader.pollNext(op, 100);
        const t = op.afterPoll(op.recordsEmitted - before);
        if (t) seen.push(t);
        if (status === 'wait') {
          waits++;
          await op.reader.available!();
        }
      }
      return seen;
    };
    expect(await pollAt(0)).toEqual([]);
    expect(h.output).toHaveLength(1);
    expect(await pollAt(299)).toEqual([]);
    expect(await pollAt(300)).toEqual(['idle']);
    writeFileSync(path.join(dir, '.part-2.tmp'), '{"id":2,"ts":"2024-01-01 00:00:02"}\n');
    renameSync(path.join(dir, '.part-2.tmp'), path.join(dir, 'part-2.json'));
    expect(await pollAt(999)).toEqual([]);
    expect(await pollAt(1_000)).toEqual(['active']);
    expect(h.output).toHaveLength(2);
    await op.reader.close!();
  });
});

describe('filesystem sink metrics', () => {
  test('records and bytes out count what the uploaded files hold', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fs-sink-metrics-'));
    const metrics = new ConnectorMetricGroup('sink', 'filesystem', 'sink');
    const w = registry.createSink({ name: 'out', columns: [{ name: 'id', type: T.bigint() }], options: { connector: 'filesystem', path: dir, format: 'json' } }).createSink().createWriter();
    const ctx: SinkContext = { subtaskIndex: 0, parallelism: 1, attempt: 0, jobId: 'm-job', startTime: 0, restoring: false, recordLatency: () => {}, connectorMetrics: () => metrics };
    await w.open!(ctx);
    for (let i = 0; i < 5; i++) w.write({ kind: '+I', values: [i] }, undefined);
    expect(metrics.snapshot().recordsOut).toBe(0);
    w.snapshotState!(1);
    await w.flushPending!(1);
    expect(metrics.snapshot()).toMatchObject({ kind: 'sink', connector: 'filesystem', recordsOut: 5, bytesOut: 5 * '{"id":0}\n'.length });
    w.write({ kind: '+I', values: [10] }, undefined);
    await w.finish!();
    await w.close!();
    expect(metrics.snapshot()).toMatchObject({ recordsOut: 6, bytesOut: 5 * '{"id":0}\n'.length + '{"id":10}\n'.length });
  });
});
