// The TypeScript modules the UDF tests register with CREATE FUNCTION ... LANGUAGE JAVASCRIPT,
// written to a temporary directory (the script's base directory) as a user would write them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const UDF_DIR = mkdtempSync(path.join(tmpdir(), 'millrace-udf-kinds-'));

writeFileSync(path.join(UDF_DIR, 'fns.ts'), `
// Flink's documentation example: one row per word with its length.
export const split_words = {
  kind: 'table',
  result: 'ROW<word STRING, length INT>',
  *eval(s: string | null) {
    if (s === null) return;
    for (const w of s.split(' ')) if (w !== '') yield [w, w.length];
  },
};
// rows as objects by field name, from an array returned at once
export const elements = {
  kind: 'table',
  result: 'ROW<x STRING>',
  eval: (xs: string[] | null) => (xs ?? []).map((x) => ({ x })),
};
// an atomic result: one column named f0
export const upto = { kind: 'table', result: 'INT', eval: (n: number) => Array.from({ length: n }, (_, i) => i + 1) };
export const shout = { result: 'STRING', eval: (s: string) => s.toUpperCase() };

// Flink's documentation example of an AggregateFunction: a weighted average.
export const weighted_avg = {
  kind: 'aggregate',
  result: 'DOUBLE',
  createAccumulator: () => ({ sum: 0, count: 0 }),
  accumulate(acc: { sum: number; count: number }, value: number | null, weight: number | null) {
    if (value === null || weight === null) return;
    acc.sum += value * weight;
    acc.count += weight;
  },
  retract(acc: { sum: number; count: number }, value: number | null, weight: number | null) {
    if (value === null || weight === null) return;
    acc.sum -= value * weight;
    acc.count -= weight;
  },
  merge(acc: { sum: number; count: number }, others: Iterable<{ sum: number; count: number }>) {
    for (const o of others) { acc.sum += o.sum; acc.count += o.count; }
  },
  getValue: (acc: { sum: number; count: number }) => (acc.count === 0 ? null : acc.sum / acc.count),
};
// no retract: refused over an updating input
export const longest = {
  kind: 'aggregate',
  result: 'STRING',
  createAccumulator: () => ({ best: null as string | null }),
  accumulate(acc: { best: string | null }, s: string | null) { if (s !== null && (acc.best === null || s.length > acc.best.length)) acc.best = s; },
  getValue: (acc: { best: string | null }) => acc.best,
};
export const bad_acc = { kind: 'aggregate', result: 'BIGINT', createAccumulator: () => new Map(), accumulate() {}, getValue: () => 1 };
`);
