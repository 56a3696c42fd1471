// The difference between the spec the running pods were made from (status.lastReconciledSpec)
// and the spec as it is now: one line per changed field path, so a member sees what a
// redeploy would change before it happens (pure).

export interface SpecChange { path: string; running?: string; desired?: string }

function flatten(value: unknown, path: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(path, '{}');
    for (const [k, v] of entries) flatten(v, path ? `${path}.${k}` : k, out);
    return;
  }
  out.set(path, JSON.stringify(value));
}

export function specDiff(running: unknown, desired: unknown): SpecChange[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(running ?? {}, '', a);
  flatten(desired ?? {}, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.filter((p) => a.get(p) !== b.get(p)).map((p) => ({ path: p, running: a.get(p), desired: b.get(p) }));
}

/** lastReconciledSpec is JSON text; undefined when the deployment never ran or it does not parse. */
export function parseReconciledSpec(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try { return JSON.parse(text) as unknown; } catch { return undefined; }
}
