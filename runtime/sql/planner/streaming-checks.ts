// What Flink refuses in streaming mode, checked on the optimized plan with Flink's messages:
// OVER ordered by something other than a time attribute, ORDER BY without LIMIT on a
// non-time column, and a ROW_NUMBER/RANK that did not become a Top-N (no filter on the number).
import { SqlError } from '../errors.ts';
import { timeAttributeOf } from '../types/data-type.ts';
import type { LogicalNode } from './logical-plan.ts';
import { inputsOf } from './logical-plan.ts';

export function checkStreaming(root: LogicalNode): void {
  const visit = (node: LogicalNode): void => {
    inputsOf(node).forEach(visit);
    if (node.kind === 'Over') {
      for (const g of node.groups) {
        if (g.aggCalls.some((a) => ['ROW_NUMBER', 'RANK', 'DENSE_RANK'].includes(a.fn))) {
          throw new SqlError('MR_ERR_SQL_PLAN', `${g.aggCalls[0]!.fn}() OVER (...) is supported in streaming only as Top-N or deduplication: filter the number in an outer query (WHERE rownum <= N)`);
        }
        const key = g.orderKeys[0];
        if (g.orderKeys.length !== 1 || key === undefined || timeAttributeOf(node.input.fields[key.index]!.type) === undefined || key.direction !== 'ASC') {
          throw new SqlError('MR_ERR_SQL_PLAN', "OVER windows' ordering in stream mode must be defined on a time attribute.");
        }
      }
    }
    if (node.kind === 'Sort' && node.fetch === undefined && node.keys.length > 0) {
      const first = node.keys[0]!;
      if (timeAttributeOf(node.input.fields[first.index]!.type) === undefined || first.direction !== 'ASC') {
        throw new SqlError('MR_ERR_SQL_PLAN', 'Sort on a non-time-attribute field is not supported.');
      }
    }
  };
  visit(root);
}
