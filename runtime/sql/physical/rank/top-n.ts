// Top-N (`ROW_NUMBER()/RANK()/DENSE_RANK() OVER (PARTITION BY ... ORDER BY ...)` filtered to a
// rank range; Flink's AppendOnlyTopNFunction and RetractableTopNFunction): per partition key the
// rows in ORDER BY order in keyed state (rows with equal order keys in arrival order, so an
// earlier row keeps the lower ROW_NUMBER, as in Flink). After each input row the rows inside the
// rank range are compared with those before: a row that left the range is retracted, a row that
// entered is inserted; with the rank number in the output, a rank whose row changed emits -U of
// the old row and +U of the new one. On an insert-only input only the rows that can still be in
// range are kept; on an updating input every row is kept, since a retraction can bring a lower
// row back into range.
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type RuntimeContext } from '../../../api/functions.ts';
import { valueState, type ValueState } from '../../../api/state.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { fromStateRow, keptRowText, rowText, toStateRow } from '../state-rows.ts';
import type { RowOrder } from './sort-order.ts';

export interface TopNSpec {
  readonly rankType: 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';
  readonly rankStart: number;
  readonly rankEnd: number;
  readonly outputRankNumber: boolean;
  readonly order: RowOrder;
  /** the input emits only inserts: rows below the range can be forgotten */
  readonly appendOnly: boolean;
  /** state time-to-live in ms (0: forever) */
  readonly stateTtlMs?: number;
}

type Row = unknown[];

/** The rank of each row of a sorted list. */
export function ranks(rows: readonly Row[], rankType: TopNSpec['rankType'], order: RowOrder): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (rankType === 'ROW_NUMBER' || i === 0) out.push(i + 1);
    else if (order(rows[i - 1]!, rows[i]!) === 0) out.push(out[i - 1]!);
    else out.push(rankType === 'RANK' ? i + 1 : out[i - 1]! + 1);
  }
  return out;
}

/** Where a new row goes: after every row that sorts before it or equal to it. */
export function insertionPoint(rows: readonly Row[], row: Row, order: RowOrder): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (order(rows[mid]!, row) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The rows that left and entered the rank range: the multiset difference of (row, rank) entries
// (the rank counts only when it is output), rows equal when their texts are (state-rows.ts). Of
// several equal entries before, the first ones are the removed ones; of several after, the last
// ones are the added ones. Two ways to the same result: a small range compares entries directly
// (flat rows need no text at all), a large one keys them by text.
const SMALL_RANGE = 32;
type Entry = [Row, number];

const isObject = (x: unknown): boolean => typeof x === 'object' && x !== null;

/** Whether two rows have the same text (rowText), without computing it when every value is flat. */
function sameRow(a: Row, b: Row): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return keptRowText(a) === keptRowText(b);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (isObject(x) || isObject(y)) return keptRowText(a) === keptRowText(b);
    if (typeof x === 'number' && typeof y === 'number' && Number.isNaN(x) && Number.isNaN(y)) continue;
    return false;
  }
  return true;
}

export function diffSmall(before: readonly Entry[], after: readonly Entry[], ranked: boolean): { added: Entry[]; removed: Entry[] } {
  const remaining: Array<Entry | undefined> = [...before];
  // an entry after takes the last equal entry before, so the first equal ones before are removed
  const take = (e: Entry): boolean => {
    for (let i = remaining.length - 1; i >= 0; i--) {
      const b = remaining[i];
      if (b !== undefined && (!ranked || b[1] === e[1]) && sameRow(b[0], e[0])) {
        remaining[i] = undefined;
        return true;
      }
    }
    return false;
  };
  const added = after.filter((e) => !take(e));
  return { added, removed: remaining.filter((e): e is Entry => e !== undefined) };
}

export function diffByText(before: readonly Entry[], after: readonly Entry[], ranked: boolean): { added: Entry[]; removed: Entry[] } {
  // rows kept in state are the same arrays from one input to the next (fromStateRow copies only
  // tagged rows), so each row's text is computed once; a text keys its entries' ranks
  const rankOf = (e: Entry): number => (ranked ? e[1] : 0);
  const left = new Map<string, number[]>();
  for (const e of before) {
    const t = keptRowText(e[0]);
    const list = left.get(t);
    if (list === undefined) left.set(t, [rankOf(e)]);
    else list.push(rankOf(e));
  }
  const take = (e: Entry): boolean => {
    const list = left.get(keptRowText(e[0]));
    const at = list === undefined ? -1 : list.indexOf(rankOf(e));
    if (at < 0) return false;
    list!.splice(at, 1);
    return true;
  };
  const added = after.filter((e) => !take(e));
  return { added, removed: before.filter(take) };
}

export class TopNFunction extends KeyedProcessFunction<Key, ChangelogRow, ChangelogRow> {
  private readonly spec: TopNSpec;
  private state!: ValueState<Row[]>;

  constructor(spec: TopNSpec) {
    super();
    this.spec = spec;
  }

  override open(ctx: RuntimeContext): void {
    const ttl = (this.spec.stateTtlMs ?? 0) > 0 ? { ttl: { ttlMs: this.spec.stateTtlMs! } } : {};
    this.state = ctx.getState(valueState<Row[]>('top-n', ttl));
  }

  /** The rows in the rank range with their ranks. */
  private inRange(rows: readonly Row[]): Array<[Row, number]> {
    const r = ranks(rows, this.spec.rankType, this.spec.order);
    const out: Array<[Row, number]> = [];
    for (let i = 0; i < rows.length && r[i]! <= this.spec.rankEnd; i++) if (r[i]! >= this.spec.rankStart) out.push([rows[i]!, r[i]!]);
    return out;
  }

  processElement(row: ChangelogRow, _ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    const { order, appendOnly, rankEnd, rankType } = this.spec;
    const stored = this.state.value();
    const rows = stored === undefined ? [] : stored.map(fromStateRow);
    const accumulate = row.kind === '+I' || row.kind === '+U';
    const values = [...row.values];
    if (accumulate && appendOnly && rankType === 'ROW_NUMBER' && rows.length >= rankEnd && order(values, rows[rankEnd - 1]!) >= 0) return; // below the range
    const before = this.inRange(rows);
    if (accumulate) {
      rows.splice(insertionPoint(rows, values, order), 0, values);
      if (appendOnly) {
        // keep only what can still be in range: later inserts only push rows further down
        const r = ranks(rows, rankType, order);
        let keep = rows.length;
        while (keep > 0 && r[keep - 1]! > rankEnd) keep--;
        rows.length = keep;
      }
    } else {
      const text = rowText(values);
      const at = rows.findIndex((r) => order(r, values) === 0 && rowText(r) === text);
      if (at < 0) return; // not in state (expired, or below the range of an insert-only input)
      rows.splice(at, 1);
    }
    if (rows.length === 0) this.state.clear();
    else this.state.update(rows.map(toStateRow));
    this.emitChanges(before, this.inRange(rows), out);
  }

  private emitChanges(before: Array<[Row, number]>, after: Array<[Row, number]>, out: Collector<ChangelogRow>): void {
    const { added, removed } = before.length <= SMALL_RANGE ? diffSmall(before, after, this.spec.outputRankNumber) : diffByText(before, after, this.spec.outputRankNumber);
    const value = ([r, n]: [Row, number]): unknown[] => (this.spec.outputRankNumber ? [...r, n] : r);
    if (this.spec.outputRankNumber) {
      // a rank whose row changed is an update of that rank's result row
      const addedByRank = new Map<number, Array<[Row, number]>>();
      for (const a of added) addedByRank.set(a[1], [...(addedByRank.get(a[1]) ?? []), a]);
      const inserts: Array<[Row, number]> = [];
      const deletes: Array<[Row, number]> = [];
      for (const d of removed) {
        const replacement = addedByRank.get(d[1])?.shift();
        if (replacement === undefined) deletes.push(d);
        else {
          out.collect({ kind: '-U', values: value(d) });
          out.collect({ kind: '+U', values: value(replacement) });
        }
      }
      for (const list of addedByRank.values()) inserts.push(...list);
      for (const d of deletes) out.collect({ kind: '-D', values: value(d) });
      for (const a of inserts) out.collect({ kind: '+I', values: value(a) });
      return;
    }
    for (const d of removed) out.collect({ kind: '-D', values: value(d) });
    for (const a of added) out.collect({ kind: '+I', values: value(a) });
  }
}
