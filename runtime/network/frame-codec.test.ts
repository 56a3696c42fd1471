import { dataBuffer, eventBuffer, WATERMARK } from './buffers.ts';
import { CREDIT_FRAME_BYTES, decodeData, decodeEvent, encodeBuffer, encodeCreditInto, encodeOpen, FRAME_CREDIT, FRAME_DATA, FRAME_EVENT, FRAME_OPEN, FrameReader, type Frame } from './frame-codec.ts';

function stream(): Buffer {
  const credit = Buffer.alloc(CREDIT_FRAME_BYTES);
  encodeCreditInto(credit, 0, 9, 4);
  const big = Array.from({ length: 300 }, (_, i) => ({ id: i, name: `person ${i}`, city: 'Kent' }));
  return Buffer.concat([
    encodeOpen(0, 'job/1/e/0/1'),
    credit,
    encodeBuffer(0, dataBuffer(big, big.map((_, i) => 1000 + i))),
    encodeBuffer(0, eventBuffer(WATERMARK, 1299)),
    encodeBuffer(1, dataBuffer(['ü', 'ß'], [1, 2])),
  ]);
}

function describeFrames(frames: Frame[]): unknown[] {
  return frames.map((f) => {
    if (f.type === FRAME_OPEN) return ['open', f.channel, f.body.toString('utf8')];
    if (f.type === FRAME_CREDIT) return ['credit', f.channel, f.body.readUInt32LE(0)];
    if (f.type === FRAME_DATA) return ['data', f.channel, decodeData(f.body)];
    if (f.type === FRAME_EVENT) return ['event', f.channel, decodeEvent(f.body)];
    return ['unknown', f.type];
  });
}

/** Reads `bytes` delivered in chunks of the given sizes (cycled), decoding each frame as it comes. */
function readInChunks(bytes: Buffer, sizes: number[]): unknown[] {
  const out: unknown[] = [];
  const reader = new FrameReader((f) => out.push(...describeFrames([f])));
  for (let off = 0, i = 0; off < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    reader.push(bytes.subarray(off, off + n));
    off += n;
  }
  return out;
}

describe('frame reader', () => {
  const bytes = stream();
  const whole = readInChunks(bytes, [bytes.length]);

  test('decodes open, credit, data and event frames of one chunk', () => {
    expect(whole).toHaveLength(5);
    expect(whole[0]).toEqual(['open', 0, 'job/1/e/0/1']);
    expect(whole[1]).toEqual(['credit', 9, 4]);
    expect((whole[2] as [string, number, { values: unknown[]; timestamps: number[] }])[2].values).toHaveLength(300);
    expect((whole[2] as [string, number, { timestamps: number[] }])[2].timestamps[299]).toBe(1299);
    expect(whole[3]).toEqual(['event', 0, expect.objectContaining({ kind: WATERMARK, value: 1299 })]);
    expect(whole[4]).toEqual(['data', 1, expect.objectContaining({ values: ['ü', 'ß'] })]);
  });

  test.each([[[1]], [[2, 3]], [[7]], [[13, 1, 4096]], [[1000]], [[65536]]])('frames split over chunks of %j bytes decode the same', (sizes) => {
    expect(readInChunks(bytes, sizes)).toEqual(whole);
  });
});
