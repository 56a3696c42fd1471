// The job URL a Deployment's pods are started with, and its fragment parameters (pure):
//   s3://<bucket>/<key>#sha256=<64 hex>&entry=<export>
// sha256 pins the bytes (verified after every download); entry names the module's export that
// holds the job (defaults to `default`, then `job`). http(s) and file: URLs carry the same fragment.

export interface JobUrlParts {
  /** The URL without its fragment. */
  base: string;
  sha256?: string;
  entry?: string;
}

const ENTRY = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;

export function parseJobUrl(url: string): JobUrlParts {
  const hash = url.indexOf('#');
  if (hash < 0) return { base: url };
  const params = new URLSearchParams(url.slice(hash + 1));
  const sha = params.get('sha256');
  const entry = params.get('entry');
  return {
    base: url.slice(0, hash),
    ...(sha && /^[0-9a-fA-F]{64}$/.test(sha) ? { sha256: sha.toLowerCase() } : {}),
    ...(entry && ENTRY.test(entry) ? { entry } : {}),
  };
}

/** `base#sha256=..&entry=..` (only the parts given). */
export function formatJobUrl(parts: JobUrlParts): string {
  const frag = [parts.sha256 ? `sha256=${parts.sha256}` : '', parts.entry ? `entry=${parts.entry}` : ''].filter(Boolean).join('&');
  return frag ? `${parts.base}#${frag}` : parts.base;
}

/** Whether `entry` can name a module export (an identifier). */
export function isEntryName(entry: string): boolean {
  return ENTRY.test(entry);
}
