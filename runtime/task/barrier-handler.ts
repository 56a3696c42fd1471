// Checkpoint barriers and ends of partition on the input side: the pure BarrierAligner decides,
// this part acts on its answers — blocks the channel that delivered a barrier, unblocks all when
// an alignment completes or a newer barrier aborts it, and takes the checkpoint once aligned.

import { BarrierAligner } from '../checkpoint/barrier-aligner.ts';
import type { Clock } from '../time/clock.ts';

/** The input gate's side of an alignment. */
export interface AlignableInput {
  block(channel: number): void;
  unblockAll(): void;
}

export class BarrierHandler {
  private readonly aligner: BarrierAligner;
  private readonly input: AlignableInput;
  private readonly checkpoint: (checkpointId: number, alignmentMs: number) => void;

  /** `clock` is monotonic: it measures the alignment time. */
  constructor(channels: number, input: AlignableInput, checkpoint: (checkpointId: number, alignmentMs: number) => void, clock: Clock) {
    this.aligner = new BarrierAligner(channels, () => clock.now());
    this.input = input;
    this.checkpoint = checkpoint;
  }

  onBarrier(channel: number, checkpointId: number): void {
    const step = this.aligner.onBarrier(channel, checkpointId);
    if (this.aligner.aborted.length > 0) {
      this.aligner.aborted.length = 0;
      this.input.unblockAll();
    }
    if (step.kind === 'block') this.input.block(channel);
    else if (step.kind === 'complete') {
      this.checkpoint(step.checkpointId, step.alignmentMs);
      this.input.unblockAll();
    }
  }

  /** An ended channel no longer holds an alignment back. */
  onEndOfPartition(channel: number): void {
    const step = this.aligner.onEndOfPartition(channel);
    if (step?.kind === 'complete') {
      this.checkpoint(step.checkpointId, step.alignmentMs);
      this.input.unblockAll();
    }
  }
}
