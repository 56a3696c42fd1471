// Benchmarks leave no process behind (issue 15): whatever they started (a `millrace run` with its
// JobManager and TaskManagers in process groups of their own, a Flink JVM, the operator) is gone
// once the benchmark has exited, on a normal end, an error, SIGINT and SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isAlive, type ProcessIdentity } from '../../bench/lib/children.ts';
import { processTable, treeOf } from '../../bench/lib/proc-cpu.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/spawning-bench.ts', import.meta.url));

interface Exited { readonly code: number | null; readonly signal: string | null }

function start(args: readonly string[]): { child: ChildProcess; exited: Promise<Exited>; stdout: () => string } {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<Exited>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stdout: () => out };
}

/** The descendants of `pid` now (pid itself left out), named by pid and start time. */
function descendants(pid: number): ProcessIdentity[] {
  return treeOf(pid, processTable()).filter((s) => s.pid !== pid && s.state !== 'Z').map((s) => ({ pid: s.pid, startTicks: s.startTicks }));
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the fixture to the point where it printed its pids; returns them with the whole tree. */
async function fixture(mode: string, stubborn = false) {
  const run = start([FIXTURE, mode, ...(stubborn ? ['stubborn'] : [])]);
  const pids = await until('the fixture to start its processes', 20_000, () => {
    const line = run.stdout().split('\n').find((l) => l.startsWith('{'));
    return line ? (JSON.parse(line) as { child: number; grandchild: number }) : undefined;
  });
  return { run, pids };
}

const survivors = (members: readonly ProcessIdentity[]) => members.filter((m) => isAlive(m));

describe('a benchmark stops every process it started', () => {
  test.each([
    ['SIGINT', 130, false],
    // the grandchild ignores SIGTERM: stopped by the SIGKILL that follows the grace time
    ['SIGTERM', 143, true],
  ] as const)('%s: exits %i and its child and grandchild (another process group) are gone', async (signal, expectedCode, stubborn) => {
    const { run, pids } = await fixture('wait', stubborn);
    const tree = descendants(run.child.pid!);
    expect(tree.map((m) => m.pid)).toEqual(expect.arrayContaining([pids.child, pids.grandchild]));
    const signalledAt = Date.now();
    run.child.kill(signal);
    expect((await run.exited).code).toBe(expectedCode);
    expect(survivors(tree)).toEqual([]);
    // a process that ignores SIGTERM is killed after the grace time (5 s), not waited for forever
    if (stubborn) expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(4900);
  }, 30_000);

  test.each([
    ['end', 0],
    ['throw', 1],
  ] as const)('%s: exits %i with nothing left running', async (mode, expectedCode) => {
    const { run, pids } = await fixture(mode);
    // the tree is read while the fixture still runs: it ends on its own right after printing its pids
    const known = [pids.child, pids.grandchild].map((pid) => processTable().find((s) => s.pid === pid)).filter((s) => s !== undefined).map((s) => ({ pid: s.pid, startTicks: s.startTicks }));
    const exited = await run.exited;
    expect(exited.code).toBe(expectedCode);
    if (mode === 'throw') expect(run.stdout()).toContain('MR_ERR_TEST_BENCH');
    expect(survivors(known)).toEqual([]);
  }, 30_000);

  test('bench:nexmark interrupted during a measured Millrace run: the runner, its JobManager and TaskManagers are gone', async () => {
    const run = start(['bench/nexmark.ts', '--queries', 'q0', '--systems', 'millrace', '--runs', '1', '--warmup-seconds', '120', '--measure-seconds', '1',
      '--taskmanagers', '2', '--no-verify', '--no-latency', '--no-write']);
    // runner + JobManager + 2 TaskManagers, the last three in process groups of their own
    const tree = await until('millrace run with its JobManager and 2 TaskManagers', 60_000, () => {
      if (run.child.exitCode !== null) throw new Error(`bench:nexmark exited early: ${run.stdout().slice(-2000)}`);
      const members = treeOf(run.child.pid!, processTable()).filter((s) => s.pid !== run.child.pid && s.state !== 'Z');
      return members.length >= 4 ? members.map((s) => ({ pid: s.pid, startTicks: s.startTicks })) : undefined;
    });
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(143);
    expect(survivors(tree)).toEqual([]);
  }, 90_000);
});
