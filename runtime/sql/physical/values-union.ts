// VALUES → fromElements of constant rows; UNION ALL → the DataStream union (no state: rows of all
// inputs pass through). UNION (distinct) needs state and is refused until aggregation runs.
import { compileProjection } from '../codegen/expression-codegen.ts';
import { insertRow } from '../../connectors/factory/row.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from './context.ts';
import { unsupportedNode } from './unsupported.ts';

export function translateValues(node: NodeOf<'Values'>, ctx: TranslateContext): RowStream {
  const rows = node.rows.map((exprs) => insertRow(compileProjection(exprs)([])));
  return ctx.env.fromElements(rows);
}

export function translateUnion(node: NodeOf<'Union'>, ctx: TranslateContext): RowStream {
  if (!node.all) throw unsupportedNode(node, 'UNION without ALL removes duplicates, which needs state; use UNION ALL');
  const [first, ...rest] = node.inputs.map((i) => ctx.translate(i));
  return first!.union(...rest);
}
