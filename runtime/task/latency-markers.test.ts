import { LATENCY_MARKER } from '../network/buffers.ts';
import { LocalChannel } from '../network/local-channel.ts';
import { ManualClock } from '../time/clock.ts';
import { LatencyHistogram } from '../metrics/latency-histogram.ts';
import { LatencyMarkers } from './latency-markers.ts';
import { RecordWriter } from './record-writer.ts';

describe('latency markers', () => {
  test('a source emits one marker per interval, stamped with the wall clock, rotating over the channels', () => {
    const clock = new ManualClock(10_000);
    const a = new LocalChannel();
    const b = new LocalChannel();
    const markers = new LatencyMarkers([new RecordWriter([a, b], 'rebalance', undefined, 128, 0)], new LatencyHistogram(), clock, 100);
    markers.emitIfDue();
    clock.advance(99);
    markers.emitIfDue();
    expect(a.poll()).toBeUndefined();
    expect(b.poll()).toBeUndefined();
    clock.advance(1);
    markers.emitIfDue();
    clock.advance(100);
    markers.emitIfDue();
    const first = b.poll();
    const second = a.poll();
    expect([first?.kind, first?.value]).toEqual([LATENCY_MARKER, 10_100]);
    expect([second?.kind, second?.value]).toEqual([LATENCY_MARKER, 10_200]);
  });

  test('a task without outputs records the age of each marker it gets', () => {
    const clock = new ManualClock(5_000);
    const histogram = new LatencyHistogram();
    const markers = new LatencyMarkers([], histogram, clock);
    markers.forward(4_990);
    markers.forward(4_970);
    expect(histogram.count).toBe(2);
    expect(histogram.p99()).toBeGreaterThanOrEqual(29);
  });

  test('interval 0: a source emits none', () => {
    const clock = new ManualClock();
    const ch = new LocalChannel();
    const markers = new LatencyMarkers([new RecordWriter([ch], 'forward', undefined, 128, 0)], new LatencyHistogram(), clock, 0);
    clock.advance(1_000_000);
    markers.emitIfDue();
    expect(ch.poll()).toBeUndefined();
  });
});
