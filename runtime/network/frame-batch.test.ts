import net from 'node:net';
import { jest } from '@jest/globals';
import { dataBuffer, eventBuffer, WATERMARK } from './buffers.ts';
import { FrameBatch } from './frame-batch.ts';
import { decodeData, decodeEvent, encodeBuffer, FRAME_CREDIT, FRAME_DATA, FrameReader, type Frame } from './frame-codec.ts';
import { TurnFlusher, type FlushScheduler } from './turn-flusher.ts';

/** A real loopback TCP connection; `received` collects the frames the far end decodes. */
async function loopback(): Promise<{ socket: net.Socket; received: Frame[]; arrived: (n: number) => Promise<void>; close: () => Promise<void> }> {
  const received: Frame[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  const reader = new FrameReader((f) => {
    received.push({ ...f, body: Buffer.from(f.body) });
    if (waiter && received.length >= waiter.n) waiter.resolve();
  });
  let far: net.Socket | undefined;
  const server = net.createServer((s) => {
    far = s;
    s.on('data', (c: Buffer) => reader.push(c));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const socket = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, noDelay: true });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return {
    socket,
    received,
    arrived: (n) => (received.length >= n ? Promise.resolve() : new Promise((resolve) => (waiter = { n, resolve }))),
    close: async () => {
      socket.destroy();
      far?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('frame batching on a connection', () => {
  test('frames made in one turn leave in one socket write, in the order they were made', async () => {
    const conn = await loopback();
    try {
      const writes = jest.spyOn(conn.socket, 'write');
      const batch = new FrameBatch(conn.socket, new TurnFlusher().enqueue);
      for (let i = 0; i < 10; i++) batch.add(encodeBuffer(1, dataBuffer([{ n: i }], [i])));
      batch.add(encodeBuffer(1, eventBuffer(WATERMARK, 9)));
      expect(writes).not.toHaveBeenCalled();
      await nextTurn();
      expect(writes).toHaveBeenCalledTimes(1);
      await conn.arrived(11);
      expect(conn.received.slice(0, 10).map((f) => decodeData(f.body).values[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({ n })));
      expect(decodeEvent(conn.received[10]!.body)).toMatchObject({ kind: WATERMARK, value: 9 });
      expect(batch.writes).toBe(1);
      expect(batch.framesWritten).toBe(11);
    } finally {
      await conn.close();
    }
  });

  test('credits granted to a channel in one turn go out as one frame carrying their sum', async () => {
    const conn = await loopback();
    try {
      const writes = jest.spyOn(conn.socket, 'write');
      const batch = new FrameBatch(conn.socket, new TurnFlusher().enqueue);
      for (let i = 0; i < 5; i++) batch.addCredit(3, 1);
      batch.addCredit(7, 4);
      batch.addCredit(3, 2);
      await nextTurn();
      expect(writes).toHaveBeenCalledTimes(1);
      await conn.arrived(2);
      expect(conn.received.map((f) => [f.type, f.channel, f.body.readUInt32LE(0)])).toEqual([[FRAME_CREDIT, 3, 7], [FRAME_CREDIT, 7, 4]]);
      // the next turn's grants start from zero again
      batch.addCredit(3, 1);
      await nextTurn();
      await conn.arrived(3);
      expect(conn.received[2]!.body.readUInt32LE(0)).toBe(1);
      expect(writes).toHaveBeenCalledTimes(2);
    } finally {
      await conn.close();
    }
  });

  test('credits and data frames of one turn share the write; data keeps its order', async () => {
    const conn = await loopback();
    try {
      const writes = jest.spyOn(conn.socket, 'write');
      const batch = new FrameBatch(conn.socket, new TurnFlusher().enqueue);
      batch.add(encodeBuffer(2, dataBuffer(['a'], [1])));
      batch.addCredit(5, 1);
      batch.add(encodeBuffer(2, dataBuffer(['b'], [2])));
      batch.addCredit(5, 1);
      await nextTurn();
      expect(writes).toHaveBeenCalledTimes(1);
      await conn.arrived(3);
      const credits = conn.received.filter((f) => f.type === FRAME_CREDIT);
      const data = conn.received.filter((f) => f.type === FRAME_DATA);
      expect(credits.map((f) => f.body.readUInt32LE(0))).toEqual([2]);
      expect(data.map((f) => decodeData(f.body).values[0])).toEqual(['a', 'b']);
    } finally {
      await conn.close();
    }
  });

  test('a frame is not held past its turn: each turn with frames is one write', async () => {
    const conn = await loopback();
    try {
      const batch = new FrameBatch(conn.socket, new TurnFlusher().enqueue);
      for (let turn = 0; turn < 3; turn++) {
        batch.add(encodeBuffer(1, dataBuffer([turn], [0])));
        await nextTurn();
        expect(batch.writes).toBe(turn + 1);
      }
      await conn.arrived(3);
      expect(conn.received.map((f) => decodeData(f.body).values[0])).toEqual([0, 1, 2]);
    } finally {
      await conn.close();
    }
  });

  test('nothing is written to a socket that was destroyed meanwhile', async () => {
    const conn = await loopback();
    const writes = jest.spyOn(conn.socket, 'write');
    const batch = new FrameBatch(conn.socket, new TurnFlusher().enqueue);
    batch.add(encodeBuffer(1, dataBuffer([1], [0])));
    await conn.close();
    await nextTurn();
    expect(writes).not.toHaveBeenCalled();
    expect(batch.writes).toBe(0);
    expect(batch.isEmpty()).toBe(true);
  });
});

describe('turn flusher', () => {
  test('schedules one flush per turn for all connections of the slot, and flushNow writes at once', async () => {
    const a = await loopback();
    const b = await loopback();
    try {
      const scheduled: Array<() => void> = [];
      const schedule: FlushScheduler = (flush) => {
        scheduled.push(flush);
      };
      const flusher = new TurnFlusher(schedule);
      const ba = new FrameBatch(a.socket, flusher.enqueue);
      const bb = new FrameBatch(b.socket, flusher.enqueue);
      ba.add(encodeBuffer(1, dataBuffer([1], [0])));
      bb.addCredit(1, 1);
      ba.add(encodeBuffer(1, dataBuffer([2], [0])));
      expect(scheduled).toHaveLength(1);
      scheduled.shift()!();
      expect([ba.writes, bb.writes]).toEqual([1, 1]);
      // the next frame schedules the next flush; an I/O callback may flush before it runs
      ba.add(encodeBuffer(1, dataBuffer([3], [0])));
      expect(scheduled).toHaveLength(1);
      flusher.flushNow();
      expect(ba.writes).toBe(2);
      scheduled.shift()!();
      expect(ba.writes).toBe(2);
      await a.arrived(3);
      expect(a.received.map((f) => decodeData(f.body).values[0])).toEqual([1, 2, 3]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
