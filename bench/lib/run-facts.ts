// Facts a benchmark records beside each measured query, so that figures from runs on different
// days can stand in one table, each with its own time, load and source tree.

import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

/** 1-minute load average sampled while a query was measured. */
export interface LoadSample {
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

/** The commit Millrace runs from and what under runtime/ differs from it (a shared work tree may hold others' work in progress). */
export interface SourceTree {
  readonly commit: string;
  readonly modifiedRuntimeFiles: readonly string[];
}

export function sourceOf(root: string): SourceTree {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  return { commit: git('rev-parse', '--short', 'HEAD'), modifiedRuntimeFiles: git('status', '--porcelain', '--', 'runtime').split('\n').filter((l) => l.length > 0).map((l) => l.slice(3)) };
}

/** Samples the 1-minute load average every `everyMs` until stopped. */
export function sampleLoad(everyMs = 5000): { stop(): LoadSample | null } {
  const load: number[] = [loadavg()[0]!];
  const timer = setInterval(() => load.push(loadavg()[0]!), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return load.length === 0 ? null : { min: Math.min(...load), max: Math.max(...load), samples: load.length };
    },
  };
}

export function loadText(load: LoadSample | null): string {
  return load === null ? 'not sampled' : `${load.min.toFixed(2)}–${load.max.toFixed(2)} (${load.samples} samples)`;
}

export function sourceText(source: SourceTree | undefined): string {
  if (source === undefined) return 'source tree not recorded';
  const dirty = source.modifiedRuntimeFiles;
  return `Millrace from commit ${source.commit}${dirty.length === 0 ? '' : ` with ${dirty.length} uncommitted file(s) under runtime/ (${dirty.join(', ')})`}`;
}

/** The benchmark itself keeps every core busy: only a load beyond that is other work. */
export function busyBeyondItself(maxLoad: number, logicalCpus: number): boolean {
  return maxLoad > logicalCpus + 1;
}

/**
 * Rows of this run, plus the rows of the previous report that this run did not measure, when
 * both ran with the same settings (figures taken under other settings are dropped).
 */
export function mergeRows<R, S>(previous: { settings: S; rows: readonly R[] } | null, current: { settings: S; rows: readonly R[] }, keyOf: (row: R) => string): { rows: R[]; kept: string[] } {
  const same = previous !== null && JSON.stringify(previous.settings) === JSON.stringify(current.settings);
  const ran = new Set(current.rows.map(keyOf));
  const kept = same ? previous.rows.filter((r) => !ran.has(keyOf(r))) : [];
  return { rows: [...current.rows, ...kept], kept: kept.map(keyOf) };
}
