// Pure helpers of the operator benchmark: percentiles, and readings of a process (RSS, CPU
// time) and of the operator's Prometheus exposition.
import { readFile } from 'node:fs/promises';

/** Nearest-rank percentile of unsorted samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? Number.NaN;
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** User + system CPU seconds from the text of /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
export function parseProcStatCpuSeconds(stat: string, ticksPerSecond = 100): number {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / ticksPerSecond;
}

/** CPU seconds (user + system) a process has used so far (Linux; USER_HZ is 100 on every Linux ABI). */
export async function cpuSeconds(pid: number): Promise<number> {
  return parseProcStatCpuSeconds(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** Samples of one metric from the text exposition: label set → value. */
export function metricSamples(metricsText: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of metricsText.split('\n')) {
    if (!(line.startsWith(`${name}{`) || line.startsWith(`${name} `))) continue;
    const labels: Record<string, string> = {};
    const open = line.indexOf('{');
    if (open === name.length) {
      for (const m of line.slice(open + 1, line.lastIndexOf('}')).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1] as string] = m[2] as string;
    }
    out.push({ labels, value: Number(line.slice(line.lastIndexOf(' ') + 1)) });
  }
  return out;
}

/** Sum of a Prometheus counter over all its label sets, from the text exposition. */
export function counterTotal(metricsText: string, name: string): number {
  return metricSamples(metricsText, name).reduce((sum, s) => sum + s.value, 0);
}

/** Sum of a counter per value of some labels (joined with a space), e.g. API requests by verb and resource. */
export function counterBy(metricsText: string, name: string, labels: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of metricSamples(metricsText, name)) {
    const key = labels.map((l) => s.labels[l] ?? '').join(' ');
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** after − before per key, leaving out keys that did not change. */
export function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}
