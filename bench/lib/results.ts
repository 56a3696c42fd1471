// Pure part of the Nexmark benchmark: turns the summaries the two systems write into the
// figures of bench/results/nexmark.json, the terminal table and bench/RESULTS.md.

/** What `millrace run --summary-json` and the Flink peer write at the end of a run. */
export interface RunSummary {
  readonly state?: string;
  readonly events: number;
  readonly durationMs: number;
  readonly cpuUserMs?: number;
  readonly cpuSystemMs?: number;
  readonly recordsOut?: number;
  readonly latencyP99Ms?: number | null;
}

/** CPU and wall time of the whole process tree, measured around the command by the driver. */
export interface ProcessUsage {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** One system's outcome for one query: figures, or why there are none. */
export type SystemOutcome =
  | { readonly status: 'ok'; readonly throughput: RunSummary; readonly usage: ProcessUsage; readonly latency: LatencyOutcome }
  | { readonly status: 'not available' | 'failed'; readonly reason: string };

export type LatencyOutcome =
  | { readonly status: 'ok'; readonly rate: number; readonly summary: RunSummary }
  | { readonly status: 'not measured' | 'failed'; readonly reason: string; readonly rate?: number };

export interface SystemFigures {
  readonly available: boolean;
  readonly reason: string | null;
  readonly eventsPerSecond: number | null;
  readonly cpuCores: number | null;
  /** `summary`: CPU the system measured over its processing window; `process`: whole process tree, start-up included. */
  readonly cpuSource: 'summary' | 'process' | null;
  readonly eventsPerSecondPerCore: number | null;
  readonly p99LatencyMs: number | null;
  readonly latencyRate: number | null;
  readonly latencyNote: string | null;
  readonly recordsOut: number | null;
}

export interface QueryTarget {
  readonly perCoreRatioAtLeast: number | null;
  readonly p99LatencyMsBelow: number;
}

export interface QueryResult {
  readonly query: string;
  readonly events: number;
  readonly flink: SystemFigures;
  readonly millrace: SystemFigures;
  readonly ratioMillraceToFlinkPerCore: number | null;
  readonly target: QueryTarget;
  readonly perCoreTargetMet: boolean | null;
  readonly latencyTargetMet: boolean | null;
}

/** The targets: q0-q2 at least Flink per core, q5 and q7 at least half, p99 < 100 ms. */
export function targetFor(query: string): QueryTarget {
  const perCore: Record<string, number> = { q0: 1, q1: 1, q2: 1, q5: 0.5, q7: 0.5 };
  return { perCoreRatioAtLeast: perCore[query] ?? null, p99LatencyMsBelow: 100 };
}

export function figuresOf(outcome: SystemOutcome): SystemFigures {
  if (outcome.status !== 'ok') {
    return {
      available: false, reason: `${outcome.status}: ${outcome.reason}`, eventsPerSecond: null, cpuCores: null, cpuSource: null,
      eventsPerSecondPerCore: null, p99LatencyMs: null, latencyRate: null, latencyNote: null, recordsOut: null,
    };
  }
  const { throughput, usage, latency } = outcome;
  const durationMs = throughput.durationMs > 0 ? throughput.durationMs : usage.wallMs;
  const eventsPerSecond = (throughput.events * 1000) / durationMs;
  const summaryCpuMs = throughput.cpuUserMs !== undefined && throughput.cpuSystemMs !== undefined
    ? throughput.cpuUserMs + throughput.cpuSystemMs
    : null;
  const cpuCores = summaryCpuMs !== null && summaryCpuMs > 0 ? summaryCpuMs / durationMs : usage.cpuMs / usage.wallMs;
  const p99 = latency.status === 'ok' ? latency.summary.latencyP99Ms ?? null : null;
  return {
    available: true,
    reason: null,
    eventsPerSecond: round(eventsPerSecond),
    cpuCores: round(cpuCores, 2),
    cpuSource: summaryCpuMs !== null && summaryCpuMs > 0 ? 'summary' : 'process',
    eventsPerSecondPerCore: cpuCores > 0 ? round(eventsPerSecond / cpuCores) : null,
    p99LatencyMs: p99,
    latencyRate: latency.rate ?? null,
    latencyNote: latency.status === 'ok'
      ? (p99 === null ? 'the run reported no latencyP99Ms' : null)
      : `${latency.status}: ${latency.reason}`,
    recordsOut: throughput.recordsOut ?? null,
  };
}

export function queryResult(query: string, events: number, flink: SystemOutcome, millrace: SystemOutcome): QueryResult {
  const flinkFigures = figuresOf(flink);
  const millraceFigures = figuresOf(millrace);
  const ratio = flinkFigures.eventsPerSecondPerCore !== null && millraceFigures.eventsPerSecondPerCore !== null
    ? round(millraceFigures.eventsPerSecondPerCore / flinkFigures.eventsPerSecondPerCore, 3)
    : null;
  const target = targetFor(query);
  return {
    query,
    events,
    flink: flinkFigures,
    millrace: millraceFigures,
    ratioMillraceToFlinkPerCore: ratio,
    target,
    perCoreTargetMet: ratio === null || target.perCoreRatioAtLeast === null ? null : ratio >= target.perCoreRatioAtLeast,
    latencyTargetMet: millraceFigures.p99LatencyMs === null ? null : millraceFigures.p99LatencyMs < target.p99LatencyMsBelow,
  };
}

/** Half of the measured maximum throughput: the load at which the issue asks for p99 latency. */
export function latencyRate(maxEventsPerSecond: number, fraction = 0.5): number {
  return Math.max(1000, Math.floor((maxEventsPerSecond * fraction) / 1000) * 1000);
}

function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

const HEADERS = ['query', 'system', 'events/s', 'cores', 'events/s/core', 'p99 ms (at rate)', 'M/F per core', 'target'];

export function tableRows(results: readonly QueryResult[]): string[][] {
  const rows: string[][] = [];
  for (const result of results) {
    for (const system of ['flink', 'millrace'] as const) {
      const f = result[system];
      const isMillrace = system === 'millrace';
      rows.push([
        system === 'flink' ? result.query : '',
        system,
        f.available ? fmt(f.eventsPerSecond) : (f.reason ?? 'n/a'),
        f.available ? String(f.cpuCores) : '',
        f.available ? fmt(f.eventsPerSecondPerCore) : '',
        f.available ? (f.p99LatencyMs !== null ? `${f.p99LatencyMs} (${fmt(f.latencyRate)}/s)` : 'n/a') : '',
        isMillrace && result.ratioMillraceToFlinkPerCore !== null ? result.ratioMillraceToFlinkPerCore.toFixed(2) : '',
        isMillrace ? targetText(result) : '',
      ]);
    }
  }
  return rows;
}

function targetText(result: QueryResult): string {
  const parts: string[] = [];
  if (result.target.perCoreRatioAtLeast !== null) {
    parts.push(`per core >= ${result.target.perCoreRatioAtLeast}: ${verdict(result.perCoreTargetMet)}`);
  }
  parts.push(`p99 < ${result.target.p99LatencyMsBelow} ms: ${verdict(result.latencyTargetMet)}`);
  return parts.join('; ');
}

function verdict(met: boolean | null): string {
  return met === null ? 'unknown' : met ? 'met' : 'NOT met';
}

function fmt(value: number | null): string {
  return value === null ? 'n/a' : Math.round(value).toLocaleString('en-US');
}

/** Fixed-width text table for the terminal. */
export function renderTable(results: readonly QueryResult[]): string {
  const rows = [HEADERS, ...tableRows(results)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** The same table in Markdown, for bench/RESULTS.md. */
export function renderMarkdownTable(results: readonly QueryResult[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const lines = [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`];
  for (const row of tableRows(results)) lines.push(`| ${row.map(escape).join(' | ')} |`);
  return lines.join('\n');
}
