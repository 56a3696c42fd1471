// The file sink's restore takes its pending file names from a checkpoint in storage: a planted or
// altered state must not move files into or out of places other than its output directory.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileCommitter, type FileCommitState } from './file-commit.ts';
import { fileSink } from './file-sink.ts';

function setup() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'file-sink-restore-'));
  const out = path.join(root, 'out');
  mkdirSync(out);
  writeFileSync(path.join(root, 'victim.txt'), 'outside the output directory');
  return { root, out };
}

const state = (hidden: string, final: string): FileCommitState => ({ job: 'job1', subtask: 0, checkpointId: 1, pending: [{ checkpointId: 1, files: [{ hidden, final }] }] });

describe('file sink restore stays inside its output directory', () => {
  test.each([
    ['a hidden name climbing out', '../victim.txt', 'part-job1-0-c1.jsonl'],
    ['a final name climbing out', '.part-job1-0-a0-0.inprogress', '../moved.jsonl'],
    ['an absolute hidden name', '/etc/hostname', 'part-job1-0-c1.jsonl'],
    ['a final name in a subdirectory', '.part-job1-0-a0-0.inprogress', 'sub/part-job1-0-c1.jsonl'],
    ['a name that is not a part file', 'notes.txt', 'part-job1-0-c1.jsonl'],
  ])('%s is refused with MR_ERR_FILE_PATH_NOT_ALLOWED and nothing moves', (_what, hidden, final) => {
    const { root, out } = setup();
    writeFileSync(path.join(out, '.part-job1-0-a0-0.inprogress'), 'pending\n');
    writeFileSync(path.join(out, 'notes.txt'), 'a file of the directory');
    const writer = fileSink<unknown>({ path: out, format: 'jsonl' }).createWriter();
    writer.open?.({ jobId: 'job1', subtaskIndex: 0, attempt: 1, restoring: true } as never);
    expect(() => writer.initializeState?.([state(hidden, final)])).toThrow(expect.objectContaining({ code: 'MR_ERR_FILE_PATH_NOT_ALLOWED' }));
    expect(readFileSync(path.join(root, 'victim.txt'), 'utf8')).toBe('outside the output directory');
    expect(existsSync(path.join(root, 'moved.jsonl'))).toBe(false);
    expect(readdirSync(out).sort()).toEqual(['.part-job1-0-a0-0.inprogress', 'notes.txt']);
    writer.close?.();
  });

  test('the committer\'s own names are restored as before', () => {
    const { out } = setup();
    writeFileSync(path.join(out, '.part-job1-0-a0-0.inprogress'), 'pending\n');
    new FileCommitter({ dir: out, jobId: 'job1', subtask: 0, attempt: 1, ext: 'jsonl' }).restore([state('.part-job1-0-a0-0.inprogress', 'part-job1-0-c1.jsonl')]);
    expect(readdirSync(out)).toEqual(['part-job1-0-c1.jsonl']);
  });
});
