// Plan nodes the physical translation does not run yet: a coded error naming the node, never a
// silently wrong result.
import { SqlError } from '../errors.ts';
import type { LogicalNode } from '../planner/logical-plan.ts';

/** What a user reads for each node kind that is not executable yet. */
const DESCRIPTIONS: Partial<Record<LogicalNode['kind'], string>> = {
  WindowTableFunction: 'a SESSION window table function without an aggregation',
  Join: 'join',
  Correlate: 'table function (LATERAL TABLE / UNNEST)',
  Over: 'OVER aggregation',
  Rank: 'Top-N (ROW_NUMBER/RANK)',
  Deduplicate: 'deduplication',
  Sort: 'ORDER BY / LIMIT',
};

export function unsupportedNode(node: LogicalNode, detail?: string): SqlError {
  const what = DESCRIPTIONS[node.kind] ?? node.kind;
  return new SqlError('MR_ERR_SQL_UNSUPPORTED', `plan node ${node.kind}: ${what} is not executable yet${detail ? ` (${detail})` : ''}`);
}
