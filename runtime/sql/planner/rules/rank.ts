// Top-N and deduplication (Flink's FlinkLogicalRankRule and deduplication): a filter on the
// number given by ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) becomes a Rank that keeps
// the top N rows per partition; ordered by a time attribute with N = 1 it becomes a Deduplicate
// that keeps the first (ASC) or last (DESC) row per key.
import type { LogicalNode } from '../logical-plan.ts';
import type { Rex } from '../rex.ts';
import { and, conjunctions, inputRef, literal } from '../rex.ts';
import { T, timeAttributeOf } from '../../types/data-type.ts';
import type { Rule } from './rule.ts';

/** The upper bound `rn <= N` (or `rn < N + 1`, `rn = 1`, `N >= rn`) set by a conjunct, if it is one. */
function upperBound(c: Rex, rn: number): number | undefined {
  if (c.kind !== 'call' || c.operands.length !== 2) return undefined;
  let [a, b] = c.operands as [Rex, Rex];
  let op = c.op;
  const flip: Record<string, string> = { '<=': '>=', '<': '>', '>=': '<=', '>': '<', '=': '=' };
  if (b.kind === 'inputRef' && b.index === rn && a.kind === 'literal') { [a, b] = [b, a]; op = flip[op] ?? op; }
  if (a.kind !== 'inputRef' || a.index !== rn || b.kind !== 'literal') return undefined;
  const n = Number(b.value);
  if (!Number.isInteger(n)) return undefined;
  if (op === '<=') return n;
  if (op === '<') return n - 1;
  if (op === '=' && n === 1) return 1;
  return undefined;
}

export const rank: Rule = {
  name: 'rank',
  rewrite(node) {
    if (node.kind !== 'Filter' || node.input.kind !== 'Over') return undefined;
    const over = node.input;
    if (over.groups.length !== 1 || over.groups[0]!.aggCalls.length !== 1) return undefined;
    const group = over.groups[0]!;
    const fn = group.aggCalls[0]!.fn;
    if (fn !== 'ROW_NUMBER' && fn !== 'RANK' && fn !== 'DENSE_RANK') return undefined;
    const input = over.input;
    const rn = input.fields.length;
    const parts = conjunctions(node.condition);
    let limit: number | undefined;
    const rest: Rex[] = [];
    for (const c of parts) {
      const n = upperBound(c, rn);
      if (n !== undefined && limit === undefined) limit = n;
      else rest.push(c);
    }
    if (limit === undefined || limit < 1) return undefined;
    const order = group.orderKeys;
    const timeKind = order.length === 1 ? timeAttributeOf(input.fields[order[0]!.index]!.type) : undefined;
    let ranked: LogicalNode;
    if (fn === 'ROW_NUMBER' && limit === 1 && timeKind !== undefined) {
      const dedup: LogicalNode = {
        kind: 'Deduplicate', input, partitionKeys: group.partitionKeys, keepLastRow: order[0]!.direction === 'DESC',
        timeKind, orderIndex: order[0]!.index, outputRankNumber: false, fields: input.fields,
      };
      // The row number of a kept row is always 1: keep the column for whoever reads it.
      const exprs = [...input.fields.map((f, i) => inputRef(i, f.type)), literal(1, T.bigint(false))];
      ranked = { kind: 'Project', input: dedup, exprs, fields: over.fields.map((f, i) => ({ name: f.name, type: exprs[i]!.type })) };
    } else {
      ranked = {
        kind: 'Rank', input, partitionKeys: group.partitionKeys, orderKeys: order, rankType: fn,
        rankStart: 1, rankEnd: limit, outputRankNumber: true, fields: over.fields,
      };
    }
    const cond = and(rest, T.boolean());
    return cond === undefined ? ranked : { kind: 'Filter', input: ranked, condition: cond, fields: ranked.fields };
  },
};
