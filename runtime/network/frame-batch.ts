// The frames waiting to go out on one TCP connection. A socket write costs a syscall and a trip
// through Node's stream machinery, more than encoding a small frame; so frames are collected and
// written together (one Buffer, one write), and credit grants for a channel are summed into one
// CREDIT frame. When the batch is written is decided by its owner (see TurnFlusher).

import { encodeCreditInto, CREDIT_FRAME_BYTES } from './frame-codec.ts';

/** What a batch writes to: a net.Socket, or anything with the same two members. */
export interface FrameSink {
  write(data: Buffer): boolean;
  readonly destroyed: boolean;
}

export class FrameBatch {
  private readonly sink: FrameSink;
  private readonly onFirstPending: (batch: FrameBatch) => void;
  private frames: Buffer[] = [];
  private frameBytes = 0;
  /** credits granted per channel since the last write, and the channels that have some */
  private readonly credits: number[] = [];
  private creditChannels: number[] = [];
  /** socket writes done, and frames they carried (credit frames after coalescing) */
  writes = 0;
  framesWritten = 0;

  /** `onFirstPending` is called when the batch stops being empty, so its owner schedules a flush. */
  constructor(sink: FrameSink, onFirstPending: (batch: FrameBatch) => void) {
    this.sink = sink;
    this.onFirstPending = onFirstPending;
  }

  isEmpty(): boolean {
    return this.frames.length === 0 && this.creditChannels.length === 0;
  }

  /** A frame, sent after the frames added before it. */
  add(frame: Buffer): void {
    if (this.isEmpty()) this.onFirstPending(this);
    this.frames.push(frame);
    this.frameBytes += frame.length;
  }

  /**
   * Credits for a channel; grants made before the next write go out as one frame with their sum.
   * (Credits only steer the opposite direction, so their place among the data frames is free.)
   */
  addCredit(channel: number, n: number): void {
    if (this.isEmpty()) this.onFirstPending(this);
    const had = this.credits[channel] ?? 0;
    if (had === 0) this.creditChannels.push(channel);
    this.credits[channel] = had + n;
  }

  /** Writes everything pending in one socket write; drops it if the socket is gone. */
  flush(): void {
    if (this.isEmpty()) return;
    const frames = this.frames;
    const channels = this.creditChannels;
    const bytes = this.frameBytes + channels.length * CREDIT_FRAME_BYTES;
    this.frames = [];
    this.frameBytes = 0;
    this.creditChannels = [];
    let out: Buffer;
    if (channels.length === 0 && frames.length === 1) out = frames[0]!;
    else {
      out = Buffer.allocUnsafe(bytes);
      let off = 0;
      // credits first: they let the peer send sooner
      for (const c of channels) {
        off = encodeCreditInto(out, off, c, this.credits[c]!);
        this.credits[c] = 0;
      }
      for (const f of frames) off += f.copy(out, off);
    }
    if (this.sink.destroyed) return;
    this.writes++;
    this.framesWritten += frames.length + channels.length;
    this.sink.write(out);
  }
}
