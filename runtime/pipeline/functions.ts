// The pure pieces a pipeline is made of: field access, comparisons, projection and the window
// aggregates. Compiled once per pipeline; no I/O, easy to test exhaustively.
import type { AggregateFunction } from '../api/functions.ts';
import type { Aggregate, Comparison, FieldCondition } from './schema.ts';

export type Row = Record<string, unknown>;

/** `a.b.c` reads nested objects; a missing step gives undefined. */
export function getField(row: unknown, path: string): unknown {
  if (!path.includes('.')) return (row as Row | null | undefined)?.[path];
  let v: unknown = row;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Row)[part];
  }
  return v;
}

function compare(op: Comparison, left: unknown, right: string | number | boolean): boolean {
  if (left === undefined || left === null) return op === '!=';
  // Numbers compare as numbers, also when the record holds them as strings (CSV, text).
  const l = typeof right === 'number' && typeof left === 'string' && left.trim() !== '' ? Number(left) : left;
  switch (op) {
    case '==': return l === right;
    case '!=': return l !== right;
    case '<': return typeof l === typeof right && (l as number) < (right as number);
    case '<=': return typeof l === typeof right && (l as number) <= (right as number);
    case '>': return typeof l === typeof right && (l as number) > (right as number);
    case '>=': return typeof l === typeof right && (l as number) >= (right as number);
  }
}

/** All conditions hold; a missing field satisfies only `!=`. */
export function compilePredicate(where: readonly FieldCondition[]): (row: Row) => boolean {
  return (row) => where.every((c) => compare(c.op, getField(row, c.field), c.value));
}

/** Keeps the named fields, in the given order; a dotted name becomes the output key as written. */
export function compileProjection(fields: readonly string[]): (row: Row) => Row {
  return (row) => {
    const out: Row = {};
    for (const f of fields) out[f] = getField(row, f);
    return out;
  };
}

/** Accumulator of all aggregates of one window: count plus per-aggregate sum/min/max/numeric count. */
export interface Accumulator {
  count: number;
  /** min/max are null until a value arrives (accumulators are checkpointed as JSON: no Infinity). */
  values: Array<{ sum: number; n: number; min: number | null; max: number | null }>;
}

function numeric(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** One AggregateFunction computing every aggregate of a window step in a single pass. */
export function compileAggregates(aggregates: readonly Aggregate[]): AggregateFunction<Row, Accumulator, Row> {
  const empty = () => ({ sum: 0, n: 0, min: null, max: null });
  const lower = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
  const higher = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  return {
    createAccumulator: () => ({ count: 0, values: aggregates.map(empty) }),
    add(row, acc) {
      acc.count += 1;
      aggregates.forEach((a, i) => {
        if (a.fn === 'count') return;
        const v = numeric(getField(row, a.field));
        if (v === undefined) return;
        const s = acc.values[i]!;
        s.sum += v; s.n += 1;
        s.min = lower(s.min, v);
        s.max = higher(s.max, v);
      });
      return acc;
    },
    merge(a, b) {
      return {
        count: a.count + b.count,
        values: a.values.map((x, i) => {
          const y = b.values[i]!;
          return { sum: x.sum + y.sum, n: x.n + y.n, min: lower(x.min, y.min), max: higher(x.max, y.max) };
        }),
      };
    },
    getResult(acc) {
      const out: Row = {};
      aggregates.forEach((a, i) => {
        const s = acc.values[i]!;
        switch (a.fn) {
          case 'count': out[a.as] = acc.count; break;
          case 'sum': out[a.as] = s.sum; break;
          case 'min': out[a.as] = s.min; break;
          case 'max': out[a.as] = s.max; break;
          case 'avg': out[a.as] = s.n > 0 ? s.sum / s.n : null; break;
        }
      });
      return out;
    },
  };
}
