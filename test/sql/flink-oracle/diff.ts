// Multiset comparison of two sides' final rows (canonical JSON lines), for sql:compare's report.

import { normalizeNumbers } from './canonical.ts';

export interface RowsDiff {
  readonly equal: boolean;
  readonly flinkRows: number;
  readonly millraceRows: number;
  /** rows (with how many more times) Flink has than Millrace, first ones in sort order */
  readonly onlyFlink: Array<{ row: string; times: number }>;
  readonly onlyMillrace: Array<{ row: string; times: number }>;
}

function counts(rows: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const k = normalizeNumbers(r);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

export function diffRows(flink: readonly string[], millrace: readonly string[], limit = 5): RowsDiff {
  const f = counts(flink);
  const m = counts(millrace);
  const surplus = (a: Map<string, number>, b: Map<string, number>): Array<{ row: string; times: number }> =>
    [...a].flatMap(([row, n]) => (n > (b.get(row) ?? 0) ? [{ row, times: n - (b.get(row) ?? 0) }] : [])).sort((x, y) => (x.row < y.row ? -1 : 1));
  const onlyFlink = surplus(f, m);
  const onlyMillrace = surplus(m, f);
  return {
    equal: onlyFlink.length === 0 && onlyMillrace.length === 0,
    flinkRows: flink.length,
    millraceRows: millrace.length,
    onlyFlink: onlyFlink.slice(0, limit),
    onlyMillrace: onlyMillrace.slice(0, limit),
  };
}
