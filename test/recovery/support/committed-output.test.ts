import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { committedFiles, describeDifference, diffMultisets, isCommittedFile, readCommittedJsonLines } from './committed-output.ts';

describe('committed sink output', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'committed-output-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('leaves out in-progress and pending files of the two-phase-commit sink', () => {
    expect(isCommittedFile('part-0-3.jsonl')).toBe(true);
    for (const hidden of ['.part-0-attempt-1.inprogress', '_pending', 'part-0.jsonl.pending', 'part-1.inprogress']) expect(isCommittedFile(hidden)).toBe(false);
    mkdirSync(path.join(dir, 'chk'));
    writeFileSync(path.join(dir, 'part-0.jsonl'), '{"a":1}\n{"a":2}\n');
    writeFileSync(path.join(dir, 'chk', 'part-1.jsonl'), '{"a":3}\n\n');
    writeFileSync(path.join(dir, '.part-0-attempt-2.inprogress'), '{"a":99}\n');
    expect(committedFiles(dir).map((f) => path.relative(dir, f))).toEqual(['chk/part-1.jsonl', 'part-0.jsonl']);
    expect(readCommittedJsonLines<{ a: number }>(dir).map((r) => r.a).sort()).toEqual([1, 2, 3]);
  });

  test('differs from the expected rows when a row is lost or duplicated, and says which', () => {
    expect(describeDifference(diffMultisets(['a', 'b', 'b'], ['b', 'a', 'b']))).toBe('equal');
    const d = diffMultisets(['a', 'b', 'c'], ['a', 'b', 'b']);
    expect(d.missing).toEqual([{ row: 'c', times: 1 }]);
    expect(d.unexpected).toEqual([{ row: 'b', times: 1 }]);
    expect(describeDifference(d)).toBe('1 row kinds missing (e.g. c x1), 1 unexpected or duplicated (e.g. b x1)');
  });
});
