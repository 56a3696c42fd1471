// `millrace run` in local mode, as a user runs it: exit codes, the summary file, Ctrl-C.
// Every run checkpoints into its own temporary directory, removed afterwards, so test runs
// leave nothing in the user's default storage and never resume each other's jobs.

import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MILLRACE_BIN } from '../../runtime/local/process-cluster.ts';
import { useTempDirs } from '../support/temp-dirs.ts';

jest.setTimeout(120_000);
const Q2 = fileURLToPath(new URL('../../examples/nexmark/q2.ts', import.meta.url));
const BID_COUNTS = fileURLToPath(new URL('./fixtures/bid-counts.job.ts', import.meta.url));

const tempDir = useTempDirs();

function run(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stderr: string; storage: string }> {
  const storage = tempDir('cli-storage-');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MILLRACE_BIN, 'run', ...args, '--checkpoint-dir', storage], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      onStderr?.(stderr, child);
    });
    child.on('exit', (code) => resolve({ code, stderr, storage }));
  });
}

describe('millrace run (local mode)', () => {
  test('a bounded job finishes with exit code 0 and writes the summary', async () => {
    const dir = tempDir('cli-');
    const summaryFile = path.join(dir, 'summary.json');
    const r = await run([Q2, '--parallelism', '2', '--taskmanagers', '2', '--set', 'events=20000', '--summary-json', summaryFile, '--no-progress']);
    expect(r.stderr).toMatch(/FINISHED/);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`checkpoints every 10000 ms to ${r.storage} (flink-jobs/local/nexmark-q2/`);
    const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as Record<string, number | string>;
    expect(s).toMatchObject({ state: 'FINISHED', events: 20000 });
    expect(s.durationMs).toBeGreaterThan(0);
    expect(s.recordsIn).toBeGreaterThanOrEqual(20000);
    expect((s.cpuUserMs as number) + (s.cpuSystemMs as number)).toBeGreaterThan(0);
  });

  test('a failing job exits non-zero and prints the error', async () => {
    const out = tempDir('cli-');
    const r = await run([BID_COUNTS, '--parallelism', '2', '--taskmanagers', '2', '--set', 'events=20000', '--set', `out=${out}`, '--set', 'failAt=7', '--restart-strategy', 'none', '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED: .*MR_TEST_FAILURE: injected failure/);
  });

  test('Ctrl-C cancels an unbounded job, stops the processes and exits 130', async () => {
    let url = '';
    let sent = false;
    const r = await run([Q2, '--parallelism', '2', '--taskmanagers', '2', '--set', 'rate=2000'], (text, child) => {
      const m = /JobManager (http:\/\/[^,]+),/.exec(text);
      if (m && !sent) {
        url = m[1]!;
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 3000);
      }
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/CANCELED/);
    expect(r.stderr).toMatch(/events [\d.]+k? \| [\d.]+k?\/s \| wm lag [^|]+ \| backpressure \d+%/);
    await expect(fetch(`${url}/overview`)).rejects.toThrow();
  });
});

describe('npx millrace, as the README starts it', () => {
  test('the package bin runs (it is executable, with a node shebang) and prints its usage', async () => {
    const repo = fileURLToPath(new URL('../../', import.meta.url));
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('npx', ['--no-install', 'millrace', 'help'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
      child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(r.out).not.toMatch(/Permission denied/);
    expect(r.out).toMatch(/usage:\s+millrace run <job-module>/);
  });
});
