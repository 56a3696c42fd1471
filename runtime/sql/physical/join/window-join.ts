// Window joins (Flink's WindowJoinOperator): both inputs are windowed by the same window and
// joined on window_start/window_end plus other equi keys. Rows wait in keyed state (the key
// includes window_start and window_end, so one key is one window) until the watermark passes the
// window's end - 1 ms; then the window's rows are joined (inner, outer with null padding, semi,
// anti), emitted as inserts, and the state is dropped. Rows of a window that has already fired
// are late and dropped, as Flink does.
import { KeyedCoProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../../../api/functions.ts';
import { listState, type ListState } from '../../../api/state.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { JoinKeys } from '../../planner/join-keys.ts';
import type { JoinType, NodeOf } from '../../planner/logical-plan.ts';
import { windowPropertyOf } from '../../planner/rules/window-join.ts';
import { fromStateRow, hasNull, nulls, toStateRow } from '../state-rows.ts';

export interface WindowJoinSpec {
  readonly joinType: JoinType;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly residual?: (joined: readonly unknown[]) => boolean;
  /** the window_end column of each input */
  readonly leftEnd: number;
  readonly rightEnd: number;
}

/** The window_end columns among the equi-join pairs (the window-join rule made sure they exist). */
export function windowEndIndexes(node: NodeOf<'Join'>, keys: JoinKeys): { leftEnd: number; rightEnd: number } | undefined {
  for (let i = 0; i < keys.leftKeys.length; i++) {
    const l = keys.leftKeys[i]!;
    const r = keys.rightKeys[i]!;
    if (windowPropertyOf(node.left, l)?.prop === 'window_end' && windowPropertyOf(node.right, r)?.prop === 'window_end') return { leftEnd: l, rightEnd: r };
  }
  return undefined;
}

export class WindowJoinFunction extends KeyedCoProcessFunction<Key, ChangelogRow, ChangelogRow, ChangelogRow> {
  private readonly spec: WindowJoinSpec;
  private left!: ListState<unknown[]>;
  private right!: ListState<unknown[]>;

  constructor(spec: WindowJoinSpec) {
    super();
    this.spec = spec;
  }

  override open(ctx: RuntimeContext): void {
    this.left = ctx.getListState(listState<unknown[]>('window-join-left'));
    this.right = ctx.getListState(listState<unknown[]>('window-join-right'));
  }

  processElement1(row: ChangelogRow, ctx: KeyedProcessContext<Key>, _out: Collector<ChangelogRow>): void {
    this.buffer(row, this.spec.leftEnd, this.left, ctx);
  }

  processElement2(row: ChangelogRow, ctx: KeyedProcessContext<Key>, _out: Collector<ChangelogRow>): void {
    this.buffer(row, this.spec.rightEnd, this.right, ctx);
  }

  private buffer(row: ChangelogRow, endIndex: number, state: ListState<unknown[]>, ctx: KeyedProcessContext<Key>): void {
    const end = row.values[endIndex];
    if (typeof end !== 'number') return; // a row without a window cannot join (window_end is never NULL)
    const timers = ctx.timerService();
    if (end - 1 <= timers.currentWatermark()) return; // late: its window has fired
    state.add(toStateRow(row.values));
    timers.registerEventTimeTimer(end - 1);
  }

  override onTimer(_ts: number, _ctx: OnTimerContext<Key>, out: Collector<ChangelogRow>): void {
    const lefts = this.left.get().map(fromStateRow);
    const rights = this.right.get().map(fromStateRow);
    this.left.clear();
    this.right.clear();
    const { joinType, residual, leftKeys, leftWidth, rightWidth } = this.spec;
    const rightMatched = new Array<boolean>(rights.length).fill(false);
    for (const l of lefts) {
      let matched = false;
      if (!hasNull(l, leftKeys)) {
        for (let j = 0; j < rights.length; j++) {
          const r = rights[j]!;
          if (hasNull(r, this.spec.rightKeys)) continue;
          const joined = [...l, ...r];
          if (residual !== undefined && !residual(joined)) continue;
          matched = true;
          rightMatched[j] = true;
          if (joinType === 'SEMI') break;
          if (joinType !== 'ANTI') out.collect({ kind: '+I', values: joined });
        }
      }
      if (joinType === 'SEMI' && matched) out.collect({ kind: '+I', values: l });
      if (joinType === 'ANTI' && !matched) out.collect({ kind: '+I', values: l });
      if ((joinType === 'LEFT' || joinType === 'FULL') && !matched) out.collect({ kind: '+I', values: [...l, ...nulls(rightWidth)] });
    }
    if (joinType === 'RIGHT' || joinType === 'FULL') {
      rights.forEach((r, j) => {
        if (!rightMatched[j]) out.collect({ kind: '+I', values: [...nulls(leftWidth), ...r] });
      });
    }
  }
}
