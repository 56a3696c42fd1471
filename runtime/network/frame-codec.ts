// Binary frames on a TCP connection between two slots. One connection multiplexes many logical
// channels; credits are per channel, so one backpressured channel never blocks the others.
//
//   frame   := u32 length-of-rest | u8 type | u32 channel | payload
//   OPEN    := utf8 channel key                       (sender → receiver)
//   CREDIT  := u32 credits                            (receiver → sender)
//   DATA    := u32 n | f64 timestamps[n] | utf8 JSON array of the n values
//   EVENT   := u8 kind | f64 value                    (watermark, idle, end, marker, barrier)

import { DATA, type StreamBuffer } from './buffers.ts';

export const FRAME_OPEN = 1;
export const FRAME_CREDIT = 2;
export const FRAME_DATA = 3;
export const FRAME_EVENT = 4;

const HEADER = 9;

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
  const json = JSON.stringify(buf.values);
  const jsonLen = Buffer.byteLength(json);
  const total = HEADER + 4 + 8 * n + jsonLen;
  const b = Buffer.allocUnsafe(total);
  b.writeUInt32LE(total - 4, 0);
  b.writeUInt8(FRAME_DATA, 4);
  b.writeUInt32LE(channel, 5);
  b.writeUInt32LE(n, HEADER);
  let off = HEADER + 4;
  const ts = buf.timestamps;
  for (let i = 0; i < n; i++, off += 8) b.writeDoubleLE(ts[i]!, off);
  b.write(json, off, jsonLen, 'utf8');
  return b;
}

export interface Frame {
  readonly type: number;
  readonly channel: number;
  readonly body: Buffer;
}

export function decodeData(body: Buffer): StreamBuffer {
  const n = body.readUInt32LE(0);
  const timestamps = new Array<number>(n);
  let off = 4;
  for (let i = 0; i < n; i++, off += 8) timestamps[i] = body.readDoubleLE(off);
  const values = JSON.parse(body.toString('utf8', off)) as unknown[];
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
  constructor(onFrame: (f: Frame) => void) {
    this.onFrame = onFrame;
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
