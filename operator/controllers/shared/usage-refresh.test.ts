import { decideUsageRefresh } from './usage-refresh.ts';

const settled = (usedCU: number | undefined, extra: { phase?: string; observedGeneration?: number; deletionTimestamp?: string } = {}) => ({
  metadata: { generation: 3, ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp } : {}) },
  status: { observedGeneration: extra.observedGeneration ?? 3, phase: extra.phase ?? 'Active', usedCU },
});

describe('usage refresh (USED of a Namespace or Workspace after a Deployment starts or stops)', () => {
  test('a settled object whose USED changed gets one status patch; unchanged, nothing', () => {
    expect(decideUsageRefresh(settled(1.5), 0.75)).toBe('patch');
    expect(decideUsageRefresh(settled(undefined), 0)).toBe('patch');
    expect(decideUsageRefresh(settled(0.75), 0.75)).toBe('none');
    expect(decideUsageRefresh(settled(1, { phase: 'Ready' }), 2)).toBe('patch'); // a Workspace
  });

  test('anything not settled takes the full pass: being deleted, a spec not reconciled, not Active', () => {
    expect(decideUsageRefresh(settled(1, { deletionTimestamp: '2026-12-07T13:00:00Z' }), 0)).toBe('full');
    expect(decideUsageRefresh(settled(1, { observedGeneration: 2 }), 0)).toBe('full');
    expect(decideUsageRefresh(settled(1, { phase: 'QuotaRejected' }), 1)).toBe('full');
    expect(decideUsageRefresh(settled(1, { phase: 'Pending' }), 0)).toBe('full');
    expect(decideUsageRefresh({ metadata: { generation: 1 } }, 0)).toBe('full');
  });

  test('a deleted object: nothing to refresh', () => {
    expect(decideUsageRefresh(undefined, 0)).toBe('none');
  });
});
