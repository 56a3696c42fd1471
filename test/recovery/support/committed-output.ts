// What a reader of the sink's directory sees: committed files only. In-progress and pending
// files of the two-phase-commit sink are hidden (a leading dot or underscore, or a
// .inprogress/.pending suffix) and are never part of the output.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function isCommittedFile(name: string): boolean {
  return !name.startsWith('.') && !name.startsWith('_') && !/\.(inprogress|pending|tmp)$/.test(name);
}

/** Every committed file under `dir` (recursively), sorted by path. */
export function committedFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (!isCommittedFile(entry.name)) continue;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** All JSON lines of all committed files under `dir`. */
export function readCommittedJsonLines<T>(dir: string): T[] {
  const rows: T[] = [];
  for (const file of committedFiles(dir)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim() !== '') rows.push(JSON.parse(line) as T);
  }
  return rows;
}

export interface RowDifference {
  /** Rows expected but not in the output (lost), with how many are missing. */
  readonly missing: Array<{ row: string; times: number }>;
  /** Rows in the output more often than expected (duplicated or wrong). */
  readonly unexpected: Array<{ row: string; times: number }>;
}

/** Multiset difference of canonical row strings: empty both ways means exactly equal. */
export function diffMultisets(expected: readonly string[], actual: readonly string[]): RowDifference {
  const counts = new Map<string, number>();
  for (const row of expected) counts.set(row, (counts.get(row) ?? 0) + 1);
  for (const row of actual) counts.set(row, (counts.get(row) ?? 0) - 1);
  const missing: RowDifference['missing'] = [];
  const unexpected: RowDifference['unexpected'] = [];
  for (const [row, n] of counts) {
    if (n > 0) missing.push({ row, times: n });
    if (n < 0) unexpected.push({ row, times: -n });
  }
  return { missing, unexpected };
}

export function describeDifference(d: RowDifference, limit = 5): string {
  if (d.missing.length === 0 && d.unexpected.length === 0) return 'equal';
  const show = (list: RowDifference['missing']) => list.slice(0, limit).map((e) => `${e.row} x${e.times}`).join('; ');
  return `${d.missing.length} row kinds missing (e.g. ${show(d.missing)}), ${d.unexpected.length} unexpected or duplicated (e.g. ${show(d.unexpected)})`;
}
