// Dropping the records of aborted transactions from a read_committed fetch, as the Java
// consumer does (Fetcher/CompletedFetch): the broker sends aborted records up to the last stable
// offset together with a list of (producerId, firstOffset) of the transactions aborted in that
// range; a producer's records are skipped from its firstOffset until its ABORT marker. The
// marker can come in a later fetch than the records (a fetch is cut at maxBytes), so the set of
// aborting producers is kept per partition across fetches.

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** The part of a record batch the filter looks at. */
export interface BatchHead {
  firstOffset: bigint;
  lastOffsetDelta: number;
  attributes: number;
  producerId: bigint;
  /** control batches: the first record's key holds the marker type (0 ABORT, 1 COMMIT) */
  records: ReadonlyArray<{ key: Buffer | null }>;
}

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

export function isControl(batch: Pick<BatchHead, 'attributes'>): boolean {
  return (batch.attributes & CONTROL) !== 0;
}

export class AbortedTransactionFilter {
  /** producers whose aborted transaction is open at the current position */
  private readonly aborting = new Set<bigint>();
  /** aborted transactions not reached yet, by first offset */
  private pending: AbortedTransaction[] = [];

  /** Call once per fetched partition response, before its batches. */
  addAborted(list: readonly AbortedTransaction[] | null | undefined): void {
    if (!list || list.length === 0) return;
    this.pending = [...this.pending, ...list].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /** Whether the data records of this batch are to be dropped; call for every batch in order. */
  skip(batch: BatchHead): boolean {
    const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    while (this.pending.length > 0 && this.pending[0]!.firstOffset <= last) this.aborting.add(this.pending.shift()!.producerId);
    if (isControl(batch)) {
      const key = batch.records[0]?.key;
      if (key && key.length >= 4 && key.readInt16BE(2) === 0) this.aborting.delete(batch.producerId);
      return true; // markers are never data
    }
    return (batch.attributes & TRANSACTIONAL) !== 0 && this.aborting.has(batch.producerId);
  }

  /** A seek (restore, reset) makes what was learned about the old position meaningless. */
  reset(): void {
    this.aborting.clear();
    this.pending = [];
  }
}
