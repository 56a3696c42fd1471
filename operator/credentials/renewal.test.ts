import { decideRenewal, retryAfterFailureMs } from './renewal.ts';

describe('renewal of a namespace\'s short-lived storage credentials (manual clock)', () => {
  const hour = 3_600_000;
  const issued = { issuedAt: 10 * hour, expiresAt: 11 * hour, fingerprint: 'f1' };

  test('none yet: mint', () => {
    expect(decideRenewal(undefined, 'f1', 0)).toEqual({ mint: true, reason: 'Missing' });
  });

  test('fresh credentials are kept until half their lifetime has passed, then renewed', () => {
    expect(decideRenewal(issued, 'f1', 10 * hour)).toEqual({ mint: false, renewInMs: hour / 2 });
    expect(decideRenewal(issued, 'f1', 10 * hour + hour / 2 - 1)).toEqual({ mint: false, renewInMs: 1 });
    expect(decideRenewal(issued, 'f1', 10 * hour + hour / 2)).toEqual({ mint: true, reason: 'Renew' });
  });

  test('expired credentials (an operator that was down) are minted again', () => {
    expect(decideRenewal(issued, 'f1', 11 * hour)).toEqual({ mint: true, reason: 'Expired' });
  });

  test('another policy, workspace key, role or lifetime: minted again at once', () => {
    expect(decideRenewal(issued, 'f2', 10 * hour)).toEqual({ mint: true, reason: 'Changed' });
  });

  test('after a failed mint the retry comes well before the current credentials expire', () => {
    expect(retryAfterFailureMs(undefined, 0)).toBe(30_000);
    expect(retryAfterFailureMs(issued, 10 * hour + hour / 2)).toBe(30_000);
    expect(retryAfterFailureMs(issued, 11 * hour - 60_000)).toBe(15_000);
    expect(retryAfterFailureMs(issued, 11 * hour - 2000)).toBe(1000);
    expect(retryAfterFailureMs(issued, 12 * hour)).toBe(30_000);
  });
});
