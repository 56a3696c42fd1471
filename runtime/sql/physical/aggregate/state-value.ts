// Values inside accumulators go through JSON (keyed state snapshots are JSON), which has no
// bigint (BIGINT beyond 2^53) and no bytes: these are written as tagged objects and read back.

export type StateValue = unknown;

export function toState(v: unknown): StateValue {
  if (typeof v === 'bigint') return { $b: v.toString() };
  if (v instanceof Uint8Array) return { $y: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(toState);
  return v;
}

export function fromState(v: StateValue): unknown {
  if (v !== null && typeof v === 'object') {
    if (Array.isArray(v)) return v.map(fromState);
    const o = v as { $b?: string; $y?: string };
    if (o.$b !== undefined) return BigInt(o.$b);
    if (o.$y !== undefined) return new Uint8Array(Buffer.from(o.$y, 'base64'));
  }
  return v;
}

/** A text that identifies a tuple of values (distinct sets, group keys): equal values, equal text. */
export function valueKey(values: readonly unknown[]): string {
  return JSON.stringify(values, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x));
}
