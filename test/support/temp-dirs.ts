// Temporary directories that a test file makes and that are removed after each test, so test
// runs leave nothing behind (checkpoints, outputs) and never see each other's files.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Call at the top of a test file; returns `tempDir(prefix)`, a fresh directory under the OS temp dir. */
export function useTempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
