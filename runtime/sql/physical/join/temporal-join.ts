// Event-time temporal joins (`JOIN versioned FOR SYSTEM_TIME AS OF l.rowtime`, Flink's
// TemporalRowTimeJoinOperator): the right input is a versioned table (primary key + event time);
// both inputs are keyed by the equi keys (the right's primary key). Left rows wait in keyed state
// until the watermark reaches their time; then each joins the right row version valid at that
// time (the latest version with a version time <= the left time, unless that version is a
// delete), or, for LEFT, emits a null-padded row. Versions older than the one still needed are
// dropped. The output is insert-only.
import { KeyedCoProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../../../api/functions.ts';
import { listState, type ListState } from '../../../api/state.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { joinKeys } from '../../planner/join-keys.ts';
import type { NodeOf } from '../../planner/logical-plan.ts';
import { timeAttributeOf } from '../../types/data-type.ts';
import type { RowStream, TranslateContext } from '../context.ts';
import { fromStateRow, hasNull, keySelector, nulls, toStateRow } from '../state-rows.ts';
import { unsupportedNode } from '../unsupported.ts';
import { residualOf } from './residual.ts';

export interface TemporalJoinSpec {
  readonly outer: boolean;
  readonly leftKeys: readonly number[];
  readonly leftTime: number;
  readonly rightTime: number;
  readonly rightWidth: number;
  readonly residual?: (joined: readonly unknown[]) => boolean;
}

interface Timed {
  t: number;
  r: unknown[];
}

/** A version: its time, the row (undefined for a delete). */
interface Version {
  t: number;
  r?: unknown[];
}

export class TemporalJoinFunction extends KeyedCoProcessFunction<Key, ChangelogRow, ChangelogRow, ChangelogRow> {
  private readonly spec: TemporalJoinSpec;
  private left!: ListState<Timed>;
  private versions!: ListState<Version>;

  constructor(spec: TemporalJoinSpec) {
    super();
    this.spec = spec;
  }

  override open(ctx: RuntimeContext): void {
    this.left = ctx.getListState(listState<Timed>('temporal-join-left'));
    this.versions = ctx.getListState(listState<Version>('temporal-join-versions'));
  }

  processElement1(row: ChangelogRow, ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    const t = row.values[this.spec.leftTime];
    if (row.kind !== '+I' && row.kind !== '+U') return; // the left input of a temporal join is insert-only in Flink's plans
    if (typeof t !== 'number' || hasNull(row.values, this.spec.leftKeys)) {
      if (this.spec.outer) out.collect({ kind: '+I', values: [...row.values, ...nulls(this.spec.rightWidth)] });
      return;
    }
    this.left.add({ t, r: toStateRow(row.values) });
    ctx.timerService().registerEventTimeTimer(t);
  }

  processElement2(row: ChangelogRow, ctx: KeyedProcessContext<Key>, _out: Collector<ChangelogRow>): void {
    const t = row.values[this.spec.rightTime];
    if (typeof t !== 'number' || row.kind === '-U') return; // -U is followed by the +U that replaces it
    this.versions.add(row.kind === '-D' ? { t } : { t, r: toStateRow(row.values) });
    ctx.timerService().registerEventTimeTimer(t);
  }

  override onTimer(_ts: number, ctx: OnTimerContext<Key>, out: Collector<ChangelogRow>): void {
    const watermark = ctx.timerService().currentWatermark();
    // versions in time order; equal times keep their arrival order (the later one wins)
    const versions = this.versions.get().map((v, i) => ({ v, i })).sort((a, b) => a.v.t - b.v.t || a.i - b.i).map((x) => x.v);
    const waiting = this.left.get();
    const ready = waiting.filter((l) => l.t <= watermark).sort((a, b) => a.t - b.t);
    const later = waiting.filter((l) => l.t > watermark);
    for (const l of ready) {
      const leftValues = fromStateRow(l.r);
      let valid: Version | undefined;
      for (const v of versions) {
        if (v.t > l.t) break;
        valid = v;
      }
      const joined = valid?.r === undefined ? undefined : [...leftValues, ...fromStateRow(valid.r)];
      if (joined !== undefined && (this.spec.residual === undefined || this.spec.residual(joined))) out.collect({ kind: '+I', values: joined });
      else if (this.spec.outer) out.collect({ kind: '+I', values: [...leftValues, ...nulls(this.spec.rightWidth)] });
    }
    if (ready.length > 0) {
      if (later.length === 0) this.left.clear();
      else this.left.update(later);
    }
    // keep the version valid at the watermark (later left rows may still need it) and newer ones
    let firstKept = 0;
    versions.forEach((v, i) => {
      if (v.t <= watermark) firstKept = i;
    });
    const kept = versions.slice(firstKept);
    if (kept.length === 1 && kept[0]!.r === undefined && later.length === 0) this.versions.clear();
    else if (kept.length !== versions.length) this.versions.update(kept);
  }
}

export function translateTemporalJoin(node: NodeOf<'Join'>, ctx: TranslateContext): RowStream {
  if (node.variant.kind !== 'temporal') throw unsupportedNode(node);
  if (node.joinType !== 'INNER' && node.joinType !== 'LEFT') throw unsupportedNode(node, `an event-time temporal join is INNER or LEFT, not ${node.joinType}`);
  const keys = joinKeys(node);
  if (keys.leftKeys.length === 0) throw unsupportedNode(node, 'a temporal join needs an equality on the versioned table\'s primary key');
  const rightTime = node.right.fields.findIndex((f) => timeAttributeOf(f.type) === 'ROWTIME');
  if (rightTime < 0) throw unsupportedNode(node, 'the versioned table has no event-time attribute (WATERMARK)');
  const residual = residualOf(keys.remaining);
  const spec: TemporalJoinSpec = {
    outer: node.joinType === 'LEFT', leftKeys: keys.leftKeys, leftTime: node.variant.leftTime, rightTime,
    rightWidth: node.right.fields.length, ...(residual === undefined ? {} : { residual }),
  };
  const uid = ctx.uids.get(node);
  return ctx.translate(node.left).connect(ctx.translate(node.right))
    .keyBy<Key>(keySelector(keys.leftKeys), keySelector(keys.rightKeys))
    .processKeyed<ChangelogRow>(() => new TemporalJoinFunction(spec), { name: `TemporalJoin(joinType=[${node.joinType}])`, ...(uid === undefined ? {} : { uid }) });
}
