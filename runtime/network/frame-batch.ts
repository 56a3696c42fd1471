// The frames waiting to go out on one TCP connection. A socket write costs a syscall and a trip
// through Node's stream machinery, more than encoding a small frame; so frames are collected and
// written together (one Buffer, one write), and credit grants for a channel are summed into one
// CREDIT frame. When the batch is written is decided by its owner (see TurnFlusher).
//
// Frames are written into one buffer as they are made (a DATA frame's header, timestamps and
// records straight into it: one copy of the records, from the codec's working buffer), and that
// buffer is handed to the socket whole; the next batch starts in a fresh one of the same size.

import type { StreamBuffer } from './buffers.ts';
import { encodeCreditInto, CREDIT_FRAME_BYTES, dataFrameBytes, encodeDataInto } from './frame-codec.ts';
import { encodeRecords } from './record-codec.ts';
import type { TypedRowCodec } from './typed-rows.ts';

/** The smallest buffer a batch starts with; it starts with what the last batch used when that was more. */
const MIN_BATCH_BYTES = 16 * 1024;

/** What a batch writes to: a net.Socket, or anything with the same two members. */
export interface FrameSink {
  write(data: Buffer): boolean;
  readonly destroyed: boolean;
}

export class FrameBatch {
  private readonly sink: FrameSink;
  private readonly onFirstPending: (batch: FrameBatch) => void;
  /** the pending frames, `used` bytes of `buf` (handed to the socket at flush, never reused) */
  private buf = Buffer.allocUnsafe(MIN_BATCH_BYTES);
  private used = 0;
  private frameCount = 0;
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
    return this.frameCount === 0 && this.creditChannels.length === 0;
  }

  /** Room for `bytes` more at `used`; a batch outgrowing its buffer moves to one twice as large. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.used + bytes));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }

  /** A frame, sent after the frames added before it. */
  add(frame: Buffer): void {
    if (this.isEmpty()) this.onFirstPending(this);
    this.reserve(frame.length);
    this.used += frame.copy(this.buf, this.used);
    this.frameCount++;
  }

  /** A DATA frame of `b` for `channel`, written into the batch; records typed when the channel declared a row type. */
  addData(channel: number, b: StreamBuffer, typed?: TypedRowCodec): void {
    const records = encodeRecords(b.values, typed);
    const bytes = dataFrameBytes(b.values.length, records.length);
    if (this.isEmpty()) this.onFirstPending(this);
    this.reserve(bytes);
    this.used = encodeDataInto(this.buf, this.used, channel, b.timestamps, b.values.length, records);
    this.frameCount++;
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
    const frames = this.frameCount;
    const channels = this.creditChannels;
    const used = this.used;
    this.creditChannels = [];
    let out: Buffer;
    if (channels.length === 0) out = this.buf.subarray(0, used);
    else {
      // credits first: they let the peer send sooner (a connection's two directions rarely
      // both have something: data goes one way, credits the other)
      out = Buffer.allocUnsafe(used + channels.length * CREDIT_FRAME_BYTES);
      let off = 0;
      for (const c of channels) {
        off = encodeCreditInto(out, off, c, this.credits[c]!);
        this.credits[c] = 0;
      }
      this.buf.copy(out, off, 0, used);
    }
    // the socket keeps the written buffer until it is sent: the next batch gets a fresh one
    if (frames > 0) this.buf = Buffer.allocUnsafe(Math.max(MIN_BATCH_BYTES, used));
    this.used = 0;
    this.frameCount = 0;
    if (this.sink.destroyed) return;
    this.writes++;
    this.framesWritten += frames + channels.length;
    this.sink.write(out);
  }
}
