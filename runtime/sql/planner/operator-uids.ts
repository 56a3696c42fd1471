// Plan-derived uids for the stateful nodes of a plan (sources, aggregates, joins, OVER, Top-N,
// deduplication, sinks): a hash of what the node computes and of everything below it, with
// column names left out, so renaming an alias keeps the uid (and the state restores) while a
// change of keys, aggregates, windows or inputs gives a new uid (and restoring needs
// allowNonRestoredState). The physical translation gives these uids to the runtime operators.
import { createHash } from 'node:crypto';
import { pathToString } from '../catalog/catalog-objects.ts';
import { typeToString } from '../types/data-type.ts';
import type { LogicalNode } from './logical-plan.ts';
import { inputsOf } from './logical-plan.ts';

const STATEFUL = new Set<LogicalNode['kind']>(['TableScan', 'Aggregate', 'WindowAggregate', 'Join', 'Over', 'Rank', 'Deduplicate', 'Sort', 'Sink']);
const CHILD_KEYS = new Set(['input', 'left', 'right', 'inputs']);

/** The node's own computation and its inputs', without names or positions. */
function structure(node: LogicalNode, memo: Map<LogicalNode, string>): string {
  const known = memo.get(node);
  if (known !== undefined) return known;
  if (node.kind === 'TableScan') {
    // A source's state is its position in the table: the columns it reads do not change it.
    const s = `scan:${pathToString(node.table.path)}:${JSON.stringify(Object.entries(node.table.options).sort())}`;
    memo.set(node, s);
    return s;
  }
  const own = JSON.stringify(node, (key, value: unknown) => {
    if (key === '') return value;
    if (CHILD_KEYS.has(key) || key === 'name' || key === 'pos' || key === 'ddl') return undefined;
    // how an aggregate runs (mini-batch, local/global) leaves its state as it is: switching keeps the uid
    if (key === 'miniBatch' || key === 'twoPhase') return undefined;
    // as the legacy GROUP BY HOP's merge order, which its uid had not included
    if (key === 'legacy') return undefined;
    if (key === 'fields') return (value as { type: Parameters<typeof typeToString>[0] }[]).map((f) => typeToString(f.type));
    if (key === 'table' && value !== null && typeof value === 'object' && 'path' in value) return pathToString((value as { path: Parameters<typeof pathToString>[0] }).path);
    return value;
  });
  const s = `${own}<${inputsOf(node).map((i) => structure(i, memo)).join('|')}>`;
  memo.set(node, s);
  return s;
}

/** uids of the stateful nodes of one job's plans (a statement set passes all its sinks' roots). */
export function operatorUids(roots: readonly LogicalNode[]): Map<LogicalNode, string> {
  const memo = new Map<LogicalNode, string>();
  const out = new Map<LogicalNode, string>();
  const seen = new Map<string, number>();
  const visit = (node: LogicalNode): void => {
    if (STATEFUL.has(node.kind) && !out.has(node)) {
      const hash = createHash('sha256').update(structure(node, memo)).digest('hex').slice(0, 16);
      const base = `${node.kind.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `-${c.toLowerCase()}`))}-${hash}`;
      // The same computation twice in one job (a statement set reading one source twice) gets -2, -3, ...
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      out.set(node, n === 1 ? base : `${base}-${n}`);
    }
    inputsOf(node).forEach(visit);
  };
  roots.forEach(visit);
  return out;
}
