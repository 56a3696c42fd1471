import { eventsPerSecond, parseProgressMarkers, recoveryTimeMs, summarize, throughputCost } from './recovery-stats.ts';

describe('recovery benchmark figures', () => {
  test('summaries give min, median (mean of the middle two for even counts), max and mean', () => {
    expect(summarize([])).toBeNull();
    expect(summarize([5])).toEqual({ n: 1, min: 5, median: 5, max: 5, mean: 5 });
    expect(summarize([9, 1, 4])).toEqual({ n: 3, min: 1, median: 4, max: 9, mean: 14 / 3 });
    expect(summarize([4, 1, 3, 10])).toEqual({ n: 4, min: 1, median: 3.5, max: 10, mean: 4.5 });
  });

  test('progress markers are read from JSON lines, skipping blank and torn lines', () => {
    const text = '{"at":10,"attempt":0,"subtask":0,"records":5}\n\n{"at":20,"attempt":1,"subtask":1,"records":1}\n{"at":30,"att';
    expect(parseProgressMarkers(text)).toEqual([
      { at: 10, attempt: 0, subtask: 0, records: 5 },
      { at: 20, attempt: 1, subtask: 1, records: 1 },
    ]);
  });

  test('recovery time runs from the kill until every subtask of the attempt that took over has output', () => {
    const markers = [
      { at: 1000, attempt: 0, subtask: 0, records: 10 },
      { at: 1500, attempt: 0, subtask: 1, records: 12 }, // the old attempt still flushing after the kill
      { at: 1700, attempt: 1, subtask: 0, records: 1 }, // an attempt that failed again at once
      { at: 4200, attempt: 2, subtask: 1, records: 1 },
      { at: 3900, attempt: 2, subtask: 0, records: 1 },
      { at: 4500, attempt: 2, subtask: 0, records: 300 },
    ];
    expect(recoveryTimeMs(1200, 2, 2, markers)).toBe(3000);
    expect(recoveryTimeMs(1200, 1, 2, markers)).toBeNull(); // subtask 1 of attempt 1 never produced
    expect(recoveryTimeMs(1200, 2, 3, markers)).toBeNull();
  });

  test('the throughput cost of checkpointing compares median events/s with and without', () => {
    expect(eventsPerSecond({ events: 1_000_000, durationMs: 2000 })).toBe(500_000);
    expect(() => eventsPerSecond({ events: 1, durationMs: 0 })).toThrow(/MR_ERR_BENCH_RUN: .*durationMs 0/);
    const cost = throughputCost(
      [{ events: 1_000_000, durationMs: 2000 }, { events: 1_000_000, durationMs: 1900 }, { events: 1_000_000, durationMs: 2500 }],
      [{ events: 1_000_000, durationMs: 2200 }, { events: 1_000_000, durationMs: 2100 }, { events: 1_000_000, durationMs: 2000 }],
    )!;
    expect(cost.withoutCheckpoints.median).toBe(500_000);
    expect(cost.withCheckpoints.median).toBeCloseTo(476_190.48, 1);
    expect(cost.ratio).toBeCloseTo(0.952381, 5);
    expect(cost.costPercent).toBeCloseTo(4.7619, 3);
    expect(throughputCost([], [{ events: 1, durationMs: 1 }])).toBeNull();
  });
});
