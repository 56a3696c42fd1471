// Partition directories as Flink and Hive write them: `col=value/col2=value2/` in PARTITIONED BY
// order, values escaped like Flink's PartitionPathUtils (so `HH:mm` becomes `10%3A05`), NULL or
// empty as `__DEFAULT_PARTITION__`. The partition time (for the `partition-time` commit trigger)
// comes from the values through `partition.time-extractor.timestamp-pattern`. Pure.

export const DEFAULT_PARTITION_NAME = '__DEFAULT_PARTITION__';

// Flink's PartitionPathUtils.CHAR_TO_ESCAPE
const ESCAPED = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\u007F', '{', '[', ']', '^']);

export function escapePathName(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    out += ESCAPED.has(ch) || (code >= 1 && code <= 0x1f) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

export function unescapePathName(value: string): string {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** `dt=2024-01-01/hm=10%3A05` for the partition columns' values as text (null: the default name). */
export function partitionPath(names: readonly string[], values: ReadonlyArray<string | null>, defaultName = DEFAULT_PARTITION_NAME): string {
  return names.map((n, i) => {
    const v = values[i];
    return `${escapePathName(n)}=${v === null || v === undefined || v === '' ? defaultName : escapePathName(v)}`;
  }).join('/');
}

/** The partition values in a file's key (`a=1/b=x/part-...`), by column name; null for the default name. */
export function partitionValuesOf(key: string, defaultName = DEFAULT_PARTITION_NAME): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const segments = key.split('/').slice(0, -1);
  for (const s of segments) {
    const eq = s.indexOf('=');
    if (eq <= 0) continue;
    const v = unescapePathName(s.slice(eq + 1));
    out.set(unescapePathName(s.slice(0, eq)), v === defaultName ? null : v);
  }
  return out;
}

/**
 * The time of a partition (epoch ms, wall clock read as UTC like TIMESTAMP values): the pattern
 * with `$col` replaced by the values (default: the first partition value), read as
 * `yyyy-MM-dd[ HH:mm[:ss]]`. Undefined when the text is not such a time.
 */
export function partitionTime(names: readonly string[], values: ReadonlyArray<string | null>, pattern: string | undefined): number | undefined {
  let text: string;
  if (pattern === undefined) text = values[0] ?? '';
  else {
    // longest names first, so `$dt` does not eat the start of `$dtx`
    const order = names.map((n, i) => [n, i] as const).sort((a, b) => b[0].length - a[0].length);
    text = pattern;
    for (const [n, i] of order) text = text.split(`$${n}`).join(values[i] ?? '');
  }
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
}
