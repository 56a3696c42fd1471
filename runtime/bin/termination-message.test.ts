import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { terminationMessage, writeTerminationMessage } from './termination-message.ts';

class Coded extends Error {
  readonly code: string;
  constructor(code: string, message: string, cause?: unknown) { super(message, cause === undefined ? undefined : { cause }); this.code = code; }
}

describe('terminationMessage', () => {
  test('the code the message starts with wins (a load error wrapped as an invalid job)', () => {
    expect(terminationMessage(new Coded('MR_ERR_JOB_INVALID', 'MR_ERR_JOB_LOAD: cannot import job module s3://b/job.js: not found')))
      .toBe('MR_ERR_JOB_LOAD: cannot import job module s3://b/job.js: not found');
  });
  test('else the deepest coded cause, else the error\'s own code', () => {
    const load = new Coded('MR_ERR_JOB_LOAD', 'cannot import job module x');
    expect(terminationMessage(new Coded('MR_ERR_JOB_INVALID', 'cannot import job module x', load))).toBe('MR_ERR_JOB_LOAD: cannot import job module x');
    expect(terminationMessage(new Coded('MR_ERR_JOB_INVALID', 'build failed on purpose', new Error('build failed on purpose')))).toBe('MR_ERR_JOB_INVALID: build failed on purpose');
    expect(terminationMessage(new Error('plain'))).toBe('plain');
  });
  test('at most the 4096 bytes the kubelet keeps', () => {
    const m = terminationMessage(new Coded('MR_ERR_JOB_INVALID', 'é'.repeat(5000)));
    expect(Buffer.byteLength(m)).toBeLessThanOrEqual(4096);
    expect(m.endsWith('...')).toBe(true);
  });
});

describe('writeTerminationMessage', () => {
  test('replaces the content of an existing termination log; creates nothing where there is none', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'termination-'));
    try {
      const file = path.join(dir, 'termination-log');
      writeFileSync(file, 'something older and longer than the message');
      expect(writeTerminationMessage(new Coded('MR_ERR_JOB_LOAD', 'gone'), file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('MR_ERR_JOB_LOAD: gone');
      const absent = path.join(dir, 'absent');
      expect(writeTerminationMessage(new Error('x'), absent)).toBe(false);
      expect(existsSync(absent)).toBe(false);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
