// Regular joins (Flink's StreamingJoinOperator and StreamingSemiAntiJoinOperator): both inputs
// keyed by the equi-join columns, each side's rows in keyed state (a multiset: row → count and,
// for outer or semi/anti sides, how many rows of the other side it matches). A row is joined with
// the other side's rows of its key that satisfy the residual (non-equi) condition.
//
// Changelog as Flink emits it: joined rows carry the input row's kind (+I/+U/-U/-D) when neither
// side of the pair is outer, else +I for an accumulating and -D for a retracting input. An outer side's row without a match emits a null-padded row;
// when its first match arrives that padded row is retracted (-D) and when its last match leaves it
// comes back (+I). SEMI emits a left row while it has a match, ANTI while it has none.
// A side whose input is insert-only and that is not outer (q7's bids) keeps its rows in a list
// instead: no row is ever retracted there and no match count is needed, so the row's identity text
// and the count update (a map read and write per row) are skipped; equal rows are separate entries
// rather than one with a count, which emits the same joined rows. Rows of such a side that an
// earlier version kept in the map state (a savepoint) are still read and joined.
// `table.exec.state.ttl` expires state entries (processing time since the last write), as Flink's
// state TTL does; a retraction of an expired row still retracts the joined rows of its matches.
import { KeyedCoProcessFunction, type Collector, type KeyedProcessContext, type RuntimeContext } from '../../../api/functions.ts';
import { listState, mapState, type ListState, type MapState } from '../../../api/state.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow, RowKind } from '../../../connectors/factory/row.ts';
import type { JoinType } from '../../planner/logical-plan.ts';
import { fromStateRow, hasNull, nulls, rowText, toStateRow } from '../state-rows.ts';

/** One distinct row of a side: its values (as state keeps them), copies, matches on the other side. */
export interface SideEntry {
  r: unknown[];
  c: number;
  a: number;
}

export interface RegularJoinSpec {
  readonly joinType: JoinType;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly leftWidth: number;
  readonly rightWidth: number;
  /** the residual condition over left ++ right values; undefined when there is none */
  readonly residual?: (joined: readonly unknown[]) => boolean;
  /** state time-to-live in ms (0: forever) */
  readonly stateTtlMs?: number;
  /** whether each input is insert-only (planner/changelog.ts): a non-outer such side keeps an append list */
  readonly leftInsertOnly?: boolean;
  readonly rightInsertOnly?: boolean;
}

type Values = readonly unknown[];

export class RegularJoinFunction extends KeyedCoProcessFunction<Key, ChangelogRow, ChangelogRow, ChangelogRow> {
  private readonly spec: RegularJoinSpec;
  private readonly leftOuter: boolean;
  private readonly rightOuter: boolean;
  private readonly semiAnti: 'SEMI' | 'ANTI' | undefined;
  private left!: MapState<string, SideEntry>;
  private right!: MapState<string, SideEntry>;
  /** the append lists of insert-only, non-outer sides (undefined: that side uses its map) */
  private leftRows: ListState<unknown[]> | undefined;
  private rightRows: ListState<unknown[]> | undefined;

  constructor(spec: RegularJoinSpec) {
    super();
    this.spec = spec;
    const t = spec.joinType;
    this.semiAnti = t === 'SEMI' || t === 'ANTI' ? t : undefined;
    // a semi/anti join tracks the left rows' matches as an outer side does
    this.leftOuter = t === 'LEFT' || t === 'FULL' || this.semiAnti !== undefined;
    this.rightOuter = t === 'RIGHT' || t === 'FULL';
  }

  override open(ctx: RuntimeContext): void {
    const ttl = (this.spec.stateTtlMs ?? 0) > 0 ? { ttl: { ttlMs: this.spec.stateTtlMs! } } : {};
    this.left = ctx.getMapState(mapState<string, SideEntry>('join-left', ttl));
    this.right = ctx.getMapState(mapState<string, SideEntry>('join-right', ttl));
    if (this.spec.leftInsertOnly === true && !this.leftOuter) this.leftRows = ctx.getListState(listState<unknown[]>('join-left-rows', ttl));
    if (this.spec.rightInsertOnly === true && !this.rightOuter) this.rightRows = ctx.getListState(listState<unknown[]>('join-right-rows', ttl));
  }

  processElement1(row: ChangelogRow, _ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    this.process(row, true, out);
  }

  processElement2(row: ChangelogRow, _ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    this.process(row, false, out);
  }

  private joined(input: Values, other: Values, inputIsLeft: boolean): unknown[] {
    return inputIsLeft ? [...input, ...other] : [...other, ...input];
  }

  /** Rows of the other side's state matching `values` (same key, residual condition true). */
  private matches(values: Values, inputIsLeft: boolean): Array<[string, SideEntry, unknown[]]> {
    const keys = inputIsLeft ? this.spec.leftKeys : this.spec.rightKeys;
    if (hasNull(values, keys)) return []; // NULL = anything is not true
    const other = inputIsLeft ? this.right : this.left;
    const out: Array<[string, SideEntry, unknown[]]> = [];
    for (const [id, e] of other.entries()) {
      const otherValues = fromStateRow(e.r);
      if (this.spec.residual === undefined || this.spec.residual(this.joined(values, otherValues, inputIsLeft))) out.push([id, e, otherValues]);
    }
    const otherRows = inputIsLeft ? this.rightRows : this.leftRows;
    if (otherRows !== undefined) {
      for (const r of otherRows.get()) {
        const otherValues = fromStateRow(r);
        if (this.spec.residual === undefined || this.spec.residual(this.joined(values, otherValues, inputIsLeft))) out.push(['', { r, c: 1, a: 0 }, otherValues]);
      }
    }
    return out;
  }

  private emit(out: Collector<ChangelogRow>, kind: RowKind, values: unknown[], times = 1): void {
    for (let i = 0; i < times; i++) out.collect({ kind, values });
  }

  /** A row of one side alone, the other side's columns NULL (outer joins); the left row itself for semi/anti. */
  private padded(values: Values, isLeft: boolean): unknown[] {
    if (this.semiAnti !== undefined) return [...values];
    return isLeft ? [...values, ...nulls(this.spec.rightWidth)] : [...nulls(this.spec.leftWidth), ...values];
  }

  private process(row: ChangelogRow, inputIsLeft: boolean, out: Collector<ChangelogRow>): void {
    const accumulate = row.kind === '+I' || row.kind === '+U';
    const values = row.values;
    const inputState = inputIsLeft ? this.left : this.right;
    const otherState = inputIsLeft ? this.right : this.left;
    const inputOuter = inputIsLeft ? this.leftOuter : this.rightOuter;
    const otherOuter = inputIsLeft ? this.rightOuter : this.leftOuter;
    const matches = this.matches(values, inputIsLeft);
    const inputRows = inputIsLeft ? this.leftRows : this.rightRows;
    // an append side needs no identity (a map key) for its rows
    const id = inputRows !== undefined && accumulate ? '' : rowText(values);

    if (!accumulate) {
      // a row whose state expired (TTL) is still retracted from what it joined, as Flink does
      const e = inputState.get(id);
      if (e !== undefined && e.c <= 1) inputState.remove(id);
      else if (e !== undefined) inputState.put(id, { ...e, c: e.c - 1 });
      else if (inputRows !== undefined) this.removeRow(inputRows, id);
    }

    if (this.semiAnti !== undefined) {
      if (inputIsLeft) {
        // the left row is emitted while SEMI has a match / ANTI has none
        const visible = this.semiAnti === 'SEMI' ? matches.length > 0 : matches.length === 0;
        if (accumulate) this.store(inputIsLeft, id, values, matches.length);
        if (visible) this.emit(out, accumulate ? '+I' : '-D', [...values]);
        return;
      }
      if (accumulate) this.store(inputIsLeft, id, values, 0);
      for (const [lid, e, leftValues] of matches) {
        const a = e.a + (accumulate ? 1 : -1);
        otherState.put(lid, { ...e, a });
        const firstOrLast = accumulate ? e.a === 0 : a === 0;
        if (!firstOrLast) continue;
        const appears = (this.semiAnti === 'SEMI') === accumulate;
        this.emit(out, appears ? '+I' : '-D', leftValues, e.c);
      }
      return;
    }

    if (accumulate) this.store(inputIsLeft, id, values, inputOuter ? matches.length : 0);
    if (inputOuter && matches.length === 0) this.emit(out, accumulate ? '+I' : '-D', this.padded(values, inputIsLeft));
    // joined rows keep the input's kind (+U, -U) where no outer side is involved, as in Flink
    const kind: RowKind = accumulate ? (inputOuter || otherOuter ? '+I' : row.kind) : inputOuter ? '-D' : row.kind;
    for (const [oid, e, otherValues] of matches) {
      if (otherOuter) {
        const a = e.a + (accumulate ? 1 : -1);
        otherState.put(oid, { ...e, a });
        // the other row's padded result goes when it gets its first match (before the joined
        // rows) and comes back when it loses its last one (after them)
        if (accumulate && e.a === 0) this.emit(out, '-D', this.padded(otherValues, !inputIsLeft), e.c);
        this.emit(out, kind, this.joined(values, otherValues, inputIsLeft), e.c);
        if (!accumulate && a === 0) this.emit(out, '+I', this.padded(otherValues, !inputIsLeft), e.c);
      } else {
        this.emit(out, kind, this.joined(values, otherValues, inputIsLeft), e.c);
      }
    }
  }

  /** Keeps an accumulated row of one side: appended to its list, or counted in its map. */
  private store(isLeft: boolean, id: string, values: Values, matches: number): void {
    const rows = isLeft ? this.leftRows : this.rightRows;
    if (rows !== undefined) {
      rows.add(toStateRow(values));
      return;
    }
    const state = isLeft ? this.left : this.right;
    const e = state.get(id);
    state.put(id, e === undefined ? { r: toStateRow(values), c: 1, a: matches } : { ...e, c: e.c + 1, a: matches });
  }

  /** A retraction reaching an append side (its input is insert-only, so not expected): one equal row goes. */
  private removeRow(rows: ListState<unknown[]>, id: string): void {
    const all = rows.get();
    const at = all.findIndex((r) => rowText(fromStateRow(r)) === id);
    if (at < 0) return;
    all.splice(at, 1);
    rows.update(all);
  }
}
