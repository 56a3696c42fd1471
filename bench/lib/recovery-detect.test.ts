import { bucketMarkers, detectRecovery, type Bucket, type LagMarker } from './recovery-detect.ts';

const BUCKET = 100;

/** Buckets from 0 to `untilMs` with `f(t)` = [records/s, lag ms] at each bucket's start t. */
function series(untilMs: number, f: (t: number) => [number, number | null]): Bucket[] {
  const out: Bucket[] = [];
  for (let t = 0; t < untilMs; t += BUCKET) {
    const [rate, lag] = f(t);
    out.push({ end: t + BUCKET, records: Math.round((rate * BUCKET) / 1000), maxLagMs: rate > 0 ? lag : null });
  }
  return out;
}

const KILL = 20_000;

describe('recovery: from the kill until the pre-kill rate is back and the backlog consumed', () => {
  test('a kill, 2 s without output, a catch-up at 3× the rate: recovered when the lag is back, not at the first output', () => {
    const buckets = series(40_000, (t) => {
      if (t < KILL) return [2000, 20];
      if (t < KILL + 500) return [1000, 20]; // the surviving half, before the failover
      if (t < KILL + 2000) return [0, null];
      // restored at 22 s: 2.5 s behind, catching up at 6000/s (gains 2 s per s): behind until 23.3 s
      if (t < KILL + 3300) return [6000, 2500 - (t - KILL - 2000) * 2];
      return [2000, 20];
    });
    const r = detectRecovery(buckets, KILL);
    expect(r).toMatchObject({ recovered: true, preKillRate: 2000, preKillLagMs: 20, firstOutputMs: 2000, worstLagMs: 2500 });
    if (!r.recovered) throw new Error(r.reason);
    // the lag reaches 270 ms (20 + 250 slack) at ~23.2 s
    expect(r.recoveryMs).toBeGreaterThanOrEqual(3100);
    expect(r.recoveryMs).toBeLessThanOrEqual(3400);
  });

  test('output at the pre-kill rate but the backlog never consumed is not recovered', () => {
    const buckets = series(40_000, (t) => (t < KILL ? [2000, 20] : t < KILL + 2000 ? [0, null] : [2000, 2000]));
    expect(detectRecovery(buckets, KILL)).toEqual({ recovered: false, reason: 'not caught up yet' });
  });

  test('records on time again but at half the rate is not recovered', () => {
    const buckets = series(40_000, (t) => (t < KILL ? [2000, 20] : t < KILL + 2000 ? [0, null] : t < KILL + 3000 ? [3000, 1500] : [1000, 20]));
    expect(detectRecovery(buckets, KILL)).toEqual({ recovered: false, reason: 'not caught up yet' });
  });

  test('a short on-time stretch during the catch-up does not count: the hold time must pass', () => {
    const buckets = series(40_000, (t) => {
      if (t < KILL) return [2000, 20];
      if (t < KILL + 2000) return [0, null];
      if (t < KILL + 3000) return [6000, 1500];
      if (t < KILL + 4000) return [2000, 20]; // on time for 1 s...
      if (t < KILL + 5000) return [6000, 1000]; // ...behind again
      return [2000, 20];
    });
    const r = detectRecovery(buckets, KILL);
    expect(r.recovered && r.recoveryMs).toBe(5000);
  });

  test('while the series does not reach the hold time past the catch-up, or the kill shows no late output yet, it is not recovered', () => {
    const f = (t: number): [number, number | null] => (t < KILL ? [2000, 20] : t < KILL + 2000 ? [0, null] : t < KILL + 3000 ? [4000, 1000] : [2000, 20]);
    expect(detectRecovery(series(KILL + 5000, f), KILL)).toEqual({ recovered: false, reason: 'not caught up yet' });
    expect(detectRecovery(series(KILL + 1500, f), KILL)).toEqual({ recovered: false, reason: 'no late output after the kill yet' });
    expect(detectRecovery(series(KILL + 30_000, f), 5000)).toEqual({ recovered: false, reason: 'less than 10000 ms of output before the kill' });
  });

  test('markers become buckets: records since the writer\'s previous marker (per subtask and attempt), largest lag', () => {
    const m = (at: number, subtask: number, attempt: number, records: number, maxLagMs: number | null): LagMarker => ({ at, subtask, attempt, records, maxLagMs });
    const buckets = bucketMarkers([
      m(1010, 0, 0, 100, 10), m(1050, 1, 0, 80, 30), m(1110, 0, 0, 150, 5),
      m(1190, 1, 1, 7, 900), // a new attempt counts from zero
      m(1250, 1, 1, 20, null),
    ], 1000, 1300, BUCKET);
    expect(buckets).toEqual([
      { end: 1100, records: 180, maxLagMs: 30 },
      { end: 1200, records: 57, maxLagMs: 900 },
      { end: 1300, records: 13, maxLagMs: null },
    ]);
  });
});
