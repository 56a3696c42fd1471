import { decideNamespaceQuotas } from './quota.ts';

const ns = (name: string, minute: number, quotaCU: number, deleting = false) =>
  ({ name, creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(), quotaCU, deleting });

describe('namespace quota against workspace capacity', () => {
  test('namespaces are accepted in creation order while they fit; one that does not fit is refused with the free CU', () => {
    const r = decideNamespaceQuotas(10, [ns('b', 2, 6), ns('a', 1, 4), ns('c', 3, 1)]);
    expect(r.decisions.get('a')).toEqual({ accepted: true });
    expect(r.decisions.get('b')).toEqual({ accepted: true });
    expect(r.decisions.get('c')).toEqual({ accepted: false, freeCU: 0 });
    expect(r.allocatedCU).toBe(10);
  });
  test('an accepted namespace keeps its quota against an older-looking newcomer (same-second timestamps)', () => {
    const r = decideNamespaceQuotas(8, [{ ...ns('b', 1, 6), accepted: true }, ns('a', 1, 4)]);
    expect(r.decisions.get('b')).toEqual({ accepted: true });
    expect(r.decisions.get('a')).toEqual({ accepted: false, freeCU: 2 });
  });
  test('a refused large namespace does not block a smaller younger one; deleting namespaces free their quota', () => {
    const r = decideNamespaceQuotas(10, [ns('gone', 0, 8, true), ns('a', 1, 6), ns('big', 2, 5), ns('small', 3, 4)]);
    expect(r.decisions.get('big')).toEqual({ accepted: false, freeCU: 4 });
    expect(r.decisions.get('small')).toEqual({ accepted: true });
    expect(r.decisions.has('gone')).toBe(false);
  });
});
