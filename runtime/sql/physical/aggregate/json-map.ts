// A Map that goes through keyed state's JSON snapshots: it writes itself as `{ "$m": [[k, v], ...] }`
// (number keys stay numbers), and `asJsonMap` turns that form back into a map after a restore.
// Large distinct sets live in one accumulator, and a Map keeps their lookups fast.

export class JsonMap<K, V> extends Map<K, V> {
  toJSON(): { $m: Array<[K, V]> } {
    return { $m: [...this] };
  }
}

/** The map, whether it is live or as restored from a snapshot. */
export function asJsonMap<K, V>(v: JsonMap<K, V> | Map<K, V> | { $m: Array<[K, V]> }): JsonMap<K, V> {
  if (v instanceof JsonMap) return v;
  return new JsonMap(v instanceof Map ? v : v.$m);
}
