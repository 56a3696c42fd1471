// CPU seconds of a whole process tree from /proc, sampled at the start and the end of a measured
// window: the same window the throughput is computed over. `/usr/bin/time` around a command gives
// the CPU of the command's whole life (start-up, warm-up, shutdown), which is not the window.
//
// utime and stime of /proc/<pid>/stat include every thread of the process (worker threads of a
// TaskManager, a JVM's threads); cutime and cstime hold the CPU of children the process has
// reaped, so a child that exits inside the window keeps counting. Parsing and summing are pure;
// `sampleTreeCpu` reads /proc.

import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** R, S, D, Z (zombie: exited, not yet reaped), ... */
  readonly state: string;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks */
  readonly ticks: number;
  /** when the process started, in clock ticks after boot: with the pid, names one process (pids are reused) */
  readonly startTicks: number;
}

/** Clock ticks per second of /proc times (USER_HZ; 100 on Linux for every architecture here). */
export const TICKS_PER_SECOND = 100;

/**
 * One /proc/<pid>/stat line. The command name is in parentheses and may itself contain spaces
 * and parentheses, so the fields are counted from the last ')'.
 */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`MR_ERR_BENCH_PROC: not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  const pid = Number(line.slice(0, open).trim());
  const comm = line.slice(open + 1, close);
  // fields after ')': 3 state, 4 ppid, ..., 14 utime, 15 stime, 16 cutime, 17 cstime, ..., 22 starttime (1-based, man 5 proc)
  const rest = line.slice(close + 2).split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  const ticks = field(14) + field(15) + field(16) + field(17);
  if (!Number.isFinite(pid) || !Number.isFinite(ticks)) throw new Error(`MR_ERR_BENCH_PROC: unreadable numbers in /proc/<pid>/stat: ${line.slice(0, 80)}`);
  return { pid, comm, state: rest[0] ?? '', ppid: field(4), ticks, startTicks: field(22) };
}

/** The root and every descendant of it among `stats` (by parent pid). */
export function treeOf(rootPid: number, stats: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const out: ProcStat[] = [];
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return out;
  const queue = [root];
  while (queue.length > 0) {
    const s = queue.shift()!;
    out.push(s);
    queue.push(...(children.get(s.pid) ?? []));
  }
  return out;
}

export interface TreeCpuSample {
  /** performance.now() of the sample */
  readonly atMs: number;
  /** per process of the tree: its ticks */
  readonly ticksByPid: ReadonlyMap<number, number>;
}

/**
 * CPU seconds the tree used between two samples. A process in the end sample but not the start
 * one started inside the window: all its ticks count. A process gone by the end (reaped) is counted
 * by its parent's cutime/cstime, which grew by what it used in total, so its start ticks come off.
 */
export function cpuSecondsBetween(start: TreeCpuSample, end: TreeCpuSample): number {
  let ticks = 0;
  for (const [pid, t] of end.ticksByPid) ticks += t - (start.ticksByPid.get(pid) ?? 0);
  for (const [pid, t] of start.ticksByPid) if (!end.ticksByPid.has(pid)) ticks -= t;
  return ticks / TICKS_PER_SECOND;
}

/** Every process in /proc (processes that vanish while reading are skipped). */
export function processTable(procDir = '/proc'): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync(procDir)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      stats.push(parseProcStat(readFileSync(`${procDir}/${name}/stat`, 'utf8')));
    } catch {
      // the process exited between readdir and read
    }
  }
  return stats;
}

/** Reads /proc/*\/stat and samples the tree under `rootPid`. */
export function sampleTreeCpu(rootPid: number, procDir = '/proc'): TreeCpuSample {
  const stats = processTable(procDir);
  const atMs = performance.now();
  return { atMs, ticksByPid: new Map(treeOf(rootPid, stats).map((s) => [s.pid, s.ticks])) };
}
