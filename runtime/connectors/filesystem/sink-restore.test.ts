// The filesystem sink's restore takes its pending file names from checkpoint storage, which jobs
// can write: a planted state naming files outside the output directory is refused
// (MR_ERR_FILE_PATH_NOT_ALLOWED) and nothing moves; the sink's own names restore as before.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SinkContext, SinkWriter } from '../../api/functions.ts';
import { T, type RowField } from '../../sql/types/data-type.ts';
import { createConnectorRegistry, SecretResolver, type ChangelogRow, type TableDescriptor } from '../factory/index.ts';
import { checkRestoredFiles } from './restored-state.ts';
import type { FilesystemSinkState } from './sink.ts';

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
const columns: RowField[] = [{ name: 'id', type: T.bigint() }, { name: 'dt', type: T.string() }];
const ctx: SinkContext = { subtaskIndex: 0, parallelism: 1, attempt: 1, jobId: 'job-1', startTime: 0, restoring: true, recordLatency: () => {} };
const HIDDEN = 'dt=2024-01-02/.part-job1-0-a0-0.inprogress';

function setUp(): { root: string; out: string; writer: SinkWriter<ChangelogRow> } {
  const root = mkdtempSync(path.join(tmpdir(), 'millrace-fs-restore-'));
  const out = path.join(root, 'out');
  mkdirSync(path.join(out, 'dt=2024-01-02'), { recursive: true });
  writeFileSync(path.join(out, HIDDEN), '1\n');
  const table: TableDescriptor = { name: 'out', columns, partitionKeys: ['dt'], options: { connector: 'filesystem', path: out, format: 'csv' } };
  const writer = registry.createSink(table).createSink().createWriter() as SinkWriter<ChangelogRow>;
  writer.open!(ctx);
  return { root, out, writer };
}

const state = (files: Array<{ hidden: string; final: string }>, partitions: string[] = []): FilesystemSinkState =>
  ({ job: 'job1', subtask: 0, checkpointId: 1, pending: [{ checkpointId: 1, files, partitions }], partitions: [] });

describe('filesystem sink restore stays inside its output directory', () => {
  test.each([
    ['a final name climbing out', [{ hidden: HIDDEN, final: '../victim.csv' }], []],
    ['a final name climbing out of a partition', [{ hidden: HIDDEN, final: 'dt=2024-01-02/../../victim.csv' }], []],
    ['an absolute final name', [{ hidden: HIDDEN, final: '/tmp/victim.csv' }], []],
    ['a final name in another directory', [{ hidden: HIDDEN, final: 'dt=2024-01-03/part-job1-0-c1-0.csv' }], []],
    ['a final name that is not a part file', [{ hidden: HIDDEN, final: 'dt=2024-01-02/notes.txt' }], []],
    ['a hidden name climbing out', [{ hidden: '../.part-job1-0-a0-0.inprogress', final: 'part-job1-0-c1-0.csv' }], []],
    ['a partition climbing out (its success file)', [], ['../elsewhere']],
  ] as const)('%s is refused with MR_ERR_FILE_PATH_NOT_ALLOWED and nothing moves', async (_name, files, partitions) => {
    const { root, out, writer } = setUp();
    expect(() => writer.initializeState!([state([...files], [...partitions])])).toThrow(expect.objectContaining({ code: 'MR_ERR_FILE_PATH_NOT_ALLOWED' }));
    await writer.close!();
    expect(existsSync(path.join(out, HIDDEN))).toBe(true);
    expect(readdirSync(root).sort()).toEqual(['out']);
    expect(readdirSync(path.join(out, 'dt=2024-01-02'))).toEqual(['.part-job1-0-a0-0.inprogress']);
  });

  test('the sink\'s own names restore as before: the pending file becomes visible', async () => {
    const { out, writer } = setUp();
    writer.initializeState!([state([{ hidden: HIDDEN, final: 'dt=2024-01-02/part-job1-0-c1-0.csv' }], ['dt=2024-01-02'])]);
    await writer.close!();
    expect(readdirSync(path.join(out, 'dt=2024-01-02'))).toEqual(['part-job1-0-c1-0.csv']);
  });

  test('an unpartitioned sink\'s names at the root pass', () => {
    expect(() => checkRestoredFiles(state([{ hidden: '.part-job1-0-a0-0.inprogress', final: 'part-job1-0-end-0.csv' }]), '/out')).not.toThrow();
  });
});
