// bench/results/nexmark.json and the Nexmark section of bench/RESULTS.md from the results (pure).
// Everything a reader is told about plans comes from what each side's code declares (the query
// modules' `plan` and the Flink peer's `Queries.plan`) and the tasks each engine built.

import type { MachineDescription } from './machine.ts';
import type { QueryResult } from './results.ts';
import { renderMarkdownTable } from './results.ts';
import { busyBeyondItself, loadText, sourceText } from './run-facts.ts';

export interface BenchSettings {
  readonly parallelism: number;
  readonly taskmanagers: number;
  readonly seed: number;
  readonly eventsPerSecond: number;
  readonly runs: number;
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  readonly windows: { readonly q5WindowMs: number; readonly q5SlideMs: number; readonly q7WindowMs: number; readonly q8WindowMs: number };
  readonly latency: { readonly parallelism: number; readonly loadFraction: number; readonly seconds: number; readonly warmupSeconds: number } | null;
  readonly flink: { readonly version: string | null; readonly objectReuse: true; readonly latencyWatermarkIntervalMs: number; readonly latencyBufferTimeoutMs: number };
  readonly verifyEvents: number;
}

export interface Verification {
  readonly generatorChecksum: { readonly events: number; readonly typescript: string; readonly java: string; readonly equal: boolean } | null;
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly machine: MachineDescription;
  readonly settings: BenchSettings;
  readonly verification: Verification;
  readonly queries: readonly QueryResult[];
  /** rows not measured by this run, kept from the previous report (same settings) */
  readonly kept?: readonly string[];
}

/** A measured window shorter than this, or warm-up shorter than that, is a smoke run, not a figure. */
export const MIN_MEASURE_SECONDS = 30;
export const MIN_WARMUP_SECONDS = 10;
export const MIN_RUNS = 3;

export function isSmokeRun(s: Pick<BenchSettings, 'measureSeconds' | 'warmupSeconds' | 'runs'>): boolean {
  return s.measureSeconds < MIN_MEASURE_SECONDS || s.warmupSeconds < MIN_WARMUP_SECONDS || s.runs < MIN_RUNS;
}

function planText(q: QueryResult): string {
  const lines = [`### ${q.row}${q.label ? ` — ${q.label}` : ''}`, ''];
  const side = (name: string, plan: QueryResult['millrace']['plan']) => {
    if (plan === null) return [`- ${name}: plan not available`];
    return [
      `- ${name} logical: ${plan.logical.join(' → ')}`,
      `- ${name} implementation: ${plan.implementation.join('; ')}`,
      `- ${name} tasks (operator chains): ${plan.tasks.map((t) => `\`${t}\``).join(', ')}`,
    ];
  };
  lines.push(...side('Millrace', q.millrace.plan), ...side('Flink', q.flink.plan));
  if (q.plans === null) lines.push('- Logical plans: not compared (one side has no plan).');
  else if (q.plans.same) lines.push('- Logical plans: **the same** (every declared step equal).');
  else {
    lines.push(`- Logical plans: **different** at ${q.plans.differences.length} step(s):`);
    for (const d of q.plans.differences) lines.push(`  - step ${d.step}: Millrace "${d.millrace ?? '(none)'}", Flink "${d.flink ?? '(none)'}"`);
  }
  return lines.join('\n');
}

function verificationText(q: QueryResult): string {
  const v = q.verification;
  if (v === null) return `- ${q.row}: not verified (--no-verify)`;
  const side = (name: string, rows: number | null, equal: boolean | null) =>
    rows === null ? `${name} not run` : `${name} ${rows} rows ${equal ? 'equal to the reference' : 'DIFFERENT from the reference'}`;
  return `- ${q.row}: first ${v.events.toLocaleString('en-US')} events, reference ${v.referenceRows} rows; ${side('Flink', v.flinkRows, v.flinkEqual)}; ${side('Millrace', v.millraceRows, v.millraceEqual)}; row counts ${v.rowCountsEqual === null ? 'not compared' : v.rowCountsEqual ? 'equal' : 'DIFFERENT'}${v.example ? ` (e.g. ${v.example})` : ''}`;
}

export function renderResultsMarkdown(report: BenchReport): string {
  const { machine, settings, verification } = report;
  const unavailable = report.queries
    .flatMap((q) => (['flink', 'millrace'] as const).map((system) => ({ q, system, f: q[system] })))
    .filter(({ f }) => !f.available || f.latencyNote !== null)
    .map(({ q, system, f }) => `- ${q.row} ${system}: ${f.reason ?? f.latencyNote}`);
  const checksum = verification.generatorChecksum;
  const smoke = isSmokeRun(settings);
  const loads = report.queries.flatMap((q) => (q.loadAverage ? [q.loadAverage.max] : []));
  const busy = loads.length > 0 && busyBeyondItself(Math.max(...loads), machine.logicalCpus);
  const kept = report.kept ?? [];
  return `${SECTION_BEGIN}
# Nexmark: Millrace against Apache Flink

Latest figures of \`npm run bench:nexmark\` (\`bench/nexmark.ts\`), generated ${report.generatedAt}.
Raw figures: \`bench/results/nexmark.json\`.${smoke ? `

**Smoke run, not figures:** ${settings.runs} run(s) of ${settings.measureSeconds} s after ${settings.warmupSeconds} s of warm-up (figures need at least ${MIN_RUNS} runs of ${MIN_MEASURE_SECONDS} s after ${MIN_WARMUP_SECONDS} s).` : ''}${busy ? `

**The machine was not idle:** the 1-minute load average reached ${Math.max(...loads).toFixed(2)} on ${machine.logicalCpus} logical CPUs while rows were
measured (per row below), of which the benchmark's own processes account for at most about ${machine.logicalCpus}; other work competed for the
same cores, so these figures are noisier than an idle machine's.` : ''}${kept.length > 0 ? `

This run measured ${report.queries.filter((q) => !kept.includes(q.row)).map((q) => q.row).join(', ')}; the rows ${kept.join(', ')} are kept from an earlier run with the same settings (each row's time, load and source tree are under Results).` : ''}

## Machine

- CPU: ${machine.cpuModel}, ${machine.logicalCpus} logical CPUs; memory ${machine.memoryGiB} GiB
- OS: ${machine.os}, kernel ${machine.kernel}
- Node.js ${machine.node} (Millrace), ${machine.java} (Flink ${settings.flink.version ?? 'n/a'})
- Load average when the run started: ${machine.loadAverageAtStart.join(' / ')} (the machine may be shared; figures vary with other load)

## Method

- Per row and system ${settings.runs} run(s), alternating systems; each run starts the system with an unbounded Nexmark source
  (no rate limit, seed ${settings.seed}, parallelism ${settings.parallelism}; Millrace: \`millrace run\` with ${settings.taskmanagers} TaskManagers, no
  checkpoints; Flink: local mini-cluster in one JVM, object reuse on, no checkpoints), blackhole sink.
  Event time advances ${settings.eventsPerSecond.toLocaleString('en-US')} events/s; q5 sliding ${settings.windows.q5WindowMs / 1000} s every ${settings.windows.q5SlideMs / 1000} s,
  q7 and q8 tumbling ${settings.windows.q7WindowMs / 1000} s / ${settings.windows.q8WindowMs / 1000} s.
- After ${settings.warmupSeconds} s of warm-up, a window of ${settings.measureSeconds} s is measured: at its start and end the events the
  sources emitted (Flink: a probe in the JVM; Millrace: the JobManager's REST figures, sampled right after a
  TaskManager heartbeat updated them) and the CPU ticks (utime+stime, with reaped children) of every process of the
  system from \`/proc\` (Flink: the JVM; Millrace: the runner, the JobManager and the TaskManagers). events/s =
  events in the window / its duration; cores = CPU seconds in the window / its duration; events/s per core = the
  two divided. Median over the runs, with min–max; the ratio's range is min Millrace / max Flink to max / min.
- Channel records per event: records that non-source tasks received over channels in the window / source
  events (Millrace: their recordsIn from the REST API; Flink: their task numRecordsIn, read in the JVM by a
  metric reporter). Records between chained operators never cross a channel. Flink encodes every channel
  record (also between tasks in one JVM); Millrace encodes those between slots and hands objects over within a
  slot (with hash partitioning over ${settings.parallelism} slots, about ${Math.round(((settings.parallelism - 1) / settings.parallelism) * 100)}% of a keyed edge's records cross slots).
${settings.latency === null ? '- p99 latency: not measured in this run (--no-latency).' : `- p99 latency: a separate run at parallelism ${settings.latency.parallelism}, rate-limited to ${settings.latency.loadFraction * 100}% of the system's median
  maximum, ${settings.latency.warmupSeconds} s of warm-up and then ${settings.latency.seconds} s measured, event time at wall-clock speed.
  Latency = arrival at the sink − the wall time the source emitted the event that made the result final. Flink's
  latency runs use a ${settings.flink.latencyWatermarkIntervalMs} ms watermark interval and ${settings.flink.latencyBufferTimeoutMs} ms buffer timeout.`}

## Query plans

Generated from what each side declares next to its code (\`plan\` of the Millrace job module,
\`Queries.plan\` of the Flink peer) and the tasks each engine built from the job. Per-core targets apply
only to rows whose logical plans are the same; a row with a label shows an optimization one side has.

${report.queries.map(planText).join('\n\n')}

## Verification

- Generator cross-check: ${checksum === null ? 'not run' : `first ${checksum.events.toLocaleString('en-US')} events, TypeScript ${checksum.typescript}, Java ${checksum.java}: ${checksum.equal ? 'equal' : 'DIFFERENT'}`}.
- Both systems' outputs for the same bounded input (first ${settings.verifyEvents.toLocaleString('en-US')} events, small windows), compared as
  multisets with the reference results of \`examples/nexmark/reference\` and their row counts with each other; a
  difference fails the benchmark before any speed is measured:
${report.queries.map(verificationText).map((l) => `  ${l}`).join('\n')}

## Results

${renderMarkdownTable(report.queries)}

Per row: when it was measured, the 1-minute load average meanwhile, and the tree Millrace ran from.

${report.queries.map((q) => `- ${q.row}: ${q.measuredAt === undefined ? 'time, load and source tree not recorded' : `measured ${q.measuredAt}; load ${loadText(q.loadAverage ?? null)}; ${sourceText(q.source)}`}`).join('\n')}

Targets (issue 15), for rows with the same logical plan: events/s per core at least 2× Flink's on q0–q2 and
1.5× on q3, q5, q7, q8; p99 latency under 50 ms at half the maximum throughput.
${unavailable.length > 0 ? `\n### Missing figures\n\n${unavailable.join('\n')}\n` : ''}${SECTION_END}
`;
}

export const SECTION_BEGIN = '<!-- nexmark:begin (written by npm run bench:nexmark) -->';
export const SECTION_END = '<!-- nexmark:end -->';

/**
 * RESULTS.md with its Nexmark section replaced; everything outside it (other benchmarks' sections,
 * notes) is kept as it was. Without a Nexmark section yet, the new one goes first.
 */
export function replaceNexmarkSection(previous: string, section: string): string {
  return replaceMarkedSection(previous, section, SECTION_BEGIN, SECTION_END, 'first');
}

/**
 * RESULTS.md with the section between `beginMarker` and `endMarker` replaced by `section` (which
 * carries both markers); everything outside it is kept. Without that section yet, the new one goes
 * first or last.
 */
export function replaceMarkedSection(previous: string, section: string, beginMarker: string, endMarker: string, where: 'first' | 'last'): string {
  const begin = previous.indexOf(beginMarker);
  const end = previous.indexOf(endMarker);
  if (begin >= 0 && end > begin) return previous.slice(0, begin) + section.trimEnd() + previous.slice(end + endMarker.length);
  const rest = previous.trim();
  if (where === 'last') return `${rest ? `${rest}\n\n` : ''}${section.trimEnd()}\n`;
  return `${section.trimEnd()}\n${rest ? `\n${rest}\n` : ''}`;
}
