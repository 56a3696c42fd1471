import { decideUsageRefresh } from './usage-refresh.ts';

const settled = (usedCU: number | undefined, extra: { phase?: string; observedGeneration?: number; deletionTimestamp?: string } = {}) => ({
  metadata: { generation: 3, ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp } : {}) },
  status: { observedGeneration: extra.observedGeneration ?? 3, phase: extra.phase ?? 'Active', usedCU, queuedDeployments: 2 },
});

describe('usage refresh (USED of a Namespace or Workspace after a Deployment starts or stops)', () => {
  test('a settled object whose USED changed gets one status patch; unchanged, nothing', () => {
    expect(decideUsageRefresh(settled(1.5), { usedCU: 0.75 })).toBe('patch');
    expect(decideUsageRefresh(settled(undefined), { usedCU: 0 })).toBe('patch');
    expect(decideUsageRefresh(settled(0.75), { usedCU: 0.75 })).toBe('none');
    expect(decideUsageRefresh(settled(1, { phase: 'Ready' }), { usedCU: 2 })).toBe('patch'); // a Workspace
    // a Queue: usedCU and queuedDeployments both
    expect(decideUsageRefresh(settled(1), { usedCU: 1, queuedDeployments: 2 })).toBe('none');
    expect(decideUsageRefresh(settled(1), { usedCU: 1, queuedDeployments: 3 })).toBe('patch');
  });

  test('anything not settled takes the full pass: being deleted, a spec not reconciled, not Active', () => {
    expect(decideUsageRefresh(settled(1, { deletionTimestamp: '2026-12-07T13:00:00Z' }), { usedCU: 0 })).toBe('full');
    expect(decideUsageRefresh(settled(1, { observedGeneration: 2 }), { usedCU: 0 })).toBe('full');
    expect(decideUsageRefresh(settled(1, { phase: 'QuotaRejected' }), { usedCU: 1 })).toBe('full');
    expect(decideUsageRefresh(settled(1, { phase: 'Pending' }), { usedCU: 0 })).toBe('full');
    expect(decideUsageRefresh({ metadata: { generation: 1 } }, { usedCU: 0 })).toBe('full');
  });

  test('a deleted object: nothing to refresh', () => {
    expect(decideUsageRefresh(undefined, { usedCU: 0 })).toBe('none');
  });
});
