// Every process a benchmark starts is stopped when the benchmark ends: normally, by an error,
// or by SIGINT, SIGTERM or SIGHUP. (A SIGKILL of the benchmark itself cannot be caught; the Flink
// peer's probe exits when its stdin closes, and Millrace's JobManager and TaskManagers exit when
// their runner's IPC channel closes.)
//
// Benchmarks start their systems in their own process groups (so a timeout can stop the whole
// group, and a terminal's Ctrl-C reaches only the benchmark), and `millrace run` starts its
// JobManager and TaskManagers in process groups of their own too. So a process group is not
// the unit to kill: this module kills process trees, found by parent pid in /proc, and it
// collects a whole tree before signalling any of it (a child whose parent died is re-parented
// and no longer found under it). A process is named by pid and start time, so a pid reused by an
// unrelated process is never signalled.
//
// Servers the benchmarks reuse and leave running on purpose (MinIO, the test cluster) are not
// tracked here: only what a benchmark registers with `spawnChild`, `trackChild` or `trackPids`.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseProcStat, processTable, treeOf, type ProcStat } from './proc-cpu.ts';

export { processTable };

/** A process named so that a reused pid is not mistaken for it. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTicks: number;
}

/** Whether the process still runs: present with the same start time and not a zombie (exited, not yet reaped). */
export function isAlive(p: ProcessIdentity, table: readonly ProcStat[] = processTable()): boolean {
  const s = table.find((t) => t.pid === p.pid);
  return s !== undefined && s.startTicks === p.startTicks && s.state !== 'Z';
}

/** The live processes of the trees under `roots` (roots included), plus the `known` members still alive. */
export function liveTreeMembers(roots: readonly ProcessIdentity[], known: readonly ProcessIdentity[], table: readonly ProcStat[]): ProcessIdentity[] {
  const out = new Map<number, ProcessIdentity>();
  const live = (s: ProcStat) => s.state !== 'Z';
  for (const root of roots) {
    const s = table.find((t) => t.pid === root.pid);
    if (s === undefined || s.startTicks !== root.startTicks) continue;
    for (const m of treeOf(root.pid, table)) if (live(m)) out.set(m.pid, { pid: m.pid, startTicks: m.startTicks });
  }
  for (const k of known) {
    if (out.has(k.pid)) continue;
    const s = table.find((t) => t.pid === k.pid);
    if (s !== undefined && s.startTicks === k.startTicks && live(s)) {
      for (const m of treeOf(k.pid, table)) if (live(m)) out.set(m.pid, { pid: m.pid, startTicks: m.startTicks });
    }
  }
  return [...out.values()];
}

function identityOf(pid: number): ProcessIdentity | undefined {
  try {
    const s = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return { pid, startTicks: s.startTicks };
  } catch {
    return undefined;
  }
}

function signal(members: readonly ProcessIdentity[], sig: NodeJS.Signals): void {
  for (const m of members) {
    try { process.kill(m.pid, sig); } catch { /* gone */ }
  }
}

// ---- the registry

const roots = new Map<number, ProcessIdentity>();
const providers = new Set<() => Iterable<number | undefined>>();
const interruptHooks = new Set<() => Promise<unknown>>();
let installed = false;
let log: (line: string) => void = (line) => process.stderr.write(`[bench] ${line}\n`);

function currentRoots(): ProcessIdentity[] {
  const out = [...roots.values()];
  for (const provide of providers) {
    for (const pid of provide()) {
      if (pid === undefined || roots.has(pid)) continue;
      const id = identityOf(pid);
      if (id) out.push(id);
    }
  }
  return out;
}

/** Registers a child the benchmark started (untracked again once it has exited). */
export function trackChild(child: ChildProcess): ChildProcess {
  installCleanup();
  const pid = child.pid;
  if (pid === undefined) return child;
  const id = identityOf(pid);
  if (id) roots.set(pid, id);
  child.once('exit', () => roots.delete(pid));
  return child;
}

/** `spawn` in its own process group (detached), tracked. */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return trackChild(spawn(command, args, { detached: true, ...options }));
}

/**
 * Registers processes started by code that is not the benchmark's own (a test harness's
 * supervised processes): `pids` is asked for the current ones whenever the trees are stopped.
 * Returns the function that unregisters them.
 */
export function trackPids(pids: () => Iterable<number | undefined>): () => void {
  installCleanup();
  providers.add(pids);
  return () => providers.delete(pids);
}

/** Graceful cleanup on SIGINT/SIGTERM/SIGHUP (stop a cluster, delete what the run created), before the trees are stopped. */
export function onInterrupt(hook: () => Promise<unknown>): () => void {
  installCleanup();
  interruptHooks.add(hook);
  return () => interruptHooks.delete(hook);
}

/** SIGKILLs every tracked tree now, synchronously (for process 'exit'). Returns how many processes were signalled. */
export function killTrackedNow(): number {
  let known: ProcessIdentity[] = [];
  let signalled = 0;
  // a few rounds: a process may fork between reading /proc and the kill
  for (let round = 0; round < 5; round++) {
    const members = liveTreeMembers(currentRoots(), known, processTable());
    if (members.length === 0) break;
    signal(members, 'SIGKILL');
    signalled += members.length;
    known = members;
  }
  return signalled;
}

/**
 * Stops every tracked tree: `sig` to every member at once, then SIGKILL to what is left after
 * `graceMs`; resolves when none of them runs any more.
 */
export async function stopTracked(sig: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  let members = liveTreeMembers(currentRoots(), [], processTable());
  if (members.length === 0) return;
  signal(members, sig);
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    await sleep(50);
    members = liveTreeMembers([], members, processTable());
    if (members.length === 0) return;
  }
  killTrackedNow();
  signal(members, 'SIGKILL');
  for (let i = 0; i < 100 && liveTreeMembers([], members, processTable()).length > 0; i++) await sleep(20);
}

/**
 * Stops one child and its tree (descendants in other process groups included): `sig` to every
 * process of the tree (`to: 'tree'`) or to the child alone (`'root'`, to let it stop its own
 * children, as `millrace run` does on SIGINT); once the child has exited or `graceMs` passed,
 * SIGKILL to whatever of the tree still runs.
 */
export async function stopChild(child: ChildProcess, sig: NodeJS.Signals = 'SIGTERM', graceMs = 5000, to: 'tree' | 'root' = 'tree'): Promise<void> {
  if (child.pid === undefined) return;
  const id = roots.get(child.pid) ?? identityOf(child.pid);
  if (id) {
    let members = liveTreeMembers([id], [], processTable());
    signal(to === 'root' ? members.filter((m) => m.pid === id.pid) : members, sig);
    const deadline = performance.now() + graceMs;
    while (isAlive(id) && performance.now() < deadline) await sleep(50);
    for (let round = 0; round < 5; round++) {
      members = liveTreeMembers([], members, processTable());
      if (members.length === 0) break;
      signal(members, 'SIGKILL');
      await sleep(20);
    }
  }
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
}

const INTERRUPT_HOOK_MS = 60_000;

/** Installs the handlers once: process 'exit' kills what is left; a signal cleans up and exits 128 + its number. */
export function installCleanup(logLine?: (line: string) => void): void {
  if (logLine) log = logLine;
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    const n = killTrackedNow();
    if (n > 0) log(`killed ${n} process(es) the benchmark had started and not stopped`);
  });
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      const code = 128 + constants.signals[sig];
      if (interrupted) {
        // a second signal: no more waiting
        process.exit(code);
      }
      interrupted = true;
      log(`${sig}: stopping every process the benchmark started`);
      const hooks = Promise.allSettled([...interruptHooks].map((h) => h()));
      const bounded = Promise.race([hooks, sleep(INTERRUPT_HOOK_MS)]);
      void bounded.then(() => stopTracked('SIGTERM', 5000)).finally(() => process.exit(code));
    });
  }
}

/**
 * Runs a benchmark's main: on return and on error the tracked trees are stopped (SIGTERM, then
 * SIGKILL), and the process exits (0, or 1 after printing the error), so nothing it started can
 * keep it, or outlive it.
 */
export async function runBench(main: () => Promise<void>, finish?: () => void): Promise<never> {
  installCleanup();
  let code = 0;
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    code = 1;
  }
  try { finish?.(); } catch { /* cleanup of files only */ }
  await stopTracked('SIGTERM', 5000);
  process.exit(code);
}
