import { BarrierAligner } from './barrier-aligner.ts';

describe('barrier alignment', () => {
  test('blocks each channel that delivered the barrier until all did, then completes with the alignment time', () => {
    let t = 100;
    const a = new BarrierAligner(3, () => t);
    expect(a.onBarrier(1, 1)).toEqual({ kind: 'block' });
    expect(a.isBlocked(1)).toBe(true);
    expect(a.isBlocked(0)).toBe(false);
    t = 130;
    expect(a.onBarrier(0, 1)).toEqual({ kind: 'block' });
    t = 150;
    expect(a.onBarrier(2, 1)).toEqual({ kind: 'complete', checkpointId: 1, alignmentMs: 50 });
    expect(a.isBlocked(1)).toBe(false);
    expect(a.aligning).toBe(0);
  });

  test('a single input channel completes at once', () => {
    const a = new BarrierAligner(1, () => 0);
    expect(a.onBarrier(0, 7)).toMatchObject({ kind: 'complete', checkpointId: 7 });
  });

  test('ended channels count as aligned, also when they end during an alignment', () => {
    const a = new BarrierAligner(3, () => 0);
    a.onEndOfPartition(2);
    expect(a.onBarrier(0, 1)).toEqual({ kind: 'block' });
    expect(a.onEndOfPartition(1)).toMatchObject({ kind: 'complete', checkpointId: 1 });
  });

  test('a newer barrier aborts the alignment in progress; stale barriers are ignored', () => {
    const a = new BarrierAligner(2, () => 0);
    a.onBarrier(0, 1);
    expect(a.onBarrier(1, 2)).toEqual({ kind: 'block' });
    expect(a.aborted).toEqual([1]);
    expect(a.isBlocked(0)).toBe(false);
    expect(a.isBlocked(1)).toBe(true);
    expect(a.onBarrier(0, 1)).toEqual({ kind: 'ignore' });
    expect(a.onBarrier(0, 2)).toMatchObject({ kind: 'complete', checkpointId: 2 });
    expect(a.onBarrier(1, 2)).toEqual({ kind: 'ignore' });
  });
});
