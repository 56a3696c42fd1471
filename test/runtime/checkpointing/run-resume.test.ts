// `millrace run` in local mode checkpoints into a local directory and `--resume` continues from
// the latest completed checkpoint of the job name; a checkpoint with a missing state file is
// reported and skipped in favour of the one before it. The committed output is exact. Each test
// checkpoints into its own temporary directory (never the user's default storage) and removes it.

import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { MILLRACE_BIN } from '../../../runtime/local/process-cluster.ts';
import { useTempDirs } from '../../support/temp-dirs.ts';
import { committedWindowCounts, expectedWindowCounts, WINDOW_COUNTS } from './support.ts';

jest.setTimeout(180_000);
const EVENTS = 60_000;

function start(args: string[]): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [MILLRACE_BIN, 'run', WINDOW_COUNTS, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))) };
}

const tempDir = useTempDirs();

const completed = (jobDir: string): number[] => (existsSync(jobDir) ? readdirSync(jobDir) : [])
  .filter((d) => /^chk-\d+$/.test(d) && existsSync(path.join(jobDir, d, '_metadata'))).map((d) => Number(d.slice(4))).sort((a, b) => a - b);

describe('millrace run --resume', () => {
  test('a killed local run resumes from its previous checkpoint when the latest lost a file; output exact', async () => {
    const dir = tempDir('run-resume-');
    const storage = path.join(dir, 'storage');
    const out = path.join(dir, 'out');
    const common = ['--parallelism', '2', '--taskmanagers', '2', '--set', `events=${EVENTS}`, '--set', `out=${out}`, '--checkpoint-dir', storage, '--checkpoint-interval-ms', '500', '--no-progress'];
    const first = start([...common, '--set', 'rate=5000']);
    const deploymentDir = path.join(storage, 'flink-jobs', 'local', 'window-counts');
    let jobDir = '';
    for (let i = 0; i < 600; i++) {
      const jobs = existsSync(deploymentDir) ? readdirSync(deploymentDir).filter((d) => d !== 'ha') : [];
      jobDir = jobs[0] ? path.join(deploymentDir, jobs[0]) : '';
      if (jobDir && completed(jobDir).length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    first.child.kill('SIGKILL');
    await first.done;
    await new Promise((r) => setTimeout(r, 1500)); // its JobManager and TaskManagers exit by themselves
    const ids = completed(jobDir);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const latest = ids.at(-1)!;
    const previous = ids.at(-2)!;
    const victim = readdirSync(path.join(jobDir, `chk-${latest}`)).find((f) => f.includes('counts'))!;
    rmSync(path.join(jobDir, `chk-${latest}`, victim));

    const second = await start([...common, '--resume']).done;
    expect(second.stderr).toMatch(/MR_ERR_RESTORE_UNUSABLE: .*chk-\d+\/ is skipped: MR_ERR_CHECKPOINT_MISSING/);
    expect(second.stderr).toContain(`restoring from checkpoint ${previous} at ${path.join(jobDir, `chk-${previous}`)}/`);
    expect(second.code).toBe(0);
    expect(committedWindowCounts(out)).toEqual(expectedWindowCounts(EVENTS));
  });

  test('--resume without any checkpoint says so and starts from the beginning', async () => {
    const dir = tempDir('run-resume-empty-');
    const r = await start(['--set', 'events=2000', '--set', `out=${path.join(dir, 'out')}`, '--checkpoint-dir', path.join(dir, 'storage'), '--resume', '--no-progress']).done;
    expect(r.stderr).toMatch(/--resume found no completed checkpoint or savepoint of 'window-counts'/);
    expect(r.code).toBe(0);
    expect(committedWindowCounts(path.join(dir, 'out'))).toEqual(expectedWindowCounts(2000));
  });
});
