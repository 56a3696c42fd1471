// Order-independent comparison of query output: parallel runs emit rows in any order, so
// results are compared as multisets of rows, each row in a canonical JSON form (keys sorted).

export function canonicalRow(row: object): string {
  const entries = Object.entries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

/** The rows in canonical form, sorted: equal arrays mean equal multisets of rows. */
export function canonicalRows(rows: readonly object[]): string[] {
  return rows.map(canonicalRow).sort();
}

/** Rows of `actual` missing from `expected` and the other way round (empty both = same result). */
export function diffRows(expected: readonly object[], actual: readonly object[]): { missing: string[]; unexpected: string[] } {
  const remaining = new Map<string, number>();
  for (const row of canonicalRows(expected)) remaining.set(row, (remaining.get(row) ?? 0) + 1);
  const unexpected: string[] = [];
  for (const row of canonicalRows(actual)) {
    const count = remaining.get(row) ?? 0;
    if (count === 0) unexpected.push(row);
    else remaining.set(row, count - 1);
  }
  const missing = [...remaining].flatMap(([row, count]) => Array<string>(count).fill(row));
  return { missing, unexpected };
}
