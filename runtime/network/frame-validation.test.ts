// Frames are checked before they are decoded or buffered: a bad frame is a coded error for its
// connection, and a huge length prefix is refused at once instead of waiting for gigabytes.
import { createHmac } from 'node:crypto';
import { FRAME_CREDIT, FRAME_DATA, FRAME_EVENT, FRAME_OPEN, FrameReader, decodeData, encodeBuffer, encodeOpen, type Frame } from './frame-codec.ts';
import { dataBuffer } from './buffers.ts';
import { encodeRecords } from './record-codec.ts';
import { ClientHandshake, ServerHandshake } from './handshake.ts';

const header = (length: number, type: number, channel = 0) => {
  const b = Buffer.alloc(9);
  b.writeUInt32LE(length, 0);
  b.writeUInt8(type, 4);
  b.writeUInt32LE(channel, 5);
  return b;
};
const read = (bytes: Buffer, max?: number) => {
  const frames: Frame[] = [];
  const r = new FrameReader((f) => frames.push(f), max);
  r.push(bytes);
  return { frames, reader: r };
};

test('good frames pass, split anywhere', () => {
  const bytes = Buffer.concat([encodeOpen(0, 'job/0/e/0/0'), encodeBuffer(0, dataBuffer([1, 'a'], [10, 20]))]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const frames: Frame[] = [];
    const r = new FrameReader((f) => frames.push(f));
    r.push(bytes.subarray(0, cut));
    r.push(bytes.subarray(cut));
    expect(frames.map((f) => f.type)).toEqual([FRAME_OPEN, FRAME_DATA]);
    expect(decodeData(frames[1]!.body).values).toEqual([1, 'a']);
  }
});

test('a zero length, a length under the header, and an unknown type are refused', () => {
  expect(() => read(Buffer.alloc(4))).toThrow(expect.objectContaining({ code: 'MR_ERR_FRAME_INVALID', message: expect.stringContaining('shorter than its header') }));
  expect(() => read(header(3, FRAME_DATA))).toThrow(expect.objectContaining({ code: 'MR_ERR_FRAME_INVALID' }));
  expect(() => read(header(5, 99))).toThrow(expect.objectContaining({ code: 'MR_ERR_FRAME_INVALID', message: 'unknown frame type 99' }));
});

test('an oversize length prefix is refused before its body arrives, nothing is buffered', () => {
  const { reader } = read(header(4096, FRAME_DATA).subarray(0, 9), 1024 * 1024);
  expect(reader.buffered).toBe(9);
  expect(() => read(Buffer.from([0xf0, 0xff, 0xff, 0xff]))).toThrow(expect.objectContaining({ code: 'MR_ERR_FRAME_INVALID', message: expect.stringContaining('over the maximum') }));
  expect(() => read(header(2 * 1024 * 1024, FRAME_DATA), 1024 * 1024)).toThrow(expect.objectContaining({ message: expect.stringContaining('over the maximum of 1048576') }));
});

test('body sizes are exact per type; channel numbers are bounded', () => {
  expect(() => read(header(5 + 3, FRAME_CREDIT))).toThrow(expect.objectContaining({ message: 'CREDIT frame with 3 body bytes (4)' }));
  expect(() => read(header(5 + 8, FRAME_EVENT))).toThrow(expect.objectContaining({ message: 'EVENT frame with 8 body bytes (9)' }));
  expect(() => read(header(5, FRAME_OPEN))).toThrow(expect.objectContaining({ code: 'MR_ERR_FRAME_INVALID' }));
  expect(() => read(header(9, FRAME_CREDIT, 1 << 20))).toThrow(expect.objectContaining({ message: expect.stringContaining('channel 1048576') }));
});

test('DATA whose counts or records do not add up is refused', () => {
  const body = (n: number, records: string | Uint8Array, ts = n) => Buffer.concat([Buffer.from(Uint32Array.of(n).buffer), Buffer.alloc(8 * ts), typeof records === 'string' ? Buffer.from(records) : records]);
  expect(() => decodeData(body(1_000_000, '[]', 0))).toThrow(expect.objectContaining({ code: 'MR_ERR_FRAME_INVALID' }));
  expect(() => decodeData(body(1, '{nope'))).toThrow(expect.objectContaining({ message: expect.stringContaining('not a record batch') }));
  expect(() => decodeData(body(2, encodeRecords([1])))).toThrow(expect.objectContaining({ message: expect.stringContaining('1 values for 2') }));
});

test('the handshake succeeds with the same key, in any chunking, and fails with another', () => {
  const key = createHmac('sha256', 'k').update('data').digest();
  const server = new ServerHandshake(key);
  const client = new ClientHandshake(key);
  const hello = server.hello();
  expect(client.receive(hello.subarray(0, 10))).toBeUndefined();
  const answer = client.receive(hello.subarray(10))!.send!;
  const frames = encodeOpen(0, 'k');
  const done = server.receive(Buffer.concat([answer, frames]))!;
  expect(done.rest).toEqual(frames);
  expect(client.receive(done.reply)).toEqual({ done: Buffer.alloc(0) });

  const stranger = new ClientHandshake(createHmac('sha256', 'other').update('data').digest());
  const s2 = new ServerHandshake(key);
  expect(() => s2.receive(stranger.receive(s2.hello())!.send!)).toThrow(expect.objectContaining({ code: 'MR_ERR_HANDSHAKE_FAILED' }));
  expect(() => new ServerHandshake(key).receive(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(expect.objectContaining({ code: 'MR_ERR_HANDSHAKE_FAILED' }));
  // a server that does not hold the key is caught by the client
  const fake = new ServerHandshake(createHmac('sha256', 'other').update('data').digest());
  const c3 = new ClientHandshake(key);
  const a3 = c3.receive(fake.hello())!.send!;
  expect(() => fake.receive(a3)).toThrow(expect.objectContaining({ code: 'MR_ERR_HANDSHAKE_FAILED' }));
});
