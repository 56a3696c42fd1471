// Top-N and deduplication whose ORDER BY has ties. Flink keeps rows with equal ordering keys in
// arrival order, and arrival order between parallel source subtasks is not defined, so two correct
// runs may keep different rows (Nexmark q18 and q19 at parallelism 2). Such a result is compared
// as Flink's semantics allow: the same multiset of (partition keys, ordering keys, rank number),
// and every row Millrace kept is a row of the Top-N's input ("equal up to ties").

import type { LogicalNode } from '../../../runtime/sql/planner/logical-plan.ts';
import type { PlannedTree } from '../../../runtime/sql/planner/planner.ts';
import { normalizeNumbers } from './canonical.ts';
import { diffRows, type RowsDiff } from './diff.ts';

export interface TieKeys {
  /** the plan node, as EXPLAIN names it, e.g. `Rank(ROW_NUMBER <= 10)` */
  readonly node: string;
  /** sink column indexes */
  readonly partition: readonly number[];
  readonly order: readonly number[];
  /** the sink column that holds the row number, when the query writes it */
  readonly rank?: number;
}

/**
 * The sink columns of the first ROW_NUMBER Top-N or event-time deduplication under the sink, when
 * the path from it to the sink only renames or drops columns and its partition and ordering keys
 * are written to the sink; otherwise undefined (the plain comparison applies).
 */
export function tieKeysOf(tree: PlannedTree): TieKeys | undefined {
  const sink = tree.optimized;
  if (sink.kind !== 'Sink') return undefined;
  // mapping[j] = index in the current node's output of sink column j (-1: computed, not a plain column)
  let mapping = sink.fields.map((_, j) => j);
  let node: LogicalNode = sink.input;
  for (;;) {
    if (node.kind === 'Project') {
      const exprs = node.exprs;
      mapping = mapping.map((m) => (m >= 0 && exprs[m]?.kind === 'inputRef' ? (exprs[m] as { index: number }).index : -1));
      node = node.input;
    } else if (node.kind === 'Filter') {
      node = node.input;
    } else break;
  }
  const sinkColumn = (index: number): number => mapping.indexOf(index);
  let found: TieKeys | undefined;
  if (node.kind === 'Rank' && node.rankType === 'ROW_NUMBER') {
    const rankIndex = node.outputRankNumber ? node.input.fields.length : -1;
    found = { node: `Rank(ROW_NUMBER <= ${node.rankEnd}${node.window ? ', per window' : ''})`, partition: node.partitionKeys.map(sinkColumn), order: node.orderKeys.map((k) => sinkColumn(k.index)), ...(rankIndex >= 0 && sinkColumn(rankIndex) >= 0 ? { rank: sinkColumn(rankIndex) } : {}) };
  } else if (node.kind === 'Deduplicate' && node.timeKind === 'ROWTIME') {
    found = { node: `Deduplicate(keep ${node.keepLastRow ? 'last' : 'first'} row on ROWTIME)`, partition: node.partitionKeys.map(sinkColumn), order: [sinkColumn(node.orderIndex)] };
  }
  if (!found || [...found.partition, ...found.order].some((i) => i < 0)) return undefined;
  return found;
}

/**
 * The plan that writes the Top-N's (or deduplication's) input rows instead of the kept ones: the
 * node is replaced by a projection of its input (a NULL row number), so the sink receives every
 * candidate row, in the sink's columns.
 */
export function candidatesTree(tree: PlannedTree): LogicalNode | undefined {
  const replace = (n: LogicalNode): LogicalNode | undefined => {
    if (n.kind === 'Rank' || n.kind === 'Deduplicate') {
      const passThrough = n.input.fields.map((f, index) => ({ kind: 'inputRef' as const, index, type: f.type }));
      const rank = n.outputRankNumber ? [{ kind: 'literal' as const, value: null, type: { ...n.fields[n.fields.length - 1]!.type, nullable: true } }] : [];
      return { kind: 'Project', input: n.input, exprs: [...passThrough, ...rank], fields: n.fields.map((f) => ({ ...f, type: { ...f.type, nullable: true } })) as typeof n.fields };
    }
    if (n.kind === 'Sink' || n.kind === 'Project' || n.kind === 'Filter') {
      const input = replace(n.input);
      return input === undefined ? undefined : ({ ...n, input } as LogicalNode);
    }
    return undefined;
  };
  return replace(tree.optimized);
}

export interface TiesReport {
  readonly equal: boolean;
  /** rows where Millrace kept another row with the same partition and ordering keys than Flink */
  readonly tiedRows: number;
  /** the comparison of (partition keys, ordering keys, rank number) */
  readonly keys: RowsDiff;
  /** Millrace rows that are not among the input rows (or more often than there) */
  readonly notInInput: string[];
}

const project = (row: string, columns: readonly number[]): string => {
  const values = JSON.parse(normalizeNumbers(row)) as unknown[];
  return JSON.stringify(columns.map((c) => values[c]));
};

/** Rows without the rank number column (candidate rows have none). */
const withoutRank = (row: string, rank: number | undefined): string => {
  const values = JSON.parse(normalizeNumbers(row)) as unknown[];
  if (rank !== undefined) values[rank] = null;
  return JSON.stringify(values);
};

/**
 * Compares final rows up to ties: equal when the multisets of (partition keys, ordering keys[, row
 * number]) are equal and Millrace's rows are a sub-multiset of the candidate rows (all of them
 * when no candidates are given: the input check is then reported as not done by the caller).
 */
export function compareUpToTies(flink: readonly string[], millrace: readonly string[], keys: TieKeys, candidates?: readonly string[]): TiesReport {
  const columns = [...keys.partition, ...keys.order, ...(keys.rank === undefined ? [] : [keys.rank])];
  const keyDiff = diffRows(flink.map((r) => project(r, columns)), millrace.map((r) => project(r, columns)));
  const full = diffRows(flink, millrace, Number.MAX_SAFE_INTEGER);
  const tiedRows = full.onlyMillrace.reduce((n, r) => n + r.times, 0);
  const notInInput: string[] = [];
  if (candidates !== undefined) {
    const available = new Map<string, number>();
    for (const c of candidates) {
      const k = withoutRank(c, keys.rank);
      available.set(k, (available.get(k) ?? 0) + 1);
    }
    for (const r of millrace) {
      const k = withoutRank(r, keys.rank);
      const n = available.get(k) ?? 0;
      if (n === 0) notInInput.push(r);
      else available.set(k, n - 1);
    }
  }
  return { equal: keyDiff.equal && notInInput.length === 0, tiedRows, keys: keyDiff, notInInput };
}
