// Project and Filter (Flink's Calc) → map and filter over the row values, with the functions
// generated once per operator by codegen/expression-codegen.ts. The row kind passes through
// unchanged (these nodes only run on insert-only plans here; on a changelog they would too).
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import { compileFilter, compileProjection } from '../codegen/expression-codegen.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from './context.ts';

export function translateProject(node: NodeOf<'Project'>, ctx: TranslateContext): RowStream {
  const project = compileProjection(node.exprs);
  return ctx.translate(node.input).map<ChangelogRow>((r) => ({ kind: r.kind, values: project(r.values) }), { name: `Calc(select=[${node.fields.map((f) => f.name).join(', ')}])` });
}

export function translateFilter(node: NodeOf<'Filter'>, ctx: TranslateContext): RowStream {
  const keep = compileFilter(node.condition);
  return ctx.translate(node.input).filter((r) => keep(r.values), { name: 'Calc(where)' });
}
