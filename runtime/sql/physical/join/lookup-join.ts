// Lookup joins (`JOIN t FOR SYSTEM_TIME AS OF l.proctime`, Flink's LookupJoin): each left row
// probes the connector's lookup ability (runtime/connectors/factory LookupTableSource) with the
// values of the left expressions equated to the table's columns, and joins with the rows found
// (after the table's pushed-down projection and filters and the residual condition); the table is
// read as it is at processing time. LEFT emits the null-padded row when nothing is found. The left
// row's kind passes through, so a changelog on the left stays a changelog. Probes may be
// asynchronous (a database): async-lookup-operator.ts keeps the input order and the checkpoint.
import { DataStream } from '../../../api/data-stream.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { pathToString } from '../../catalog/catalog-objects.ts';
import { compileFilter, compileProjection } from '../../codegen/expression-codegen.ts';
import { SqlError } from '../../errors.ts';
import type { LogicalNode, NodeOf } from '../../planner/logical-plan.ts';
import { tableDescriptor } from '../../planner/registry-capabilities.ts';
import type { Rex } from '../../planner/rex.ts';
import { and, conjunctions } from '../../planner/rex.ts';
import { T } from '../../types/data-type.ts';
import type { RowStream, TranslateContext } from '../context.ts';
import { physicalIndexes } from '../scan.ts';
import { hasNull, nulls } from '../state-rows.ts';
import { unsupportedNode } from '../unsupported.ts';
import { AsyncLookupOperator, type Probe } from './async-lookup-operator.ts';
import { residualOf } from './residual.ts';

/** Whether every input reference of `rex` is in [from, to). */
export function refsWithin(rex: Rex, from: number, to: number): boolean {
  switch (rex.kind) {
    case 'inputRef': return rex.index >= from && rex.index < to;
    case 'call': return rex.operands.every((o) => refsWithin(o, from, to));
    case 'fieldAccess': return refsWithin(rex.expr, from, to);
    default: return true;
  }
}

/** `leftExpr = right column` conjuncts: the lookup keys; the rest stays a residual condition. */
export function lookupKeys(condition: Rex, leftWidth: number): { rightFields: number[]; leftExprs: Rex[]; remaining: Rex[] } {
  const out = { rightFields: [] as number[], leftExprs: [] as Rex[], remaining: [] as Rex[] };
  for (const c of conjunctions(condition)) {
    if (c.kind === 'call' && c.op === '=' && c.operands.length === 2) {
      const [a, b] = c.operands as [Rex, Rex];
      const pair = b.kind === 'inputRef' && b.index >= leftWidth && refsWithin(a, 0, leftWidth) ? [a, b.index]
        : a.kind === 'inputRef' && a.index >= leftWidth && refsWithin(b, 0, leftWidth) ? [b, a.index] : undefined;
      if (pair !== undefined && !out.rightFields.includes((pair[1] as number) - leftWidth)) {
        out.leftExprs.push(pair[0] as Rex);
        out.rightFields.push((pair[1] as number) - leftWidth);
        continue;
      }
    }
    if (!(c.kind === 'literal' && c.value === true)) out.remaining.push(c);
  }
  return out;
}

/** The table scan a lookup reads (the planner leaves the scan itself on the right side). */
function lookupScan(node: LogicalNode): NodeOf<'TableScan'> | undefined {
  return node.kind === 'TableScan' ? node : node.kind === 'WatermarkAssigner' ? lookupScan(node.input) : undefined;
}

export function translateLookupJoin(node: NodeOf<'Join'>, ctx: TranslateContext): RowStream {
  if (node.joinType !== 'INNER' && node.joinType !== 'LEFT') throw unsupportedNode(node, `a lookup join is INNER or LEFT, not ${node.joinType}`);
  const scan = lookupScan(node.right);
  if (scan === undefined) throw unsupportedNode(node, `the lookup side must be a table, found ${node.right.kind}`);
  const lw = node.left.fields.length;
  const keys = lookupKeys(node.condition, lw);
  if (keys.rightFields.length === 0) throw new SqlError('MR_ERR_SQL_PLAN', `Temporal table join requires an equality condition on fields of table [${pathToString(scan.table.path)}].`);
  const columns = scan.table.schema.columns;
  const keyColumns = keys.rightFields.map((f) => columns[scan.projection[f]!]!.name);
  const indexes = physicalIndexes(scan);
  const rightWidth = node.right.fields.length;
  const table = tableDescriptor(scan.table);
  const keyOf = compileProjection(keys.leftExprs);
  const scanFilter = and(scan.filters, T.boolean());
  const keep = scanFilter === undefined ? undefined : compileFilter(scanFilter);
  const residual = residualOf(keys.remaining);
  const outer = node.joinType === 'LEFT';
  // validated now (options, lookup ability), so a script that cannot run fails before it starts
  const source = ctx.registry.createLookup(table);
  let lookup: ((key: readonly unknown[]) => unknown[][] | Promise<unknown[][]>) | undefined;
  const joinRows = (row: ChangelogRow, found: readonly unknown[][]): ChangelogRow[] => {
    const out: ChangelogRow[] = [];
    for (const physical of found) {
      const right = indexes.map((p) => physical[p]);
      if (keep !== undefined && !keep(right)) continue;
      const joined = [...row.values, ...right];
      if (residual !== undefined && !residual(joined)) continue;
      out.push({ kind: row.kind, values: joined });
    }
    if (outer && out.length === 0) out.push({ kind: row.kind, values: [...row.values, ...nulls(rightWidth)] });
    return out;
  };
  const probe: Probe = (row) => {
    lookup ??= source.createLookup(keyColumns) as (key: readonly unknown[]) => unknown[][] | Promise<unknown[][]>;
    const key = keyOf(row.values);
    if (hasNull(key, key.map((_, i) => i))) return joinRows(row, []);
    const found = lookup(key);
    return found instanceof Promise ? found.then((rows) => joinRows(row, rows)) : joinRows(row, found);
  };
  const input = ctx.translate(node.left);
  const uid = ctx.uids.get(node);
  const op = ctx.env.addOperator('operator', 'LookupJoin', input.refs.map((ref) => ({ ref, inputIndex: 0 })), () => new AsyncLookupOperator(probe), {
    name: `LookupJoin(table=[${scan.table.path.name}], joinType=[${node.joinType}], lookup=[${keyColumns.join(', ')}])`,
    ...(uid === undefined ? {} : { uid }),
  });
  return new DataStream<ChangelogRow>(ctx.env, [{ nodeId: op.id }]);
}
