// All input channels of a task. Channels with data queue themselves (round-robin), so polling is
// O(1) and a waiting task wakes on the first arriving buffer instead of polling.

import { END_OF_PARTITION, type ChannelReader, type StreamBuffer } from '../network/buffers.ts';
import { AvailabilitySignal } from './availability.ts';

export interface InputChannelInfo {
  readonly reader: ChannelReader;
  /** 0 or 1 (two-input operators) */
  readonly inputIndex: number;
}

export class InputGate {
  readonly channels: InputChannelInfo[];
  private readonly ready: number[] = [];
  private readonly enqueued: boolean[];
  private ended = 0;
  private readonly signal = new AvailabilitySignal();
  /** channels held back during a checkpoint alignment: not polled, so they return no credit */
  private readonly blocked: boolean[];
  private parked: number[] = [];
  lastChannel = -1;

  constructor(channels: InputChannelInfo[]) {
    this.channels = channels;
    this.enqueued = channels.map(() => false);
    this.blocked = channels.map(() => false);
    channels.forEach((c, i) => c.reader.setListener(() => this.notify(i)));
  }

  private notify(i: number): void {
    if (!this.enqueued[i]) {
      this.enqueued[i] = true;
      this.ready.push(i);
    }
    this.signal.notify();
  }

  get allEnded(): boolean {
    return this.ended === this.channels.length;
  }

  /** Next buffer from any channel; `lastChannel` tells which. */
  poll(): StreamBuffer | undefined {
    while (this.ready.length > 0) {
      const i = this.ready.shift()!;
      if (this.blocked[i]) {
        this.parked.push(i); // stays enqueued; polled again once unblocked
        continue;
      }
      const b = this.channels[i]!.reader.poll();
      if (b === undefined) {
        this.enqueued[i] = false;
        continue;
      }
      if (b.kind === END_OF_PARTITION) {
        this.ended++;
        this.enqueued[i] = false;
      } else {
        this.ready.push(i); // still may have more; round-robin
      }
      this.lastChannel = i;
      return b;
    }
    return undefined;
  }

  /** Stops polling channel i (it delivered a checkpoint barrier; the others still have to). */
  block(i: number): void {
    this.blocked[i] = true;
  }

  /** Polls every channel again (alignment done or aborted). */
  unblockAll(): void {
    this.blocked.fill(false);
    if (this.parked.length === 0) return;
    for (const i of this.parked) this.ready.push(i);
    this.parked = [];
    this.signal.notify();
  }

  /** Resolves when some channel has data. */
  available(): Promise<void> {
    return this.signal.next(this.ready.length > 0);
  }

  /** Wakes a pending available() (used by the mailbox). */
  interrupt(): void {
    this.signal.notify();
  }
}
