// Correlate (`CROSS JOIN UNNEST(arr) [WITH ORDINALITY]`, `LEFT JOIN UNNEST(...) ON TRUE`) → a
// flatMap: each input row is repeated once per element of its array (ROW elements spread into
// their fields), multiset element or map entry (key, value), with the 1-based position when WITH
// ORDINALITY. A NULL or empty collection gives no row, or one row of NULLs for LEFT. The row kind
// passes through, so a retraction of the input row retracts every row it produced.
// `LATERAL TABLE(f(...))` with a user-defined table function (udf/udf-kinds.ts) is the same flatMap
// over the rows the function gives for the row's arguments.
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import { compileExpression } from '../codegen/expression-codegen.ts';
import { tableUdfImplementation } from '../udf/udf-registry.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from './context.ts';
import { nulls } from './state-rows.ts';
import { unsupportedNode } from './unsupported.ts';

/** The rows (column values) UNNEST makes of one collection value. */
export function unnestRows(value: unknown, elementIsRow: boolean, withOrdinality: boolean): unknown[][] {
  if (value === null || value === undefined) return [];
  const items: unknown[][] = value instanceof Map
    ? [...value].map(([k, v]) => [k, v])
    : (value as unknown[]).map((e) => (elementIsRow ? (e === null ? [] : [...(e as unknown[])]) : [e]));
  return withOrdinality ? items.map((r, i) => [...r, i + 1]) : items;
}

export function translateCorrelate(node: NodeOf<'Correlate'>, ctx: TranslateContext): RowStream {
  if (node.fn !== 'UNNEST' && node.fn !== 'UNNEST_WITH_ORDINALITY') return tableFunctionCorrelate(node, ctx);
  const arg = node.args[0];
  if (arg === undefined) throw unsupportedNode(node, 'UNNEST without an argument');
  const value = compileExpression(arg);
  const t = arg.type;
  const elementIsRow = (t.root === 'ARRAY' || t.root === 'MULTISET') && t.element.root === 'ROW';
  const withOrdinality = node.fn === 'UNNEST_WITH_ORDINALITY';
  const width = node.fields.length - node.input.fields.length;
  const outer = node.joinType === 'LEFT';
  return ctx.translate(node.input).flatMap<ChangelogRow>((row, out) => {
    const rows = unnestRows(value(row.values), elementIsRow, withOrdinality);
    for (const r of rows) out.collect({ kind: row.kind, values: [...row.values, ...(r.length === width ? r : [...r, ...nulls(width - r.length)])] });
    if (rows.length === 0 && outer) out.collect({ kind: row.kind, values: [...row.values, ...nulls(width)] });
  }, { name: `Correlate(${node.fn}, joinType=[${node.joinType}])` });
}

function tableFunctionCorrelate(node: NodeOf<'Correlate'>, ctx: TranslateContext): RowStream {
  const impl = tableUdfImplementation(node.fn);
  if (impl === undefined) throw unsupportedNode(node, `table function ${node.fn} (not loaded in this process)`);
  const args = node.args.map((a) => compileExpression(a));
  const width = node.fields.length - node.input.fields.length;
  const outer = node.joinType === 'LEFT';
  return ctx.translate(node.input).flatMap<ChangelogRow>((row, out) => {
    const rows = impl(args.map((a) => a(row.values)));
    for (const r of rows) out.collect({ kind: row.kind, values: [...row.values, ...r] });
    if (rows.length === 0 && outer) out.collect({ kind: row.kind, values: [...row.values, ...nulls(width)] });
  }, { name: `Correlate(invocation=[${node.fn}], joinType=[${node.joinType}])` });
}
