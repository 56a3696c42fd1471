// Sources that emit updates (CDC): a full changelog (+I/-U/+U/-D, e.g. postgres-cdc) flows as it
// is into the operators, which all take retractions. An upsert changelog (+I/+U/-D by primary
// key, no -U) first goes through ChangelogNormalize, as Flink plans it after upsert sources: keyed
// by the primary key, the last row per key in keyed state turns an upsert into -U old / +U new
// (or +I), a delete into -D of the stored row, and drops an upsert that changes nothing.
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type RuntimeContext } from '../../api/functions.ts';
import { valueState, type ValueState } from '../../api/state.ts';
import type { Key } from '../../graph/key-groups.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import type { ChangelogInfo } from '../planner/changelog.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from './context.ts';
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

/** The scanned stream as the operators take it: insert-only and full changelogs as they are, upserts normalized. */
export function normalizeChangelog(node: NodeOf<'TableScan'>, stream: RowStream, info: ChangelogInfo | undefined, ctx: TranslateContext): RowStream {
  const kinds = info?.kinds ?? ['I'];
  if (kinds.length === 1 || kinds.includes('UB')) return stream;
  const pk = (node.table.schema.primaryKey?.columns ?? []).map((c) => node.fields.findIndex((f) => f.name === c));
  if (pk.length === 0 || pk.some((i) => i < 0)) throw unsupportedNode(node, `the upsert source '${node.table.path.name}' needs its PRIMARY KEY columns among the columns read`);
  const uid = ctx.uids.get(node);
  return stream.keyBy<Key>(keySelector(pk)).processKeyed<ChangelogRow>(() => new ChangelogNormalizeFunction(), {
    name: `ChangelogNormalize(key=[${pk.map((i) => node.fields[i]!.name).join(', ')}])`,
    ...(uid === undefined ? {} : { uid: `${uid}-normalize` }),
  });
}
