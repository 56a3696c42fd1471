// When a namespace's short-lived storage credentials are minted again (pure; the clock is a value).
// They are renewed once half their lifetime has passed, so the pods — which see a renewed Secret
// after the kubelet's sync (about a minute) and re-read it every few minutes — always hold
// credentials with a long margin; a failed renewal is retried well before they expire.

export interface IssuedCredentials {
  /** ms since the epoch */
  issuedAt: number;
  expiresAt: number;
  /** credentialsFingerprint() of what they were minted for */
  fingerprint: string;
}

export type RenewalDecision =
  | { mint: true; reason: 'Missing' | 'Changed' | 'Renew' | 'Expired' }
  | { mint: false; renewInMs: number };

/** The fraction of the lifetime after which credentials are renewed. */
export const RENEW_AFTER_FRACTION = 0.5;

export function decideRenewal(current: IssuedCredentials | undefined, wantedFingerprint: string, now: number): RenewalDecision {
  if (!current) return { mint: true, reason: 'Missing' };
  if (current.fingerprint !== wantedFingerprint) return { mint: true, reason: 'Changed' };
  if (now >= current.expiresAt) return { mint: true, reason: 'Expired' };
  const renewAt = current.issuedAt + (current.expiresAt - current.issuedAt) * RENEW_AFTER_FRACTION;
  if (now >= renewAt) return { mint: true, reason: 'Renew' };
  return { mint: false, renewInMs: renewAt - now };
}

/** After a failed mint: try again soon, but never later than a quarter of what is left. */
export function retryAfterFailureMs(current: IssuedCredentials | undefined, now: number, baseMs = 30_000): number {
  if (!current || now >= current.expiresAt) return baseMs;
  return Math.max(1000, Math.min(baseMs, Math.floor((current.expiresAt - now) / 4)));
}
