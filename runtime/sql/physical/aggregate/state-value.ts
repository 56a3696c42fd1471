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

/**
 * A text that identifies a tuple of values (distinct sets, group keys): equal values, equal text,
 * and different tuples never share one (strings carry their length). Hot: runs per row and call.
 */
export function valueKey(values: readonly unknown[]): string {
  let k = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    switch (typeof v) {
      case 'number': k += `n${v}|`; break;
      case 'string': k += `s${v.length}:${v}|`; break;
      case 'bigint': k += `b${v}|`; break;
      case 'boolean': k += v ? 't|' : 'f|'; break;
      default:
        if (v === null || v === undefined) k += '_|';
        else if (v instanceof Uint8Array) k += `y${Buffer.from(v).toString('base64')}|`;
        else k += `j${JSON.stringify(toState(v), (_x, y: unknown) => (y instanceof Map ? [...y] : y))}|`;
    }
  }
  return k;
}
