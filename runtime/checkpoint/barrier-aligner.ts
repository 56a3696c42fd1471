// Aligned checkpoint barriers on the input side of a task (Flink's aligned checkpoints): the
// first barrier of checkpoint n starts an alignment; every channel that delivered it is blocked
// (not polled, so it returns no credit and its sender stops after a few buffers: bounded, no
// spilling); when every channel that has not ended delivered it, the task snapshots, forwards
// the barrier and unblocks all. A newer barrier during an alignment aborts the older checkpoint
// (the coordinator gave up on it); older barriers are ignored. Pure: the task acts on the answers.

export type AlignmentStep =
  /** block this channel and keep polling the others */
  | { readonly kind: 'block' }
  /** all channels aligned: snapshot checkpoint `checkpointId` now, then unblock all */
  | { readonly kind: 'complete'; readonly checkpointId: number; readonly alignmentMs: number }
  /** stale barrier of an aborted or finished checkpoint */
  | { readonly kind: 'ignore' };

export class BarrierAligner {
  private readonly channels: number;
  private readonly ended: boolean[];
  private readonly received: boolean[];
  private endedCount = 0;
  private receivedCount = 0;
  /** checkpoint being aligned, 0 = none */
  private current = 0;
  /** highest checkpoint id seen (completed or aborted) */
  private latest = 0;
  private startedAt = 0;
  private readonly now: () => number;
  /** checkpoint ids whose alignment a newer barrier aborted (read and cleared by the task) */
  readonly aborted: number[] = [];

  constructor(channels: number, now: () => number = () => performance.now()) {
    this.channels = channels;
    this.ended = new Array<boolean>(channels).fill(false);
    this.received = new Array<boolean>(channels).fill(false);
    this.now = now;
  }

  get aligning(): number {
    return this.current;
  }

  isBlocked(channel: number): boolean {
    return this.current !== 0 && this.received[channel] === true;
  }

  onBarrier(channel: number, checkpointId: number): AlignmentStep {
    if (checkpointId <= this.latest && checkpointId !== this.current) return { kind: 'ignore' };
    if (checkpointId > this.current) {
      if (this.current !== 0) this.aborted.push(this.current);
      this.reset();
      this.current = checkpointId;
      this.latest = checkpointId;
      this.startedAt = this.now();
    }
    if (!this.received[channel]) {
      this.received[channel] = true;
      this.receivedCount++;
    }
    return this.checkComplete() ?? { kind: 'block' };
  }

  /** A channel ended (end of partition): it no longer has to deliver barriers. */
  onEndOfPartition(channel: number): AlignmentStep | undefined {
    if (this.ended[channel]) return undefined;
    this.ended[channel] = true;
    this.endedCount++;
    if (this.current === 0) return undefined;
    return this.checkComplete();
  }

  private checkComplete(): AlignmentStep | undefined {
    let missing = 0;
    for (let c = 0; c < this.channels; c++) if (!this.received[c] && !this.ended[c]) missing++;
    if (missing > 0) return undefined;
    const step: AlignmentStep = { kind: 'complete', checkpointId: this.current, alignmentMs: this.now() - this.startedAt };
    this.reset();
    return step;
  }

  private reset(): void {
    this.current = 0;
    this.received.fill(false);
    this.receivedCount = 0;
  }
}
