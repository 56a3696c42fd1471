// bench/results/nexmark.json and bench/RESULTS.md from the query results (pure).

import type { MachineDescription } from './machine.ts';
import type { QueryResult } from './results.ts';
import { renderMarkdownTable } from './results.ts';

export interface BenchSettings {
  readonly parallelism: number;
  readonly taskmanagers: number;
  readonly events: number;
  readonly seed: number;
  readonly eventsPerSecond: number;
  readonly windows: { readonly q5WindowMs: number; readonly q5SlideMs: number; readonly q7WindowMs: number; readonly q8WindowMs: number };
  readonly latency: { readonly parallelism: number; readonly loadFraction: number; readonly seconds: number; readonly warmupSeconds: number };
  readonly flink: { readonly version: string | null; readonly objectReuse: true; readonly latencyWatermarkIntervalMs: number; readonly latencyBufferTimeoutMs: number };
}

export interface Verification {
  readonly generatorChecksum: { readonly events: number; readonly typescript: string; readonly java: string; readonly equal: boolean } | null;
  readonly flinkQueries: ReadonlyArray<{ readonly query: string; readonly expectedRows: number; readonly flinkRows: number; readonly equal: boolean }>;
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly machine: MachineDescription;
  readonly settings: BenchSettings;
  readonly verification: Verification;
  readonly queries: readonly QueryResult[];
}

export function renderResultsMarkdown(report: BenchReport): string {
  const { machine, settings, verification } = report;
  const unavailable = report.queries
    .flatMap((q) => (['flink', 'millrace'] as const).map((system) => ({ q, system, f: q[system] })))
    .filter(({ f }) => !f.available || f.latencyNote !== null)
    .map(({ q, system, f }) => `- ${q.query} ${system}: ${f.reason ?? f.latencyNote}`);
  const checksum = verification.generatorChecksum;
  return `# Nexmark: Millrace against Apache Flink

Latest figures of \`npm run bench:nexmark\` (\`bench/nexmark.ts\`), generated ${report.generatedAt}.
Raw figures: \`bench/results/nexmark.json\`.

## Machine

- CPU: ${machine.cpuModel}, ${machine.logicalCpus} logical CPUs; memory ${machine.memoryGiB} GiB
- OS: ${machine.os}, kernel ${machine.kernel}
- Node.js ${machine.node} (Millrace), ${machine.java} (Flink ${settings.flink.version ?? 'n/a'})
- Load average when the run started: ${machine.loadAverageAtStart.join(' / ')} (the machine may be shared; figures vary with other load)

## Settings

- ${settings.events.toLocaleString('en-US')} events per query and system, seed ${settings.seed}, parallelism ${settings.parallelism}
  (Millrace: ${settings.taskmanagers} TaskManagers; Flink: local mini-cluster in one JVM, object reuse on), blackhole sink.
- Event time advances ${settings.eventsPerSecond.toLocaleString('en-US')} events/s; q5 sliding ${settings.windows.q5WindowMs / 1000} s every ${settings.windows.q5SlideMs / 1000} s,
  q7 and q8 tumbling ${settings.windows.q7WindowMs / 1000} s / ${settings.windows.q8WindowMs / 1000} s.
- events/s = events / processing time reported by the system; cores = CPU time (user + system, all
  processes of the system) / the same processing time; events/s per core = the two divided.
- p99 latency: a second run at parallelism ${settings.latency.parallelism}, rate-limited to ${settings.latency.loadFraction * 100}% of the
  system's own measured maximum, ${settings.latency.warmupSeconds} s of warm-up (not measured) and then ${settings.latency.seconds} s measured,
  with event time running at wall-clock speed (events/s of event time = rate). A result's latency = arrival at the sink − the wall time at which
  the source emitted the event that made it final (its own event for q0–q3; the first event at or
  after the window end for windowed queries, since that is what advances the watermark).
  Millrace gets the warm-up as job parameter \`latencyWarmupMs\`; leaving those records out is up to
  its latency sink (\`examples/nexmark/common.ts\`), the Flink peer does.
  Flink's latency runs use a 20 ms watermark interval and 10 ms buffer timeout
  (defaults 200 ms / 100 ms would add up to 300 ms by configuration alone).

## Query plans

Both systems run the same logical plan per query (\`examples/nexmark/*.ts\`, \`bench/flink/.../Queries.java\`):

- q5: only the auction id of a bid is shuffled; counts per auction and sliding window; each counting
  subtask passes on only its best auctions per window (local-global, as Flink SQL plans it); one keyed
  stage per window keeps the overall maximum. Millrace keeps the best auctions up to date per bid
  (\`maxPerWindow\`: a window fires without visiting every auction), Flink a chained operator after its
  window operator keeps the best of the rows the window fires.
- q7: bids spread over buckets whose tumbling windows keep their best bids, then one keyed stage per window.
- q8: Millrace joins persons and auctions per window in keyed state and emits a row as soon as both are
  known (clearing timers spread over 1 s after the window end); Flink uses a tumbling window coGroup,
  which emits at the window end.

## Verification

- Generator cross-check: ${checksum === null ? 'not run' : `first ${checksum.events.toLocaleString('en-US')} events, TypeScript ${checksum.typescript}, Java ${checksum.java}: ${checksum.equal ? 'equal' : 'DIFFERENT'}`}.
- Flink queries against the TypeScript reference results (examples/nexmark/reference): ${verification.flinkQueries.length === 0
    ? 'not run'
    : verification.flinkQueries.map((v) => `${v.query} ${v.equal ? 'equal' : 'DIFFERENT'} (${v.flinkRows}/${v.expectedRows} rows)`).join(', ')}.

## Results

${renderMarkdownTable(report.queries)}

Targets (issue 3): q0–q2 at least Flink's events/s per core, q5 and q7 at least half; p99 latency
under 100 ms at half the maximum throughput, parallelism 2.
${unavailable.length > 0 ? `\n### Missing figures\n\n${unavailable.join('\n')}\n` : ''}`;
}

/**
 * Sections other benchmarks keep in RESULTS.md between `<!-- name:begin … -->` and
 * `<!-- name:end -->` (e.g. bench:recovery's): carried over from `previous` after `rendered`.
 */
export function keepMarkedSections(previous: string, rendered: string): string {
  const sections = previous.match(/<!-- ([\w-]+):begin[^>]*-->[\s\S]*?<!-- \1:end -->/g) ?? [];
  if (sections.length === 0) return rendered;
  return `${rendered.trimEnd()}\n\n${sections.join('\n\n')}\n`;
}
