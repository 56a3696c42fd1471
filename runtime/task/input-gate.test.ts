import { dataBuffer, END_OF_PARTITION, eventBuffer } from '../network/buffers.ts';
import { LocalChannel } from '../network/local-channel.ts';
import { InputGate } from './input-gate.ts';

const data = (v: number) => dataBuffer([v], [0]);

describe('input gate', () => {
  test('a blocked channel is not polled (its sender runs out of credit) until all are unblocked', async () => {
    const a = new LocalChannel();
    const b = new LocalChannel();
    const gate = new InputGate([{ reader: a, inputIndex: 0 }, { reader: b, inputIndex: 0 }]);
    gate.block(0);
    for (let i = 0; i < 6; i++) a.write(data(i));
    b.write(data(100));
    expect(gate.poll()?.values).toEqual([100]);
    expect(gate.poll()).toBeUndefined();
    // 4 buffers hold credit, 2 wait in the sender's backlog: the sender is no longer available
    expect(a.isAvailable()).toBe(false);
    let woke = false;
    const waiting = gate.available().then(() => {
      woke = true;
    });
    gate.unblockAll();
    await waiting;
    expect(woke).toBe(true);
    const got: unknown[] = [];
    for (let b2 = gate.poll(); b2; b2 = gate.poll()) got.push(...b2.values);
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.isAvailable()).toBe(true);
  });

  test('end of partition on every channel ends the gate', () => {
    const a = new LocalChannel();
    const gate = new InputGate([{ reader: a, inputIndex: 0 }]);
    a.write(eventBuffer(END_OF_PARTITION));
    expect(gate.poll()?.kind).toBe(END_OF_PARTITION);
    expect(gate.allEnded).toBe(true);
  });
});
