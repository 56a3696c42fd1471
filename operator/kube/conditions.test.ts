import { setCondition } from './conditions.ts';

describe('conditions', () => {
  const t1 = new Date('2026-01-01T00:00:00Z');
  const t2 = new Date('2026-01-01T01:00:00Z');
  test('transition time changes only when the status flips', () => {
    const a = setCondition([], { type: 'Ready', status: 'False', reason: 'Queued', message: 'm' }, 1, t1);
    const b = setCondition(a, { type: 'Ready', status: 'False', reason: 'Other', message: 'n' }, 2, t2);
    expect(b).toEqual([{ type: 'Ready', status: 'False', reason: 'Other', message: 'n', observedGeneration: 2, lastTransitionTime: t1.toISOString() }]);
    const c = setCondition(b, { type: 'Ready', status: 'True', reason: 'Running', message: '' }, 2, t2);
    expect(c[0]?.lastTransitionTime).toBe(t2.toISOString());
  });
  test('other condition types are kept', () => {
    const a = setCondition([], { type: 'Ready', status: 'True', reason: 'R', message: '' }, 1, t1);
    const b = setCondition(a, { type: 'StorageReady', status: 'True', reason: 'R', message: '' }, 1, t1);
    expect(b.map((c) => c.type)).toEqual(['Ready', 'StorageReady']);
  });
});
