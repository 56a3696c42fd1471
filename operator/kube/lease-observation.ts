// When another holder's Lease counts as expired, judged as client-go does: from the time THIS
// process last saw the lease record change, on its own clock, plus the lease duration. The
// renewTime written in the lease is another machine's clock and is never compared with ours, so
// clock skew between replicas cannot make a live leader look expired (or a dead one look alive).
// Pure: the caller passes its clock's `now`.

export interface LeaseRecord {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export class LeaseObservation {
  private key: string | undefined;
  private observedAt = 0;
  private durationMs = 0;

  /** Records the lease as seen at `now`; the observation time moves only when the record changed. */
  observe(record: LeaseRecord | undefined, now: number): void {
    const key = JSON.stringify([record?.holderIdentity ?? null, record?.renewTime ?? null, record?.acquireTime ?? null, record?.leaseTransitions ?? null, record?.leaseDurationSeconds ?? null]);
    if (key !== this.key) {
      this.key = key;
      this.observedAt = now;
    }
    this.durationMs = (record?.leaseDurationSeconds ?? 0) * 1000;
  }

  /** True when the observed record has not changed for a whole lease duration. */
  expired(now: number): boolean {
    return this.key === undefined || this.observedAt + this.durationMs <= now;
  }
}
