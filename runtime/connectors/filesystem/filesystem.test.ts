// The filesystem connector's parts on a local directory: partition paths and times, part names,
// and the sink's two-phase commit driven by hand (explicit checkpoints, a crash and a restore),
// its writer's reports carried to the global committer by the test, with files read back by the
// connector's own source. The commit decision itself: partition-commit.test.ts.

import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SinkCommitter, SinkContext, SinkWriter } from '../../api/functions.ts';
import { T, type RowField } from '../../sql/types/data-type.ts';
import { executeLocally } from '../../local/local-executor.ts';
import { defineJob } from '../../api/environment.ts';
import { collectSink } from '../collect-sink.ts';
import { createConnectorRegistry, SecretResolver, type ChangelogRow, type TableDescriptor } from '../factory/index.ts';
import type { FilesystemPartitionCommitter } from './partition-committer.ts';
import { parseHiddenName, parsePartName, partName, hiddenName } from './part-names.ts';
import { escapePathName, partitionPath, partitionTime, partitionValuesOf } from './partitions.ts';
import { rollsOnSize, rollsOnTime } from './rolling-policy.ts';
import type { FilesystemSinkState } from './sink.ts';

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });

describe('partition directories and times (pure)', () => {
  test('values are escaped as Flink does, NULL goes to the default partition, and paths read back', () => {
    expect(escapePathName('10:05')).toBe('10%3A05');
    expect(partitionPath(['dt', 'hm'], ['2024-01-02', '10:05'])).toBe('dt=2024-01-02/hm=10%3A05');
    expect(partitionPath(['dt'], [null])).toBe('dt=__DEFAULT_PARTITION__');
    expect([...partitionValuesOf('dt=2024-01-02/hm=10%3A05/part-a-0-c1-0.csv')]).toEqual([['dt', '2024-01-02'], ['hm', '10:05']]);
    expect([...partitionValuesOf('dt=__DEFAULT_PARTITION__/x.csv')]).toEqual([['dt', null]]);
  });

  test('the partition time follows the timestamp pattern (q10: $dt $hm:00), else the first value', () => {
    expect(partitionTime(['dt', 'hm'], ['2024-01-02', '10:05'], '$dt $hm:00')).toBe(Date.UTC(2024, 0, 2, 10, 5));
    expect(partitionTime(['dt'], ['2024-01-02'], undefined)).toBe(Date.UTC(2024, 0, 2));
    expect(partitionTime(['dt'], ['not a date'], undefined)).toBeUndefined();
  });

  test('rolling by size, by time since opened and by inactivity', () => {
    const policy = { fileSizeBytes: 100, rolloverIntervalMs: 1_000, inactivityIntervalMs: 300, checkIntervalMs: 10 };
    expect(rollsOnSize(policy, { bytes: 99, openedAt: 0, lastWriteAt: 0 })).toBe(false);
    expect(rollsOnSize(policy, { bytes: 100, openedAt: 0, lastWriteAt: 0 })).toBe(true);
    expect(rollsOnTime(policy, { bytes: 1, openedAt: 0, lastWriteAt: 900 }, 999)).toBe(false);
    expect(rollsOnTime(policy, { bytes: 1, openedAt: 0, lastWriteAt: 900 }, 1_000)).toBe(true);
    expect(rollsOnTime(policy, { bytes: 1, openedAt: 500, lastWriteAt: 500 }, 800)).toBe(true);
  });

  test('part names round-trip; hidden names carry the attempt', () => {
    expect(parsePartName(partName({ job: 'ab12', subtask: 3, checkpointId: 7, index: 2 }, 'csv'))).toEqual({ job: 'ab12', subtask: 3, checkpointId: 7, index: 2 });
    expect(parsePartName(partName({ job: 'ab12', subtask: 0, index: 0 }, 'parquet'))).toEqual({ job: 'ab12', subtask: 0, index: 0 });
    expect(parseHiddenName(hiddenName({ job: 'ab12', subtask: 1, attempt: 4, seq: 9 }))).toEqual({ job: 'ab12', subtask: 1, attempt: 4, seq: 9 });
    expect(parsePartName('_SUCCESS')).toBeUndefined();
  });
});

const columns: RowField[] = [{ name: 'id', type: T.bigint() }, { name: 'name', type: T.string() }, { name: 'at', type: T.timestamp(3) }, { name: 'dt', type: T.string() }, { name: 'hm', type: T.string() }];
const row = (id: number): ChangelogRow => {
  const at = Date.UTC(2024, 0, 2, 10, 0) + id * 20_000; // three rows per minute
  const d = new Date(at).toISOString();
  return { kind: '+I', values: [id, `n${id}`, at, d.slice(0, 10), d.slice(11, 16)] };
};

function ctx(attempt: number, restoring: boolean, toCommitter?: unknown[]): SinkContext {
  return { subtaskIndex: 0, parallelism: 1, attempt, jobId: 'job-1', startTime: 0, restoring, recordLatency: () => {}, ...(toCommitter ? { sendToCommitter: (m) => toCommitter.push(m) } : {}) };
}

/** Hands the writer's reports to the committer, as the committer's input channel does. */
async function deliver(reports: unknown[], committer: SinkCommitter<unknown>): Promise<void> {
  for (const r of reports.splice(0)) committer.receive(r);
  await committer.flushPending!(0);
}

/** Every visible file under dir (relative paths), recursively. */
function visible(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => !f.split('/').some((s) => s.startsWith('.') || s.startsWith('_')) && f.includes('part-')).sort();
}

async function readBack(table: TableDescriptor): Promise<unknown[][]> {
  const out: ChangelogRow[] = [];
  await executeLocally(defineJob({ name: 'read', build: (env) => env.fromSource(registry.createSource(table).createSource()).sinkTo(collectSink(out)) }), { parallelism: 2 }).done;
  return out.map((r) => [...r.values]).sort((a, b) => Number(a[0]) - Number(b[0]));
}

describe('filesystem sink: two-phase commit on a local directory', () => {
  test.each(['csv', 'json', 'parquet'])('%s: files appear only when their checkpoint completes; a crash after a later checkpoint rolls back to the restored one; the committer writes _SUCCESS by partition time, once per partition across the restore', async (format) => {
    const dir = mkdtempSync(path.join(tmpdir(), `millrace-fs-2pc-${format}-`));
    const table: TableDescriptor = {
      name: 'out', columns, partitionKeys: ['dt', 'hm'],
      options: {
        connector: 'filesystem', path: dir, format,
        'sink.partition-commit.trigger': 'partition-time', 'sink.partition-commit.delay': '1 min',
        'sink.partition-commit.policy.kind': 'success-file', 'partition.time-extractor.timestamp-pattern': '$dt $hm:00',
      },
    };
    const sink = registry.createSink(table).createSink();
    const committer = (): FilesystemPartitionCommitter => {
      const c = sink.createCommitter!() as FilesystemPartitionCommitter;
      c.open({ jobId: 'job-1', attempt: 0, restoring: false, now: () => 0 });
      return c;
    };
    const reports: unknown[] = [];
    const w1 = sink.createWriter() as SinkWriter<ChangelogRow>;
    w1.open!(ctx(0, false, reports));
    const c1 = committer();
    for (let i = 0; i < 6; i++) w1.write(row(i), undefined); // 10:00 and 10:01
    const s1 = w1.snapshotState!(1) as FilesystemSinkState;
    // barrier 1 at the committer: watermark past 10:00 + 1 min (10:00 committable), not 10:01 + 1 min
    const c1State = c1.snapshotState(1, Date.UTC(2024, 0, 2, 10, 1, 30));
    await w1.flushPending!(1);
    expect(visible(dir)).toEqual([]); // pending: uploaded under hidden names only
    w1.notifyCheckpointComplete!(1);
    await w1.flushPending!(1); // the promotions, then the report
    expect(reports).toEqual([{ checkpointId: 1, subtask: 0, parallelism: 1, partitions: [{ path: 'dt=2024-01-02/hm=10%3A00', time: Date.UTC(2024, 0, 2, 10, 0) }, { path: 'dt=2024-01-02/hm=10%3A01', time: Date.UTC(2024, 0, 2, 10, 1) }] }]);
    await deliver(reports, c1);
    for (let i = 6; i < 9; i++) w1.write(row(i), undefined); // 10:02
    w1.snapshotState!(2);
    await w1.flushPending!(2); // checkpoint 2 never completes: the task crashes
    await w1.close!();
    await c1.close();
    expect(c1.committed).toBe(1);
    const ext = format;
    expect(visible(dir)).toEqual([`dt=2024-01-02/hm=10%3A00/part-job1-0-c1-0.${ext}`, `dt=2024-01-02/hm=10%3A01/part-job1-0-c1-1.${ext}`]);
    expect(existsSync(path.join(dir, 'dt=2024-01-02/hm=10%3A00/_SUCCESS'))).toBe(true);
    expect(existsSync(path.join(dir, 'dt=2024-01-02/hm=10%3A01/_SUCCESS'))).toBe(false);
    // restore from checkpoint 1 (attempt 1): checkpoint 2's hidden file is removed, the replay writes 6..8 again
    // the committer restores its checkpoint-1 state, from before checkpoint 1's report: the writer reports 10:00 again
    const w2 = sink.createWriter() as SinkWriter<ChangelogRow>;
    w2.open!(ctx(1, true, reports));
    w2.initializeState!([s1]);
    const c2 = committer();
    c2.initializeState([JSON.parse(JSON.stringify(c1State))]);
    for (let i = 6; i < 12; i++) w2.write(row(i), undefined);
    await w2.finish!();
    await w2.close!();
    await deliver(reports, c2);
    await c2.finish();
    await c2.close();
    expect(c2.committed).toBe(3); // 10:01, 10:02, 10:03: 10:00's success file exists and is left alone
    const hidden = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => path.basename(f).startsWith('.'));
    expect(hidden).toEqual([]);
    for (const hm of ['10%3A00', '10%3A01', '10%3A02', '10%3A03']) expect(existsSync(path.join(dir, `dt=2024-01-02/hm=${hm}/_SUCCESS`))).toBe(true);
    const back = await readBack({ ...table, options: { connector: 'filesystem', path: dir, format } });
    expect(back).toEqual(Array.from({ length: 12 }, (_, i) => [...row(i).values]));
    if (format === 'csv') expect(readFileSync(path.join(dir, `dt=2024-01-02/hm=10%3A00/part-job1-0-c1-0.csv`), 'utf8')).toBe('0,n0,2024-01-02 10:00:00\n1,n1,2024-01-02 10:00:20\n2,n2,2024-01-02 10:00:40\n');
  });

  test('a report still promoting at the next barrier stays in the writer\'s state, so a restore from that checkpoint reports it again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-fs-inflight-'));
    const table: TableDescriptor = { name: 'out', columns, partitionKeys: ['dt', 'hm'], options: { connector: 'filesystem', path: dir, format: 'json', 'sink.partition-commit.policy.kind': 'success-file' } };
    const reports: unknown[] = [];
    const w = registry.createSink(table).createSink().createWriter();
    w.open!(ctx(0, false, reports));
    w.write(row(0), undefined);
    w.snapshotState!(1);
    await w.flushPending!(1);
    w.notifyCheckpointComplete!(1); // promotion and report run asynchronously
    const s2 = w.snapshotState!(2) as FilesystemSinkState; // barrier 2 before the report went out
    expect(s2.unreported).toEqual(['dt=2024-01-02/hm=10%3A00']);
    await w.flushPending!(2);
    expect(reports).toHaveLength(1);
    expect((w.snapshotState!(3) as FilesystemSinkState).unreported).toBeUndefined();
    await w.close!();
  });

  test('rolling by size splits a checkpoint into several files, all committed together', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-fs-roll-'));
    const table: TableDescriptor = { name: 'out', columns: columns.slice(0, 3), options: { connector: 'filesystem', path: dir, format: 'json', 'sink.rolling-policy.file-size': '200b' } };
    const w = registry.createSink(table).createSink().createWriter();
    w.open!(ctx(0, false));
    for (let i = 0; i < 20; i++) w.write({ kind: '+I', values: row(i).values.slice(0, 3) }, undefined);
    w.snapshotState!(1);
    await w.flushPending!(1);
    w.notifyCheckpointComplete!(1);
    await w.finish!();
    const files = visible(dir);
    expect(files.length).toBeGreaterThan(3);
    expect(files.every((f) => /^part-job1-0-c1-\d+\.json$/.test(f))).toBe(true);
    expect(files.flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n'))).toHaveLength(20);
  });

  test('a hand-written parquet reader sees the columns as Parquet types', async () => {
    const { parquetMetadata } = await import('hyparquet');
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-fs-pq-'));
    const w = registry.createSink({ name: 'out', columns: columns.slice(0, 3), options: { connector: 'filesystem', path: dir, format: 'parquet' } }).createSink().createWriter();
    w.open!(ctx(0, false));
    w.write({ kind: '+I', values: [1, null, Date.UTC(2024, 0, 1)] }, undefined);
    await w.finish!();
    const [file] = visible(dir);
    const meta = parquetMetadata(new Uint8Array(readFileSync(path.join(dir, file!))).buffer);
    expect(Number(meta.num_rows)).toBe(1);
    expect(meta.schema.slice(1).map((e) => [e.name, e.type, e.converted_type ?? null, e.repetition_type])).toEqual([
      ['id', 'INT64', null, 'OPTIONAL'], ['name', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'], ['at', 'INT64', 'TIMESTAMP_MILLIS', 'OPTIONAL'],
    ]);
  });

  test('bad options name the option and the fix', () => {
    const t = (options: Record<string, string>, partitionKeys?: string[]): TableDescriptor => ({ name: 'out', columns: columns.slice(0, 3), options: { connector: 'filesystem', path: '/tmp/x', format: 'csv', ...options }, ...(partitionKeys ? { partitionKeys } : {}) });
    expect(() => registry.validate(t({ 'sink.partition-commit.policy.kind': 'metastore' }, ['name']))).toThrow(/'metastore' is not supported here.*use success-file/);
    expect(() => registry.validate(t({ 'sink.partition-commit.policy.kind': 'success-file' }))).toThrow(/needs a partitioned table/);
    expect(() => registry.validate(t({ 'sink.partition-commit.policy.kind': 'success-file', 'sink.partition-commit.success-file.name': '../_DONE' }, ['name']))).toThrow(/option 'sink.partition-commit.success-file.name' = '..\/_DONE' must be a file name without '\/'/);
    expect(() => registry.validate(t({ 'sink.partition-commit.trigger': 'event-time' }, ['name']))).toThrow(/sink.partition-commit.trigger/);
    expect(() => registry.validate(t({ path: 'hdfs://nn/x' }))).toThrow(/scheme is not supported/);
    expect(() => registry.validate(t({}, ['nope']))).toThrow(/PARTITIONED BY names 'nope'/);
    expect(() => registry.validate({ name: 'out', columns: [{ name: 'm', type: T.map(T.string(), T.int()) }], options: { connector: 'filesystem', path: '/tmp/x', format: 'parquet' } })).toThrow(/column 'm' has type MAP/);
    expect(() => registry.createSink(t({}, ['id', 'name', 'at'])).createSink()).toThrow(/at least one column that is not in PARTITIONED BY/);
  });

  test('the source skips hidden files and success markers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-fs-src-'));
    writeFileSync(path.join(dir, 'a.csv'), '1,a,"2024-01-02 10:00:00"\n');
    writeFileSync(path.join(dir, '.part-x-0-a0-0.inprogress'), '2,b,"2024-01-02 10:00:00"\n');
    writeFileSync(path.join(dir, '_SUCCESS'), '');
    expect(await readBack({ name: 'in', columns: columns.slice(0, 3), options: { connector: 'filesystem', path: dir, format: 'csv' } })).toEqual([[1, 'a', Date.UTC(2024, 0, 2, 10)]]);
  });

  test('a path naming one file reads that file alone, as Flink does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-fs-src-'));
    writeFileSync(path.join(dir, 'a.csv'), '1,a,"2024-01-02 10:00:00"\n');
    writeFileSync(path.join(dir, 'b.csv'), '2,b,"2024-01-02 11:00:00"\n');
    expect(await readBack({ name: 'in', columns: columns.slice(0, 3), options: { connector: 'filesystem', path: path.join(dir, 'b.csv'), format: 'csv' } })).toEqual([[2, 'b', Date.UTC(2024, 0, 2, 11)]]);
  });
});
