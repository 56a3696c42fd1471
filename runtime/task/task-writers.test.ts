import { dataBuffer, IDLE } from '../network/buffers.ts';
import { LocalChannel } from '../network/local-channel.ts';
import { ManualClock } from '../time/clock.ts';
import { LoadMeter } from './load-meter.ts';
import { RecordWriter } from './record-writer.ts';
import { FLUSH_INTERVAL_MS, TaskWriters } from './task-writers.ts';

function setup() {
  const clock = new ManualClock(0);
  const channel = new LocalChannel();
  const writer = new RecordWriter([channel], 'forward', undefined, 128, 0);
  const load = new LoadMeter(clock);
  const writers = new TaskWriters([writer], clock, load, new Promise(() => {}));
  return { clock, channel, writer, load, writers };
}

describe('task writers', () => {
  test('buffered records leave once the buffer timeout has passed since the last flush', () => {
    const { clock, channel, writer, writers } = setup();
    writers.flush();
    writer.emit('a', 1);
    expect(writers.holdRecords()).toBe(true);
    clock.advance(FLUSH_INTERVAL_MS - 1);
    expect(writers.msUntilFlushDue()).toBe(1);
    writers.flushIfDue(clock.now());
    expect(channel.poll()).toBeUndefined();
    writers.flushIfDue(clock.now(), true);
    expect(channel.poll()?.values).toEqual(['a']);
    writer.emit('b', 2);
    clock.advance(FLUSH_INTERVAL_MS);
    writers.flushIfDue(clock.now());
    expect(channel.poll()?.values).toEqual(['b']);
    expect(writers.recordsOut()).toBe(2);
  });

  test('waiting for a full channel counts as backpressure until the reader returns credit', async () => {
    const { clock, channel, writers, load } = setup();
    for (let i = 0; i < 6; i++) channel.write(dataBuffer([i], [i]));
    expect(writers.available()).toBe(false);
    expect(writers.backlog()).toBeGreaterThan(0);
    const waiting = writers.waitAvailable();
    clock.advance(40);
    while (channel.poll() !== undefined) { /* the reader consumes and returns credit */ }
    await waiting;
    expect(writers.available()).toBe(true);
    expect(load.backpressuredMs).toBe(40);
  });

  test('events go to every channel after the records emitted before them', () => {
    const { channel, writer, writers } = setup();
    writer.emit('a', 1);
    writers.broadcastEvent(IDLE);
    expect(channel.poll()?.values).toEqual(['a']);
    expect(channel.poll()?.kind).toBe(IDLE);
  });
});
