// Heap keyed state backend: all keyed state of one operator subtask, organised by key group.
// The operator sets the current key before user code runs; state objects read and write the
// entry of that key. Snapshots are plain data per key group, so restore can pick any key-group
// range (rescaling) — the hook the checkpointing work builds on.

import { keyGroupFor, normalizeKey, type Key, type KeyGroupRange } from '../keys/key-groups.ts';
import type {
  AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor, MapState, MapStateDescriptor,
  ReducingState, ReducingStateDescriptor, StateTtlConfig, ValueState, ValueStateDescriptor,
} from '../api/state.ts';
import { StateTable, type Namespace } from './state-table.ts';
import { TtlPolicy } from './ttl.ts';
import { TableView } from './table-view.ts';
import { KeyedStateCapture } from './keyed-state-capture.ts';
import type { Clock } from '../time/clock.ts';

/** state name → key group → entries */
export interface KeyedStateSnapshot {
  readonly maxParallelism: number;
  readonly keyGroups: Record<string, Record<string, unknown[]>>;
}

export class KeyedStateBackend {
  readonly range: KeyGroupRange;
  readonly maxParallelism: number;
  private readonly clock: Clock;
  private readonly tables = new Map<string, StateTable>();
  private readonly handles = new Map<string, unknown>();
  currentKey: Key = '';
  currentKeyGroup = -1;
  private currentGroupIndex = -1;

  constructor(range: KeyGroupRange, maxParallelism: number, clock: Clock) {
    this.range = range;
    this.maxParallelism = maxParallelism;
    this.clock = clock;
  }

  setCurrentKey(key: Key): void {
    if (key === this.currentKey && this.currentKeyGroup >= 0) return;
    const k = normalizeKey(key);
    this.currentKey = k;
    this.currentKeyGroup = keyGroupFor(k, this.maxParallelism);
    this.currentGroupIndex = this.currentKeyGroup - this.range.start;
    if (this.currentKeyGroup < this.range.start || this.currentKeyGroup > this.range.end) {
      throw new Error(`MR_ERR_KEY_GROUP_OUT_OF_RANGE: key '${String(k)}' (key group ${this.currentKeyGroup}) reached a subtask owning ${this.range.start}..${this.range.end}; the stream was not partitioned by this key`);
    }
  }

  /** For restores: sets the key when it belongs to this subtask's key groups. */
  setCurrentKeyIfOwned(key: Key): boolean {
    const kg = keyGroupFor(normalizeKey(key), this.maxParallelism);
    if (kg < this.range.start || kg > this.range.end) return false;
    this.setCurrentKey(key);
    return true;
  }

  table(name: string, namespaced = false): StateTable {
    let t = this.tables.get(name);
    if (!t) {
      t = new StateTable(name, this.range, namespaced);
      this.tables.set(name, t);
    } else if (t.namespaced !== namespaced) {
      throw new Error(`MR_ERR_STATE_REDECLARED: state '${name}' was declared twice with different kinds; give each state its own name`);
    }
    return t;
  }

  /**
   * The map of the current key group of a table (hot path), for reading or writing the entry of
   * the current key only. While an asynchronous snapshot is in flight, the entry's snapshot value
   * is preserved first (table-view.ts).
   */
  currentGroup(t: StateTable): Map<Key, unknown> {
    if (t.views.length !== 0) t.preserve(this.currentGroupIndex, this.currentKey);
    return t.groups[this.currentGroupIndex] as Map<Key, unknown>;
  }

  now(): number {
    return this.clock.now();
  }

  private cached<T>(name: string, kind: string, make: () => T): T {
    const id = `${kind}:${name}`;
    let h = this.handles.get(id);
    if (!h) {
      h = make();
      this.handles.set(id, h);
    }
    return h as T;
  }

  getValueState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.cached(d.name, 'value', () => new HeapValueState<T>(this, this.table(d.name), d.defaultValue, ttlOf(d.ttl, this.clock)));
  }
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.cached(d.name, 'list', () => new HeapListState<T>(this, this.table(d.name), ttlOf(d.ttl, this.clock)));
  }
  getMapState<K extends Key, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.cached(d.name, 'map', () => new HeapMapState<K, V>(this, this.table(d.name), ttlOf(d.ttl, this.clock)));
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    const agg = { createAccumulator: () => undefined as T | undefined, add: (v: T, acc: T | undefined) => (acc === undefined ? v : d.reduce(acc, v)), getResult: (acc: T | undefined) => acc as T, merge: (a: T | undefined, b: T | undefined) => (a === undefined ? b : b === undefined ? a : d.reduce(a, b)) };
    return this.cached(d.name, 'reducing', () => new HeapAggregatingState<T, T | undefined, T>(this, this.table(d.name), agg, ttlOf(d.ttl, this.clock)));
  }
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.cached(d.name, 'aggregating', () => new HeapAggregatingState<IN, ACC, OUT>(this, this.table(d.name), d.aggregate, ttlOf(d.ttl, this.clock)));
  }

  // --- namespaced access for internal operators (windows) ---
  getNs(t: StateTable, ns: Namespace): unknown {
    const m = this.currentGroup(t).get(this.currentKey) as Map<Namespace, unknown> | undefined;
    return m === undefined ? undefined : m.get(ns);
  }
  putNs(t: StateTable, ns: Namespace, value: unknown): void {
    const g = this.currentGroup(t);
    let m = g.get(this.currentKey) as Map<Namespace, unknown> | undefined;
    if (m === undefined) {
      m = new Map();
      g.set(this.currentKey, m);
    }
    m.set(ns, value);
  }
  /** Removes a namespace of the current key and returns what it held (one lookup for both). */
  takeNs(t: StateTable, ns: Namespace): unknown {
    const g = this.currentGroup(t);
    const m = g.get(this.currentKey) as Map<Namespace, unknown> | undefined;
    if (m === undefined) return undefined;
    const v = m.get(ns);
    if (m.delete(ns) && m.size === 0) g.delete(this.currentKey);
    return v;
  }
  removeNs(t: StateTable, ns: Namespace): void {
    const g = this.currentGroup(t);
    const m = g.get(this.currentKey) as Map<Namespace, unknown> | undefined;
    if (m === undefined) return;
    m.delete(ns);
    if (m.size === 0) g.delete(this.currentKey);
  }

  /**
   * The synchronous part of an asynchronous snapshot: a view per table, O(tables × key groups).
   * The task goes on changing state; the capture serializes the state as of now in slices.
   */
  capture(): KeyedStateCapture {
    return new KeyedStateCapture(this.range, this.maxParallelism, [...this.tables.values()].map((t) => new TableView(t)));
  }

  /** A consistent copy of all keyed state as JSON-able objects (synchronous; tests and harnesses). */
  snapshot(): KeyedStateSnapshot {
    const keyGroups: Record<string, Record<string, unknown[]>> = {};
    for (let kg = this.range.start; kg <= this.range.end; kg++) {
      for (const t of this.tables.values()) {
        const entries = t.snapshotGroup(kg);
        if (!entries) continue;
        const byState = (keyGroups[kg] ??= {});
        byState[t.name] = entries;
      }
    }
    return { maxParallelism: this.maxParallelism, keyGroups };
  }

  /** Restores the key groups of this subtask's range from any number of snapshots (rescaling). */
  restore(snapshots: readonly KeyedStateSnapshot[], namespacedTables: ReadonlySet<string> = new Set()): void {
    for (const s of snapshots) {
      if (s.maxParallelism !== this.maxParallelism) {
        throw new Error(`MR_ERR_MAX_PARALLELISM_CHANGED: state was written with maxParallelism ${s.maxParallelism} but the job now uses ${this.maxParallelism}; keep maxParallelism fixed across restores`);
      }
      for (const [kgText, byState] of Object.entries(s.keyGroups)) {
        const kg = Number(kgText);
        if (kg < this.range.start || kg > this.range.end) continue;
        for (const [name, entries] of Object.entries(byState)) {
          this.table(name, namespacedTables.has(name)).restoreGroup(kg, entries);
        }
      }
    }
  }

  stateSize(name: string): number {
    return this.tables.get(name)?.size() ?? 0;
  }
}

function ttlOf(cfg: StateTtlConfig | undefined, clock: Clock): TtlPolicy | undefined {
  return cfg ? new TtlPolicy(cfg, clock) : undefined;
}

class HeapValueState<T> implements ValueState<T> {
  private readonly b: KeyedStateBackend;
  private readonly t: StateTable;
  private readonly def: T | undefined;
  private readonly ttl: TtlPolicy | undefined;
  constructor(b: KeyedStateBackend, t: StateTable, def: T | undefined, ttl: TtlPolicy | undefined) {
    this.b = b;
    this.t = t;
    this.def = def;
    this.ttl = ttl;
  }
  value(): T | undefined {
    const g = this.b.currentGroup(this.t);
    const raw = g.get(this.b.currentKey);
    if (raw === undefined) return this.def;
    if (!this.ttl) return raw as T;
    const v = this.ttl.read(raw, () => g.delete(this.b.currentKey), (w) => g.set(this.b.currentKey, w));
    return v === undefined ? this.def : (v as T);
  }
  update(value: T): void {
    const g = this.b.currentGroup(this.t);
    if (value === undefined) g.delete(this.b.currentKey);
    else g.set(this.b.currentKey, this.ttl ? this.ttl.wrap(value) : value);
  }
  clear(): void {
    this.b.currentGroup(this.t).delete(this.b.currentKey);
  }
}

class HeapListState<T> implements ListState<T> {
  private readonly b: KeyedStateBackend;
  private readonly t: StateTable;
  private readonly ttl: TtlPolicy | undefined;
  constructor(b: KeyedStateBackend, t: StateTable, ttl: TtlPolicy | undefined) {
    this.b = b;
    this.t = t;
    this.ttl = ttl;
  }
  get(): T[] {
    const g = this.b.currentGroup(this.t);
    const list = g.get(this.b.currentKey) as unknown[] | undefined;
    if (!list) return [];
    if (!this.ttl) return (list as T[]).slice();
    const live = this.ttl.filterList(list);
    if (live.length !== list.length) {
      if (live.length === 0) g.delete(this.b.currentKey);
      else g.set(this.b.currentKey, live);
    }
    return live.map((w) => this.ttl!.unwrap(w) as T);
  }
  add(value: T): void {
    const g = this.b.currentGroup(this.t);
    const list = g.get(this.b.currentKey) as unknown[] | undefined;
    const v = this.ttl ? this.ttl.wrap(value) : value;
    if (list) list.push(v);
    else g.set(this.b.currentKey, [v]);
  }
  addAll(values: readonly T[]): void {
    for (const v of values) this.add(v);
  }
  update(values: readonly T[]): void {
    const g = this.b.currentGroup(this.t);
    if (values.length === 0) g.delete(this.b.currentKey);
    else g.set(this.b.currentKey, values.map((v) => (this.ttl ? this.ttl.wrap(v) : v)));
  }
  clear(): void {
    this.b.currentGroup(this.t).delete(this.b.currentKey);
  }
}

// Map state keeps a plain object-free representation (an array of entries would be slow); a
// JS Map per key, snapshotted as entry arrays.
class HeapMapState<K extends Key, V> implements MapState<K, V> {
  private readonly b: KeyedStateBackend;
  private readonly t: StateTable;
  private readonly ttl: TtlPolicy | undefined;
  constructor(b: KeyedStateBackend, t: StateTable, ttl: TtlPolicy | undefined) {
    this.b = b;
    this.t = t;
    this.ttl = ttl;
  }
  private map(create: boolean): Map<K, unknown> | undefined {
    const g = this.b.currentGroup(this.t);
    let m = g.get(this.b.currentKey) as Map<K, unknown> | Array<[K, unknown]> | undefined;
    if (Array.isArray(m)) {
      // restored from a snapshot: entries → Map on first touch
      m = new Map(m);
      g.set(this.b.currentKey, m);
    }
    if (!m && create) {
      m = new Map();
      g.set(this.b.currentKey, m);
    }
    return m;
  }
  get(key: K): V | undefined {
    const m = this.map(false);
    if (!m) return undefined;
    const raw = m.get(key);
    if (raw === undefined || !this.ttl) return raw as V | undefined;
    return this.ttl.read(raw, () => m.delete(key), (w) => m.set(key, w)) as V | undefined;
  }
  put(key: K, value: V): void {
    this.map(true)!.set(key, this.ttl ? this.ttl.wrap(value) : value);
  }
  remove(key: K): void {
    const m = this.map(false);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.clear();
  }
  contains(key: K): boolean {
    return this.get(key) !== undefined;
  }
  entries(): Array<[K, V]> {
    const m = this.map(false);
    if (!m) return [];
    const out: Array<[K, V]> = [];
    for (const k of [...m.keys()]) {
      const v = this.get(k);
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }
  keys(): K[] {
    return this.entries().map((e) => e[0]);
  }
  values(): V[] {
    return this.entries().map((e) => e[1]);
  }
  isEmpty(): boolean {
    return this.entries().length === 0;
  }
  clear(): void {
    this.b.currentGroup(this.t).delete(this.b.currentKey);
  }
}

class HeapAggregatingState<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  private readonly b: KeyedStateBackend;
  private readonly t: StateTable;
  private readonly agg: { createAccumulator(): ACC; add(v: IN, acc: ACC): ACC; getResult(acc: ACC): OUT };
  private readonly ttl: TtlPolicy | undefined;
  constructor(b: KeyedStateBackend, t: StateTable, agg: { createAccumulator(): ACC; add(v: IN, acc: ACC): ACC; getResult(acc: ACC): OUT }, ttl: TtlPolicy | undefined) {
    this.b = b;
    this.t = t;
    this.agg = agg;
    this.ttl = ttl;
  }
  private acc(): ACC | undefined {
    const g = this.b.currentGroup(this.t);
    const raw = g.get(this.b.currentKey);
    if (raw === undefined || !this.ttl) return raw as ACC | undefined;
    return this.ttl.read(raw, () => g.delete(this.b.currentKey), (w) => g.set(this.b.currentKey, w)) as ACC | undefined;
  }
  get(): OUT | undefined {
    const a = this.acc();
    return a === undefined ? undefined : this.agg.getResult(a);
  }
  add(value: IN): void {
    const a = this.acc();
    const next = this.agg.add(value, a === undefined ? this.agg.createAccumulator() : a);
    this.b.currentGroup(this.t).set(this.b.currentKey, this.ttl ? this.ttl.wrap(next) : next);
  }
  clear(): void {
    this.b.currentGroup(this.t).delete(this.b.currentKey);
  }
}
