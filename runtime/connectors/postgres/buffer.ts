// The sink's buffer between flushes (Flink's TableBufferReducedStatementExecutor): with a primary
// key, changes are reduced per key to the last one (+I/+U: upsert, -D: delete, -U: dropped, the
// +U after it carries the new row), so a flush writes each key once and replaying the same rows
// leaves the table as it was. Without a key the sink appends, and only inserts are accepted.
import type { ChangelogRow } from '../factory/row.ts';

export interface Flush {
  upserts: Array<readonly unknown[]>;
  /** key values of rows to delete */
  deletes: Array<readonly unknown[]>;
  /** rows taken in (before reduction), for metrics and the max-rows trigger */
  received: number;
}

export class ChangeBuffer {
  private readonly keyIndexes: readonly number[] | undefined;
  private readonly byKey = new Map<string, { kind: 'upsert' | 'delete'; values: readonly unknown[] }>();
  private readonly appended: Array<readonly unknown[]> = [];
  private received = 0;

  /** `keyIndexes`: positions of the primary key columns, or undefined for an append-only table. */
  constructor(keyIndexes: readonly number[] | undefined) {
    this.keyIndexes = keyIndexes;
  }

  /** Rows taken since the last `take` (Flink counts these against `sink.buffer-flush.max-rows`). */
  get size(): number {
    return this.received;
  }

  add(row: ChangelogRow): void {
    if (!this.keyIndexes) {
      if (row.kind !== '+I') throw new Error(`a ${row.kind} row reached an append-only JDBC sink`);
      this.appended.push(row.values);
      this.received++;
      return;
    }
    if (row.kind === '-U') return;
    const key = this.keyIndexes.map((i) => row.values[i]);
    this.byKey.set(keyText(key), { kind: row.kind === '-D' ? 'delete' : 'upsert', values: row.values });
    this.received++;
  }

  /** Empties the buffer, returning what a flush writes. */
  take(): Flush {
    const flush: Flush = { upserts: [...this.appended], deletes: [], received: this.received };
    for (const change of this.byKey.values()) {
      if (change.kind === 'upsert') flush.upserts.push(change.values);
      else flush.deletes.push(this.keyIndexes!.map((i) => change.values[i]));
    }
    this.byKey.clear();
    this.appended.length = 0;
    this.received = 0;
    return flush;
  }
}

/** A map key for key values of any row type (bigint and bytes included). */
export function keyText(values: readonly unknown[]): string {
  return JSON.stringify(values, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}
