// A point-in-time view of one state table for one asynchronous snapshot (copy-on-first-access,
// the idea of Flink's CopyOnWriteStateMap, per key group instead of per entry version).
//
// Taking the view costs nothing per entry. While it is open, the backend calls `preserve` before
// the task reads or writes the entry of a key (StateTable.preserve, from currentGroup): the first
// time a key of a group that is not serialized yet is touched, its value as of the snapshot is
// serialized right then (the entry's bytes as the file gets them, a deep copy) or
// noted as absent. An entry never touched since the snapshot is still the snapshot's, so the
// serializer reads it from the live map. Code that changes a whole group without going through
// the current key (window panes fired by walking the groups) calls `completeGroup` first.
//
// Reads count as touches because state values are plain JS objects the user's functions may
// change in place after `value()` returns them. What this relies on: an object read from state
// is changed only while its key is the current key, and no object is shared between entries.

import type { Key } from '../keys/key-groups.ts';
import { encodeStateEntry, entriesRecord } from './state-file-format.ts';
import type { StateTable } from './state-table.ts';

/** The key had no entry when the snapshot was taken (it was added since). */
const ABSENT = 0;
/** The serializer has emitted this key's snapshot value already. */
const DONE = 1;
type Preserved = Buffer | typeof ABSENT | typeof DONE;

// phases of a group: 0 pending (nothing serialized), WALKING, COMPLETE
const WALKING = 1;
const COMPLETE = 2;

interface Walk {
  /** the group's entries when the walk started (values too: a lookup per key cost more than its encoding) */
  readonly keys: Key[];
  readonly values: unknown[];
  pos: number;
  /** the group's entries records so far (state-file-format.ts), a record per step */
  readonly out: Buffer[];
  /**
   * copies made while the walk was under way: one the walk never reaches was of a key it had
   * passed already (written then), so it is dropped. Walked keys are not marked one by one:
   * a Map write per entry cost more than encoding it.
   */
  readonly late: Set<Buffer>;
}

export class TableView {
  readonly table: StateTable;
  private readonly phase: Uint8Array;
  /** per group: keys touched since the snapshot → their snapshot entry (only while the group is not complete) */
  private readonly overlays: Array<Map<Key, Preserved> | undefined>;
  private readonly walks: Array<Walk | undefined>;
  /** per group, once complete: its entries records until the serializer takes them */
  private readonly results: Array<Buffer[] | undefined>;
  /** entries copied because the task touched them first (for tests and the memory figure) */
  copies = 0;
  copiedBytes = 0;
  private released = false;

  constructor(table: StateTable) {
    this.table = table;
    const n = table.groups.length;
    this.phase = new Uint8Array(n);
    this.overlays = new Array<Map<Key, Preserved> | undefined>(n);
    this.walks = new Array<Walk | undefined>(n);
    this.results = new Array<Buffer[] | undefined>(n);
    table.views.push(this);
  }

  /** Before the entry of `key` in group `index` is read or written by the task. */
  preserve(index: number, key: Key): void {
    if (this.phase[index] === COMPLETE) return;
    let ov = this.overlays[index];
    if (ov === undefined) this.overlays[index] = ov = new Map();
    else if (ov.has(key)) return;
    const value = this.table.groups[index]!.get(key);
    if (value === undefined) ov.set(key, ABSENT);
    else {
      const bytes = encodeStateEntry(key, value);
      ov.set(key, bytes);
      if (this.phase[index] === WALKING) this.walks[index]!.late.add(bytes);
      this.copies++;
      this.copiedBytes += bytes.length;
    }
  }

  /** Serializes up to about `budget` entries of group `index`; returns how many it visited. */
  advance(index: number, budget: number): number {
    if (this.phase[index] === COMPLETE) return 0;
    const group = this.table.groups[index]!;
    let w = this.walks[index];
    if (w === undefined) {
      const keys: Key[] = [];
      const values: unknown[] = [];
      group.forEach((v, k) => {
        keys.push(k);
        values.push(v);
      });
      w = this.walks[index] = { keys, values, pos: 0, out: [], late: new Set() };
      this.phase[index] = WALKING;
    }
    let ov = this.overlays[index];
    if (ov === undefined) this.overlays[index] = ov = new Map();
    const { keys, values, out } = w;
    const stop = Math.min(keys.length, w.pos + Math.max(0, budget));
    const from = w.pos;
    // untouched entries are encoded in one record per step; entries preserved earlier are
    // bytes already and follow them in the record
    const liveKeys: Key[] = [];
    const liveValues: unknown[] = [];
    const copies: Buffer[] = [];
    for (let i = from; i < stop; i++) {
      const key = keys[i]!;
      const p = ov.size === 0 ? undefined : ov.get(key);
      if (p === undefined) {
        // untouched since the snapshot: the value the walk started with is the snapshot's
        liveKeys.push(key);
        liveValues.push(values[i]);
      } else {
        if (typeof p === 'object') copies.push(p);
        ov.set(key, DONE);
      }
    }
    if (stop === keys.length) {
      // keys deleted before the walk started are only in the overlay
      for (const p of ov.values()) if (typeof p === 'object' && !w.late.has(p)) copies.push(p);
    }
    for (const r of entriesRecord(this.table.start + index, this.table.name, liveKeys, liveValues, copies)) out.push(r);
    w.pos = stop;
    if (stop < keys.length) return stop - from;
    this.results[index] = out;
    this.overlays[index] = undefined;
    this.walks[index] = undefined;
    this.phase[index] = COMPLETE;
    return stop - from + 1;
  }

  isComplete(index: number): boolean {
    return this.phase[index] === COMPLETE;
  }

  /** Serializes group `index` completely now (before a change to the whole group). */
  completeGroup(index: number): void {
    this.advance(index, Number.POSITIVE_INFINITY);
  }

  /** The entries records of a complete group (handed over once). */
  take(index: number): Buffer[] {
    const r = this.results[index] ?? [];
    this.results[index] = undefined;
    return r;
  }

  /** Entries held as copies right now (overlays and finished groups not yet taken). */
  heldEntries(): number {
    let n = 0;
    for (const ov of this.overlays) if (ov) n += ov.size;
    for (const r of this.results) if (r) n += r.length; // records, not entries: only "any left?" matters
    return n;
  }

  /** The snapshot is done or abandoned: the table stops preserving for it and its copies go. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const views = this.table.views;
    const i = views.indexOf(this);
    if (i >= 0) views.splice(i, 1);
    this.overlays.fill(undefined);
    this.walks.fill(undefined);
    this.results.fill(undefined);
    this.phase.fill(COMPLETE);
  }
}
