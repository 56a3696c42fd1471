// Pure part of the Nexmark benchmark: turns the measured windows of both systems, their declared
// plans and the verification of their outputs into the figures of bench/results/nexmark.json, the
// terminal table and bench/RESULTS.md.

import type { LoadSample, SourceTree } from './run-facts.ts';
import { spreadOf, type Spread } from './stats.ts';
import type { WindowFigures } from './window.ts';

/** What a system declares it runs for a query (its query module's `plan`) and the tasks its engine built. */
export interface DeclaredPlan {
  readonly logical: readonly string[];
  readonly implementation: readonly string[];
  /** operator chains (tasks) as the engine built them from the job */
  readonly tasks: readonly string[];
}

/** What `millrace run --summary-json` and the Flink peer write at the end of a (latency) run. */
export interface RunSummary {
  readonly state?: string;
  readonly events: number;
  readonly durationMs: number;
  readonly latencyP99Ms?: number | null;
}

export type LatencyOutcome =
  | { readonly status: 'ok'; readonly rate: number; readonly p99Ms: number | null }
  | { readonly status: 'not measured' | 'failed'; readonly reason: string; readonly rate?: number };

/** One system's outcome for one row: its measured windows, or why there are none. */
export type SystemOutcome =
  | { readonly status: 'ok'; readonly runs: readonly WindowFigures[]; readonly plan: DeclaredPlan; readonly latency: LatencyOutcome }
  | { readonly status: 'not available' | 'failed'; readonly reason: string; readonly plan?: DeclaredPlan };

export interface SystemFigures {
  readonly available: boolean;
  readonly reason: string | null;
  readonly runs: readonly WindowFigures[];
  readonly eventsPerSecond: Spread | null;
  readonly cores: Spread | null;
  readonly eventsPerSecondPerCore: Spread | null;
  /** median over runs; null when the system does not report it */
  readonly channelRecordsPerEvent: number | null;
  readonly p99LatencyMs: number | null;
  readonly latencyRate: number | null;
  readonly latencyNote: string | null;
  readonly plan: DeclaredPlan | null;
}

/** Whether both systems declared the same logical steps, and where they differ. */
export interface PlanComparison {
  readonly same: boolean;
  readonly differences: ReadonlyArray<{ readonly step: number; readonly millrace: string | null; readonly flink: string | null }>;
}

export interface QueryTarget {
  readonly perCoreRatioAtLeast: number | null;
  readonly p99LatencyMsBelow: number;
}

export interface RowVerification {
  readonly events: number;
  readonly referenceRows: number;
  readonly flinkRows: number | null;
  readonly millraceRows: number | null;
  readonly flinkEqual: boolean | null;
  readonly millraceEqual: boolean | null;
  /** both systems wrote the same number of rows for the same events */
  readonly rowCountsEqual: boolean | null;
  readonly example: string | null;
}

export interface QueryResult {
  /** row of the report: a query, or a query with a named variant (e.g. q5-best-keys) */
  readonly row: string;
  readonly query: string;
  /** why this row exists besides the query's headline row; null for a headline row */
  readonly label: string | null;
  readonly plans: PlanComparison | null;
  readonly flink: SystemFigures;
  readonly millrace: SystemFigures;
  /** median Millrace events/s per core over median Flink events/s per core */
  readonly ratioMillraceToFlinkPerCore: number | null;
  /** the ratio's range over all pairs of runs: min Millrace / max Flink .. max Millrace / min Flink */
  readonly ratioRange: readonly [number, number] | null;
  readonly target: QueryTarget;
  readonly perCoreTargetMet: boolean | null;
  readonly latencyTargetMet: boolean | null;
  readonly verification: RowVerification | null;
  /** when the row was measured, the load meanwhile and the tree Millrace ran from (rows of earlier runs keep theirs) */
  readonly measuredAt?: string;
  readonly loadAverage?: LoadSample | null;
  readonly source?: SourceTree;
}

/** Issue 15's targets for rows with equal plans: q0-q2 at least 2x Flink per core, q3, q5, q7, q8 1.5x, p99 < 50 ms. */
export function targetFor(query: string, samePlan: boolean): QueryTarget {
  const perCore: Record<string, number> = { q0: 2, q1: 2, q2: 2, q3: 1.5, q5: 1.5, q7: 1.5, q8: 1.5 };
  return { perCoreRatioAtLeast: samePlan ? perCore[query] ?? null : null, p99LatencyMsBelow: 50 };
}

export function comparePlans(millrace: DeclaredPlan | null | undefined, flink: DeclaredPlan | null | undefined): PlanComparison | null {
  if (!millrace || !flink) return null;
  const differences: Array<PlanComparison['differences'][number]> = [];
  const steps = Math.max(millrace.logical.length, flink.logical.length);
  for (let i = 0; i < steps; i++) {
    const m = millrace.logical[i] ?? null;
    const f = flink.logical[i] ?? null;
    if (m !== f) differences.push({ step: i + 1, millrace: m, flink: f });
  }
  return { same: differences.length === 0, differences };
}

export function figuresOf(outcome: SystemOutcome): SystemFigures {
  if (outcome.status !== 'ok') {
    return {
      available: false, reason: `${outcome.status}: ${outcome.reason}`, runs: [], eventsPerSecond: null, cores: null, eventsPerSecondPerCore: null,
      channelRecordsPerEvent: null, p99LatencyMs: null, latencyRate: null, latencyNote: null, plan: outcome.plan ?? null,
    };
  }
  const { runs, latency } = outcome;
  const channel = runs.map((r) => r.channelRecordsPerEvent).filter((x): x is number => x !== null);
  const p99 = latency.status === 'ok' ? latency.p99Ms : null;
  return {
    available: true,
    reason: null,
    runs,
    eventsPerSecond: spreadOf(runs.map((r) => r.eventsPerSecond)),
    cores: spreadOf(runs.map((r) => r.cores)),
    eventsPerSecondPerCore: spreadOf(runs.map((r) => r.eventsPerSecondPerCore)),
    channelRecordsPerEvent: channel.length === 0 ? null : spreadOf(channel).median,
    p99LatencyMs: p99,
    latencyRate: latency.rate ?? null,
    latencyNote: latency.status === 'ok' ? (p99 === null ? 'the run reported no latencyP99Ms' : null) : `${latency.status}: ${latency.reason}`,
    plan: outcome.plan,
  };
}

export function queryResult(row: string, query: string, label: string | null, flink: SystemOutcome, millrace: SystemOutcome, verification: RowVerification | null): QueryResult {
  const f = figuresOf(flink);
  const m = figuresOf(millrace);
  const plans = comparePlans(m.plan, f.plan);
  const { ratio, range } = perCoreRatio(m, f);
  const target = targetFor(query, plans?.same === true);
  return {
    row, query, label, plans, flink: f, millrace: m,
    ratioMillraceToFlinkPerCore: ratio,
    ratioRange: range,
    target,
    perCoreTargetMet: ratio === null || target.perCoreRatioAtLeast === null ? null : ratio >= target.perCoreRatioAtLeast,
    latencyTargetMet: m.p99LatencyMs === null ? null : m.p99LatencyMs < target.p99LatencyMsBelow,
    verification,
  };
}

/**
 * Median Millrace events/s per core over median Flink's, and its range over all pairs of runs
 * (min Millrace / max Flink .. max Millrace / min Flink); null when a side has no figures.
 */
export function perCoreRatio(m: SystemFigures, f: SystemFigures): { ratio: number | null; range: readonly [number, number] | null } {
  if (!f.eventsPerSecondPerCore || !m.eventsPerSecondPerCore) return { ratio: null, range: null };
  return {
    ratio: round(m.eventsPerSecondPerCore.median / f.eventsPerSecondPerCore.median, 3),
    range: [round(m.eventsPerSecondPerCore.min / f.eventsPerSecondPerCore.max, 3), round(m.eventsPerSecondPerCore.max / f.eventsPerSecondPerCore.min, 3)],
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

const HEADERS = ['row', 'system', 'events/s median (min–max)', 'cores', 'events/s/core median (min–max)', 'channel records/event', 'p99 ms (at rate)', 'M/F per core (range)', 'target'];

function spreadText(s: Spread | null): string {
  return s === null ? 'n/a' : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)}, ${s.runs.length} runs)`;
}

export function tableRows(results: readonly QueryResult[]): string[][] {
  const rows: string[][] = [];
  for (const result of results) {
    for (const system of ['flink', 'millrace'] as const) {
      const f = result[system];
      const isMillrace = system === 'millrace';
      rows.push([
        system === 'flink' ? result.row : '',
        system,
        f.available ? spreadText(f.eventsPerSecond) : (f.reason ?? 'n/a'),
        f.available && f.cores ? f.cores.median.toFixed(2) : '',
        f.available ? spreadText(f.eventsPerSecondPerCore) : '',
        f.available ? (f.channelRecordsPerEvent === null ? 'not measured' : f.channelRecordsPerEvent.toFixed(3)) : '',
        f.available ? (f.p99LatencyMs !== null ? `${f.p99LatencyMs} (${fmt(f.latencyRate)}/s)` : 'n/a') : '',
        isMillrace && result.ratioMillraceToFlinkPerCore !== null
          ? `${result.ratioMillraceToFlinkPerCore.toFixed(2)} (${result.ratioRange![0].toFixed(2)}–${result.ratioRange![1].toFixed(2)})`
          : '',
        isMillrace ? targetText(result) : '',
      ]);
    }
  }
  return rows;
}

function targetText(result: QueryResult): string {
  const parts: string[] = [];
  if (result.plans === null || !result.plans.same) parts.push('plans differ: no per-core target');
  else if (result.target.perCoreRatioAtLeast !== null) parts.push(`per core >= ${result.target.perCoreRatioAtLeast}: ${verdict(result.perCoreTargetMet)}`);
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
