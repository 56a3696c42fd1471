import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileCommitter, type FileCommitState } from './file-commit.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'file-commit-'));
const visible = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
const content = (dir: string) => visible(dir).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('');
const json = (s: FileCommitState): FileCommitState => JSON.parse(JSON.stringify(s)) as FileCommitState;

describe('two-phase commit of file sink output', () => {
  test('written data stays hidden until its checkpoint completes; pending files commit in checkpoint order', () => {
    const dir = tmp();
    const c = new FileCommitter({ dir, jobId: 'job-1234567890', subtask: 0, attempt: 0, ext: 'jsonl' });
    c.write('a\n');
    expect(visible(dir)).toEqual([]);
    c.snapshot(1);
    c.write('b\n');
    c.snapshot(2);
    c.write('c\n');
    expect(visible(dir)).toEqual([]);
    c.commitUpTo(1);
    expect(visible(dir)).toEqual(['part-job12345-0-c1.jsonl']);
    c.commitUpTo(2);
    expect(content(dir)).toBe('a\nb\n');
    c.finish();
    expect(visible(dir)).toEqual(['part-job12345-0-c1.jsonl', 'part-job12345-0-c2.jsonl', 'part-job12345-0-end.jsonl']);
    expect(content(dir)).toBe('a\nb\nc\n');
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('a checkpoint without new data adds no file', () => {
    const dir = tmp();
    const c = new FileCommitter({ dir, jobId: 'j', subtask: 3, attempt: 0, ext: 'csv' });
    expect(c.snapshot(1).pending).toEqual([]);
  });

  test('restore commits the pending files of the restored checkpoint and aborts later data', () => {
    const dir = tmp();
    const before = new FileCommitter({ dir, jobId: 'j1', subtask: 0, attempt: 0, ext: 'jsonl' });
    before.write('1\n');
    const state = json(before.snapshot(1)); // checkpoint 1 completes, but the notification is lost
    before.write('2\n');
    before.snapshot(2); // checkpoint 2 never completes
    before.write('3\n');
    before.close(); // the task dies
    const after = new FileCommitter({ dir, jobId: 'j1', subtask: 0, attempt: 1, ext: 'jsonl' });
    after.restore([state]);
    expect(visible(dir)).toEqual(['part-j1-0-c1.jsonl']);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    after.restore([state]); // idempotent
    expect(content(dir)).toBe('1\n');
  });

  test('restore rolls back output committed at end of input after the restored checkpoint; a replay writes it again', () => {
    const dir = tmp();
    const run = new FileCommitter({ dir, jobId: 'j1', subtask: 1, attempt: 0, ext: 'jsonl' });
    run.write('x\n');
    const state = json(run.snapshot(4));
    run.commitUpTo(4);
    run.write('y\n');
    run.finish(); // this subtask ended; another one fails before the job finishes
    expect(content(dir)).toBe('x\ny\n');
    const replay = new FileCommitter({ dir, jobId: 'j1', subtask: 1, attempt: 1, ext: 'jsonl' });
    replay.restore([state]);
    expect(content(dir)).toBe('x\n');
    replay.write('y\n');
    replay.finish();
    expect(content(dir)).toBe('x\ny\n');
  });

  test('after a rescale a subtask takes over the files of the old subtasks assigned to it', () => {
    const dir = tmp();
    const states = [0, 1].map((s) => {
      const c = new FileCommitter({ dir, jobId: 'old', subtask: s, attempt: 0, ext: 'jsonl' });
      c.write(`s${s}\n`);
      const st = json(c.snapshot(1));
      c.write(`late${s}\n`);
      c.close();
      return st;
    });
    const merged = new FileCommitter({ dir, jobId: 'new', subtask: 0, attempt: 0, ext: 'jsonl' });
    merged.restore(states);
    expect(visible(dir)).toEqual(['part-old-0-c1.jsonl', 'part-old-1-c1.jsonl']);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('a failover without a checkpoint removes what the subtask committed before', () => {
    const dir = tmp();
    const first = new FileCommitter({ dir, jobId: 'j', subtask: 0, attempt: 0, ext: 'jsonl' });
    first.write('a\n');
    first.finish();
    const other = new FileCommitter({ dir, jobId: 'j', subtask: 1, attempt: 0, ext: 'jsonl' });
    other.write('b\n');
    other.finish();
    new FileCommitter({ dir, jobId: 'j', subtask: 0, attempt: 1, ext: 'jsonl' }).rollBackAll();
    expect(visible(dir)).toEqual(['part-j-1-end.jsonl']);
  });
});
