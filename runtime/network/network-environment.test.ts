import { BACKLOG_LIMIT, dataBuffer, END_OF_PARTITION, eventBuffer, INITIAL_CREDIT, WATERMARK, type ChannelReader, type StreamBuffer } from './buffers.ts';
import { NetworkEnvironment } from './network-environment.ts';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Resolves once `reader` has something to poll (its listener fired). */
function readable(reader: ChannelReader): Promise<void> {
  return new Promise((resolve) => reader.setListener(resolve));
}

/** Turns the event loop until `cond` holds; gives up after a few thousand turns. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 3000) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Two slots' data planes on loopback, a channel from `sender` to `receiver`. */
async function twoSlots(key: string) {
  const sender = new NetworkEnvironment();
  const receiver = new NetworkEnvironment();
  const address = await receiver.start('127.0.0.1');
  await sender.start('127.0.0.1');
  const input = receiver.inputChannel(key);
  const output = sender.outputChannel(address, key);
  const got: StreamBuffer[] = [];
  const pollAll = (): number => {
    let n = 0;
    for (let b = input.poll(); b; b = input.poll()) {
      got.push(b);
      n++;
    }
    return n;
  };
  return { sender, receiver, input, output, got, pollAll, close: async () => {
    await sender.close();
    await receiver.close();
  } };
}

describe('network environment: records between slots', () => {
  test('records cross a TCP channel as a same-slot channel hands them over: flat bids, and SQL rows with bigint, bytes, Map, Date', async () => {
    const s = await twoSlots('job/1/e/0/2');
    try {
      const bids = Array.from({ length: 3 }, (_, i) => ({ kind: 'bid', auction: 1000 + i, price: 0.5 + i, channel: i === 2 ? 'Zürich' : 'Google', extra: undefined }));
      const rows = [{ kind: '+I', values: [2n ** 64n + 1n, new Uint8Array([0, 255]), new Map([['k', [1, null]]]), new Date(1_735_689_600_123), NaN] }];
      s.output.write(dataBuffer(bids, [1, 2, 3]));
      s.output.write(dataBuffer(rows, [4]));
      await until(() => s.pollAll() === 0 && s.got.length === 2);
      expect(s.got[0]!.values).toStrictEqual(bids);
      expect(s.got[1]!.values).toStrictEqual(rows);
      expect(s.got.map((b) => b.timestamps)).toEqual([[1, 2, 3], [4]]);
    } finally {
      await s.close();
    }
  });
});

describe('network environment: batched frames and coalesced credits', () => {
  test('buffers written in one turn reach the receiver in one socket write', async () => {
    const s = await twoSlots('job/1/e/0/1');
    try {
      await until(() => s.receiver.stats().writes === 1); // the initial credit
      const before = s.sender.stats();
      for (let i = 0; i < INITIAL_CREDIT; i++) s.output.write(dataBuffer([i], [i]));
      s.output.write(eventBuffer(WATERMARK, 3));
      await until(() => s.pollAll() === 0 && s.got.length === INITIAL_CREDIT + 1);
      expect(s.got.map((b) => (b.kind === WATERMARK ? `wm ${b.value}` : b.values[0]))).toEqual([0, 1, 2, 3, 'wm 3']);
      const after = s.sender.stats();
      expect(after.writes - before.writes).toBe(1);
      expect(after.frames - before.frames).toBe(INITIAL_CREDIT + 1);
    } finally {
      await s.close();
    }
  });

  test('credit stays exact: a receiver that polls nothing gets its initial credit and no more; buffers it polls in one turn return one credit frame', async () => {
    const s = await twoSlots('job/1/e/0/2');
    try {
      const total = INITIAL_CREDIT * 2 + BACKLOG_LIMIT;
      for (let i = 0; i < total; i++) s.output.write(dataBuffer([i], [i]));
      // nothing polled: exactly INITIAL_CREDIT buffers cross, the rest wait at the sender
      await readable(s.input);
      await until(() => s.sender.stats().frames >= 1 + INITIAL_CREDIT); // OPEN + the credited buffers
      for (let i = 0; i < 20; i++) await nextTurn();
      expect(s.sender.stats().frames).toBe(1 + INITIAL_CREDIT);
      expect(s.output.backlog()).toBe(total - INITIAL_CREDIT);
      expect(s.output.isAvailable()).toBe(false);

      // the receiver takes its INITIAL_CREDIT buffers in one turn: one write, one credit frame
      const credit = s.receiver.stats();
      expect(s.pollAll()).toBe(INITIAL_CREDIT);
      await nextTurn();
      expect(s.receiver.stats().writes - credit.writes).toBe(1);
      expect(s.receiver.stats().frames - credit.frames).toBe(1);
      // which lets exactly INITIAL_CREDIT more cross
      await until(() => s.sender.stats().frames >= 1 + 2 * INITIAL_CREDIT);
      for (let i = 0; i < 20; i++) await nextTurn();
      expect(s.sender.stats().frames).toBe(1 + 2 * INITIAL_CREDIT);
      expect(s.output.backlog()).toBe(BACKLOG_LIMIT);
      expect(s.output.isAvailable()).toBe(false);
      expect(s.pollAll()).toBe(INITIAL_CREDIT);

      s.pollAll();
      await s.output.waitAvailable();
      s.output.write(eventBuffer(END_OF_PARTITION));
      await until(() => s.pollAll() === 0 && s.got.at(-1)?.kind === END_OF_PARTITION);
      expect(s.got.filter((b) => b.kind !== END_OF_PARTITION).map((b) => b.values[0])).toEqual([...Array(total).keys()]);
    } finally {
      await s.close();
    }
  });

  test('an event reaches a receiver whose task deploys after the sender opened the channel', async () => {
    const sender = new NetworkEnvironment();
    const receiver = new NetworkEnvironment();
    try {
      const address = await receiver.start('127.0.0.1');
      const output = sender.outputChannel(address, 'job/1/e/0/3');
      output.write(eventBuffer(WATERMARK, 42));
      output.write(dataBuffer(['x'], [0]));
      await until(() => sender.stats().writes >= 1);
      for (let i = 0; i < 10; i++) await nextTurn();
      const input = receiver.inputChannel('job/1/e/0/3');
      expect(input.poll()).toMatchObject({ kind: WATERMARK, value: 42 });
      await readable(input);
      expect(input.poll()?.values).toEqual(['x']);
    } finally {
      await sender.close();
      await receiver.close();
    }
  });
});
