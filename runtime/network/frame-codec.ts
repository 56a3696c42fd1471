// Binary frames on a TCP connection between two slots. One connection multiplexes many logical
// channels; credits are per channel, so one backpressured channel never blocks the others.
//
//   frame   := u32 length-of-rest | u8 type | u32 channel | payload
//   OPEN    := utf8 channel key                       (sender → receiver)
//   CREDIT  := u32 credits                            (receiver → sender)
//   DATA    := u32 n | f64 timestamps[n] | the n values (record-codec.ts: typed rows, flat records or MessagePack)
//   EVENT   := u8 kind | f64 value                    (watermark, idle, end, marker, barrier)

import { DATA, type StreamBuffer } from './buffers.ts';
import { RuntimeError } from '../errors/runtime-error.ts';
import { decodeRecords, encodeRecords } from './record-codec.ts';
import type { TypedRowCodec } from './typed-rows.ts';

export const FRAME_OPEN = 1;
export const FRAME_CREDIT = 2;
export const FRAME_DATA = 3;
export const FRAME_EVENT = 4;
/** No content: sent on a connection that has been quiet for a second, so a silent peer is noticed. */
export const FRAME_PING = 5;

/** A PING frame (length 5, type, channel 0). */
export const PING_FRAME: Buffer = (() => {
  const b = Buffer.alloc(9);
  b.writeUInt32LE(5, 0);
  b.writeUInt8(FRAME_PING, 4);
  return b;
})();

const HEADER = 9;

/** The largest frame a connection accepts (length prefix included); a longer one closes it. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Channels one connection may open (channel numbers are indexes into per-connection tables). */
export const MAX_CHANNELS = 1 << 16;
const MAX_KEY_BYTES = 1024;

/** A frame that breaks the protocol: the connection it came on is closed, nothing else. */
export class FrameError extends RuntimeError {
  constructor(message: string) {
    super('MR_ERR_FRAME_INVALID', message);
  }
}

/** Checks a frame's type, channel and body size before anything decodes it. */
export function validateFrame(type: number, channel: number, bodyLength: number): void {
  if (channel >= MAX_CHANNELS) throw new FrameError(`channel ${channel} is above the limit of ${MAX_CHANNELS}`);
  switch (type) {
    case FRAME_OPEN:
      if (bodyLength === 0 || bodyLength > MAX_KEY_BYTES) throw new FrameError(`OPEN frame with a ${bodyLength}-byte channel key (1 to ${MAX_KEY_BYTES})`);
      return;
    case FRAME_CREDIT:
      if (bodyLength !== 4) throw new FrameError(`CREDIT frame with ${bodyLength} body bytes (4)`);
      return;
    case FRAME_EVENT:
      if (bodyLength !== 9) throw new FrameError(`EVENT frame with ${bodyLength} body bytes (9)`);
      return;
    case FRAME_DATA:
      if (bodyLength < 4) throw new FrameError(`DATA frame with ${bodyLength} body bytes (at least 4)`);
      return;
    case FRAME_PING:
      if (bodyLength !== 0) throw new FrameError(`PING frame with ${bodyLength} body bytes (0)`);
      return;
    default:
      throw new FrameError(`unknown frame type ${type}`);
  }
}

export function encodeOpen(channel: number, key: string): Buffer {
  const len = Buffer.byteLength(key);
  const b = Buffer.allocUnsafe(HEADER + len);
  b.writeUInt32LE(5 + len, 0);
  b.writeUInt8(FRAME_OPEN, 4);
  b.writeUInt32LE(channel, 5);
  b.write(key, HEADER, 'utf8');
  return b;
}

export const CREDIT_FRAME_BYTES = HEADER + 4;

/** Writes a CREDIT frame at `offset` of `b`; returns the offset after it. */
export function encodeCreditInto(b: Buffer, offset: number, channel: number, credits: number): number {
  b.writeUInt32LE(9, offset);
  b.writeUInt8(FRAME_CREDIT, offset + 4);
  b.writeUInt32LE(channel, offset + 5);
  b.writeUInt32LE(credits, offset + HEADER);
  return offset + CREDIT_FRAME_BYTES;
}

export function encodeBuffer(channel: number, buf: StreamBuffer): Buffer {
  if (buf.kind !== DATA) {
    const b = Buffer.allocUnsafe(HEADER + 9);
    b.writeUInt32LE(5 + 9, 0);
    b.writeUInt8(FRAME_EVENT, 4);
    b.writeUInt32LE(channel, 5);
    b.writeUInt8(buf.kind, HEADER);
    b.writeDoubleLE(buf.value, HEADER + 1);
    return b;
  }
  const n = buf.values.length;
  const records = encodeRecords(buf.values);
  const b = Buffer.allocUnsafe(dataFrameBytes(n, records.length));
  encodeDataInto(b, 0, channel, buf.timestamps, n, records);
  return b;
}

/** The size of a DATA frame of `n` records whose encoding takes `recordBytes`. */
export const dataFrameBytes = (n: number, recordBytes: number): number => HEADER + 4 + 8 * n + recordBytes;

// timestamps go in and out as one block through an aligned scratch array (bytes as little-endian
// doubles; on a big-endian machine they are written one by one)
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
let stamps = new Float64Array(1024);
let stampBytes = new Uint8Array(stamps.buffer);

function stampScratch(n: number): void {
  if (stamps.length >= n) return;
  stamps = new Float64Array(Math.max(n, 2 * stamps.length));
  stampBytes = new Uint8Array(stamps.buffer);
}

/** Writes a DATA frame at `offset` of `b` (which has room); returns the offset after it. */
export function encodeDataInto(b: Buffer, offset: number, channel: number, timestamps: readonly number[], n: number, records: Uint8Array): number {
  const total = dataFrameBytes(n, records.length);
  b.writeUInt32LE(total - 4, offset);
  b[offset + 4] = FRAME_DATA;
  b.writeUInt32LE(channel, offset + 5);
  b.writeUInt32LE(n, offset + HEADER);
  let off = offset + HEADER + 4;
  if (LITTLE_ENDIAN && timestamps.length === n) {
    stampScratch(n);
    stamps.set(timestamps);
    b.set(stampBytes.subarray(0, 8 * n), off);
    off += 8 * n;
  } else for (let i = 0; i < n; i++, off += 8) b.writeDoubleLE(timestamps[i]!, off);
  b.set(records, off);
  return off + records.length;
}

export interface Frame {
  readonly type: number;
  readonly channel: number;
  readonly body: Buffer;
}

/** The records of a DATA frame's body; `typed` is the channel's declared row type, if any. */
export function decodeData(body: Buffer, typed?: TypedRowCodec): StreamBuffer {
  const n = body.readUInt32LE(0);
  if (4 + 8 * n > body.length) throw new FrameError(`DATA frame announces ${n} records but has ${body.length} bytes`);
  const timestamps = new Array<number>(n);
  let off = 4;
  if (LITTLE_ENDIAN) {
    stampScratch(n);
    stampBytes.set(body.subarray(off, off + 8 * n));
    for (let i = 0; i < n; i++) timestamps[i] = stamps[i]!;
    off += 8 * n;
  } else for (let i = 0; i < n; i++, off += 8) timestamps[i] = body.readDoubleLE(off);
  let values: unknown[];
  try {
    values = decodeRecords(body.subarray(off), n, typed);
  } catch (err) {
    throw new FrameError(`DATA frame with a body that is not a record batch: ${(err as Error).message}`);
  }
  return { kind: DATA, values, timestamps, value: 0 };
}

export function decodeEvent(body: Buffer): StreamBuffer {
  return { kind: body.readUInt8(0), values: [], timestamps: [], value: body.readDoubleLE(1) };
}

/**
 * Splits a byte stream into frames. A frame split over several chunks is kept as those chunks
 * and joined once when its last byte arrives (not re-copied with every chunk).
 */
export class FrameReader {
  private parts: Buffer[] = [];
  private have = 0;
  /** bytes the partial frame in `parts` needs before it can be decoded (4 while its length is unknown) */
  private need = 0;
  private readonly onFrame: (f: Frame) => void;
  private readonly maxFrameBytes: number;
  constructor(onFrame: (f: Frame) => void, maxFrameBytes = MAX_FRAME_BYTES) {
    this.onFrame = onFrame;
    this.maxFrameBytes = maxFrameBytes;
  }
  /** bytes held for a frame not yet complete (never more than the maximum frame size) */
  get buffered(): number {
    return this.have;
  }
  push(chunk: Buffer): void {
    if (this.have === 0) {
      this.split(chunk);
      return;
    }
    this.parts.push(chunk);
    this.have += chunk.length;
    if (this.have < this.need) return;
    const joined = Buffer.concat(this.parts, this.have);
    this.parts = [];
    this.have = 0;
    this.split(joined);
  }
  private split(buf: Buffer): void {
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32LE(off);
      // checked before waiting for the rest: a huge length prefix is refused, not buffered
      if (len < 5) throw new FrameError(`frame length ${len} is shorter than its header (5)`);
      if (len + 4 > this.maxFrameBytes) throw new FrameError(`frame of ${len + 4} bytes is over the maximum of ${this.maxFrameBytes}`);
      if (buf.length - off >= HEADER) validateFrame(buf.readUInt8(off + 4), buf.readUInt32LE(off + 5), len - 5);
      if (buf.length - off - 4 < len) break;
      const type = buf.readUInt8(off + 4);
      const channel = buf.readUInt32LE(off + 5);
      this.onFrame({ type, channel, body: buf.subarray(off + HEADER, off + 4 + len) });
      off += 4 + len;
    }
    if (off < buf.length) {
      const rest = buf.subarray(off);
      this.parts = [rest];
      this.have = rest.length;
      this.need = rest.length >= 4 ? 4 + rest.readUInt32LE(0) : 4;
    }
  }
}
