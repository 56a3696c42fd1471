// Sources that emit updates (CDC): a full changelog (+I/-U/+U/-D, e.g. postgres-cdc) flows as it
// is into the operators, which all take retractions. An upsert changelog (+I/+U/-D by primary
// key, no -U; upsert-kafka) first goes through ChangelogNormalize, as Flink plans it after upsert
// sources: keyed by the primary key, the last row per key in keyed state turns an upsert into
// -U old / +U new (or +I), a delete into -D of the stored row, and drops an upsert that changes nothing.
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type RuntimeContext } from '../../api/functions.ts';
import { valueState, type ValueState } from '../../api/state.ts';
import type { Key } from '../../keys/key-groups.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import type { WatermarkStrategy } from '../../api/watermarks.ts';
import type { ChangelogInfo } from '../planner/changelog.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import { compileFilter } from '../codegen/expression-codegen.ts';
import { and } from '../planner/rex.ts';
import { T } from '../types/data-type.ts';
import type { RowStream, TranslateContext } from './context.ts';
import { translateScan } from './scan.ts';
import { fromStateRow, keySelector, rowText, toStateRow } from './state-rows.ts';
import { unsupportedNode } from './unsupported.ts';

export class ChangelogNormalizeFunction extends KeyedProcessFunction<Key, ChangelogRow, ChangelogRow> {
  private last!: ValueState<unknown[]>;

  override open(ctx: RuntimeContext): void {
    this.last = ctx.getState(valueState<unknown[]>('changelog-normalize'));
  }

  processElement(row: ChangelogRow, _ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    const stored = this.last.value();
    const before = stored === undefined ? undefined : fromStateRow(stored);
    if (row.kind === '-U') return; // an upsert stream has none; the +U that follows carries the change
    if (row.kind === '-D') {
      if (before === undefined) return; // deleting a key that is not there changes nothing
      this.last.clear();
      out.collect({ kind: '-D', values: before });
      return;
    }
    if (before !== undefined && rowText(before) === rowText(row.values)) return;
    this.last.update(toStateRow(row.values));
    if (before === undefined) out.collect({ kind: '+I', values: row.values });
    else {
      out.collect({ kind: '-U', values: before });
      out.collect({ kind: '+U', values: row.values });
    }
  }
}

/**
 * A TableScan as the operators take it: insert-only and full changelogs as the source emits them;
 * an upsert source is read with its primary key and without the pushed-down filters, normalized,
 * then filtered and narrowed to the scan's columns (a filter before normalization would lose the
 * retraction of a row that stops matching, so Flink filters after ChangelogNormalize too).
 */
export function translateChangelogScan(node: NodeOf<'TableScan'>, ctx: TranslateContext, info: ChangelogInfo | undefined, watermark?: WatermarkStrategy<ChangelogRow>): RowStream {
  const kinds = info?.kinds ?? ['I'];
  if (kinds.length === 1 || kinds.includes('UB')) return translateScan(node, ctx, watermark);
  const columns = node.table.schema.columns;
  const pkColumns = (node.table.schema.primaryKey?.columns ?? []).map((c) => columns.findIndex((d) => d.name === c));
  if (pkColumns.length === 0 || pkColumns.some((i) => i < 0)) throw unsupportedNode(node, `the upsert source '${node.table.path.name}' has no PRIMARY KEY to normalize its changelog by`);
  const projection = [...node.projection, ...pkColumns.filter((i) => !node.projection.includes(i))];
  const wide: NodeOf<'TableScan'> = { ...node, projection, filters: [], fields: projection.map((i) => ({ name: columns[i]!.name, type: columns[i]!.type })) };
  const uid = ctx.uids.get(node);
  const scanned = translateScan(wide, { ...ctx, uids: uid === undefined ? ctx.uids : new Map([...ctx.uids, [wide, uid]]) }, watermark);
  const pk = pkColumns.map((c) => projection.indexOf(c));
  let stream = scanned.keyBy<Key>(keySelector(pk)).processKeyed<ChangelogRow>(() => new ChangelogNormalizeFunction(), {
    name: `ChangelogNormalize(key=[${pk.map((i) => wide.fields[i]!.name).join(', ')}])`,
    ...(uid === undefined ? {} : { uid: `${uid}-normalize` }),
  });
  const condition = and(node.filters, T.boolean());
  if (condition !== undefined) {
    const keep = compileFilter(condition); // the pushed filters read the scan's columns, which come first
    stream = stream.filter((r) => keep(r.values), { name: 'Calc(where, after ChangelogNormalize)' });
  }
  const width = node.projection.length;
  return projection.length === width ? stream : stream.map<ChangelogRow>((r) => ({ kind: r.kind, values: r.values.slice(0, width) }), { name: 'Calc(drop the primary key read for ChangelogNormalize)' });
}
