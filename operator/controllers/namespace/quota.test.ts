import { decideNamespaceQuota, usableNamespaceQuota } from './quota.ts';

describe('namespace quota against workspace capacity', () => {
  test('a quota is accepted when it fits beside the quotas the other namespaces have in force', () => {
    expect(decideNamespaceQuota(10, 4, [6])).toEqual({ accepted: true });
    expect(decideNamespaceQuota(10, 5, [6])).toEqual({ accepted: false, freeCU: 4 });
  });
  test('a growth that does not fit is refused and re-decides no one: the others keep theirs, this one its accepted quota', () => {
    // Workspace of 8: a holds 4, b holds 4. a asks for 6.
    expect(decideNamespaceQuota(8, 6, [4])).toEqual({ accepted: false, freeCU: 4 });
    expect(usableNamespaceQuota({ spec: { workspace: 'w', quotaCU: 6, members: [] }, status: { phase: 'QuotaRejected', acceptedQuotaCU: 4 } })).toBe(4);
    // b is not touched by a's request: b's own check still sees a at 4.
    expect(decideNamespaceQuota(8, 4, [4])).toEqual({ accepted: true });
  });
  test('the quota its queues are sized against', () => {
    const spec = { workspace: 'w', quotaCU: 6, members: [] };
    expect(usableNamespaceQuota({ spec, status: { phase: 'Active', acceptedQuotaCU: 6 } })).toBe(6);
    expect(usableNamespaceQuota({ spec, status: { phase: 'Active' } })).toBe(6);
    expect(usableNamespaceQuota({ spec, status: { phase: 'QuotaRejected' } })).toBeUndefined();
    expect(usableNamespaceQuota({ spec, status: { phase: 'Pending', acceptedQuotaCU: 2 } })).toBeUndefined();
    expect(usableNamespaceQuota(undefined)).toBeUndefined();
  });
});
