import { BARRIER, dataBuffer, END_OF_PARTITION, eventBuffer } from '../network/buffers.ts';
import { LocalChannel } from '../network/local-channel.ts';
import { ManualClock } from '../time/clock.ts';
import { BarrierHandler } from './barrier-handler.ts';
import { InputGate } from './input-gate.ts';

function setup(channels: number) {
  const clock = new ManualClock(0);
  const chans = Array.from({ length: channels }, () => new LocalChannel());
  const gate = new InputGate(chans.map((reader) => ({ reader, inputIndex: 0 })));
  const taken: Array<[number, number]> = [];
  const handler = new BarrierHandler(channels, gate, (id, ms) => taken.push([id, ms]), clock);
  /** polls the gate as the task does, handing barriers and ends to the handler; returns the data seen */
  const drain = (): unknown[] => {
    const seen: unknown[] = [];
    for (let b = gate.poll(); b; b = gate.poll()) {
      if (b.kind === BARRIER) handler.onBarrier(gate.lastChannel, b.value);
      else if (b.kind === END_OF_PARTITION) handler.onEndOfPartition(gate.lastChannel);
      else seen.push(...b.values);
    }
    return seen;
  };
  return { clock, chans, taken, drain };
}

describe('barrier handler', () => {
  test('a channel that delivered the barrier is held back until all did; the checkpoint takes the alignment time', () => {
    const { clock, chans, taken, drain } = setup(2);
    chans[0]!.write(eventBuffer(BARRIER, 1));
    chans[0]!.write(dataBuffer(['after-barrier'], [0]));
    chans[1]!.write(dataBuffer(['before-barrier'], [0]));
    expect(drain()).toEqual(['before-barrier']);
    expect(taken).toEqual([]);
    clock.advance(30);
    chans[1]!.write(eventBuffer(BARRIER, 1));
    expect(drain()).toEqual(['after-barrier']);
    expect(taken).toEqual([[1, 30]]);
  });

  test('a newer barrier aborts the alignment in progress and releases the held channels', () => {
    const { chans, taken, drain } = setup(2);
    chans[0]!.write(eventBuffer(BARRIER, 1));
    chans[0]!.write(dataBuffer(['held'], [0]));
    drain();
    chans[1]!.write(eventBuffer(BARRIER, 2));
    // checkpoint 1 is given up; channel 0 is released, then holds for checkpoint 2 once its barrier comes
    expect(drain()).toEqual(['held']);
    chans[0]!.write(eventBuffer(BARRIER, 2));
    drain();
    expect(taken.map(([id]) => id)).toEqual([2]);
  });

  test('a channel that ended no longer holds the checkpoint back', () => {
    const { chans, taken, drain } = setup(2);
    chans[0]!.write(eventBuffer(BARRIER, 3));
    drain();
    chans[1]!.write(eventBuffer(END_OF_PARTITION));
    drain();
    expect(taken.map(([id]) => id)).toEqual([3]);
  });
});
