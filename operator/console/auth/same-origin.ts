// Cross-site request refusal for cookie-authenticated state changes: the session cookie is
// SameSite=Strict already; this second check refuses a request whose Origin (or, without one,
// Sec-Fetch-Site) says another site sent it. Requests with a bearer token carry no ambient
// credential and are not checked.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function crossSiteRefusal(method: string, headers: Record<string, string | string[] | undefined>): string | undefined {
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
  const host = typeof headers.host === 'string' ? headers.host : undefined;
  if (origin && origin !== 'null') {
    let originHost: string;
    try { originHost = new URL(origin).host; } catch { return `Origin '${origin}' is not a URL`; }
    return originHost === host ? undefined : `Origin ${origin} is not this console (${host ?? 'no Host header'})`;
  }
  if (origin === 'null') return 'Origin null (an opaque origin) may not change anything';
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site: ${site}`;
  return undefined;
}
