// One named keyed state, split by key group so a snapshot can be cut and re-assigned per key group.
// Namespaced tables (window contents) hold per key a Map<namespace, value>.

import type { Key, KeyGroupRange } from '../keys/key-groups.ts';
import type { TableView } from './table-view.ts';

export type Namespace = number | string;

export class StateTable {
  readonly name: string;
  readonly namespaced: boolean;
  readonly groups: Array<Map<Key, unknown>>;
  /** the first key group of the subtask's range (groups[i] is key group start + i) */
  readonly start: number;
  /** views of snapshots being serialized asynchronously (usually none, at most a few) */
  readonly views: TableView[] = [];

  constructor(name: string, range: KeyGroupRange, namespaced: boolean) {
    this.name = name;
    this.namespaced = namespaced;
    this.start = range.start;
    this.groups = [];
    for (let kg = range.start; kg <= range.end; kg++) this.groups.push(new Map());
  }

  group(keyGroup: number): Map<Key, unknown> {
    const g = this.groups[keyGroup - this.start];
    if (!g) throw new Error(`MR_ERR_KEY_GROUP_OUT_OF_RANGE: key group ${keyGroup} is not assigned to this subtask (state '${this.name}')`);
    return g;
  }

  /** Before the task reads or writes the entry of `key` in group `index` (the groups array's index). */
  preserve(index: number, key: Key): void {
    for (const v of this.views) v.preserve(index, key);
  }

  /** Before the task changes group `index` other than through one key (a walk over the group). */
  beforeGroupWrite(index: number): void {
    for (const v of this.views) v.completeGroup(index);
  }

  /** Entries of one key group as a snapshot holds them (a Map value as its [key, value] pairs). */
  snapshotGroup(keyGroup: number): unknown[] | undefined {
    const g = this.group(keyGroup);
    if (g.size === 0) return undefined;
    const out: unknown[] = [];
    // Map values (map state, namespaced tables) are written as entry arrays.
    for (const [k, v] of g) out.push([k, v instanceof Map ? [...v] : v]);
    return out;
  }

  restoreGroup(keyGroup: number, entries: unknown[]): void {
    const g = this.group(keyGroup);
    for (const e of entries as Array<[Key, unknown]>) {
      g.set(e[0], this.namespaced ? new Map(e[1] as Array<[Namespace, unknown]>) : e[1]);
    }
  }

  /** Number of entries (keys, or key-namespace pairs) over all key groups. */
  size(): number {
    let n = 0;
    for (const g of this.groups) {
      if (!this.namespaced) n += g.size;
      else for (const m of g.values()) n += (m as Map<Namespace, unknown>).size;
    }
    return n;
  }
}
