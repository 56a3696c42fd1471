// bench/results/kafka.json and the Kafka section of bench/RESULTS.md (pure). Every sentence about
// what ran comes from the run: the SQL both sides ran, the tasks Millrace built from it, the plan
// Flink's planner printed for it, the verification's row counts, each run's output records against
// the limit that proves the input never ran dry, and the load average sampled while measuring.

import type { MachineDescription } from './machine.ts';
import { isSmokeRun, MIN_MEASURE_SECONDS, MIN_RUNS, MIN_WARMUP_SECONDS, replaceMarkedSection } from './report.ts';
import type { SystemFigures } from './results.ts';
import type { LoadSample } from './run-facts.ts';
import { formatSpread } from './stats.ts';

export interface KafkaBenchSettings {
  readonly runs: number;
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  readonly parallelism: number;
  readonly taskmanagers: number;
  readonly partitions: number;
  /** records in the input topic: the first `block` bids of the generator with `seed`, repeated */
  readonly records: number;
  readonly block: number;
  readonly seed: number;
  readonly verifyRecords: number;
  readonly deliveryGuarantee: 'at-least-once';
  readonly kafkaVersion: string;
  readonly flinkVersion: string;
  readonly flinkKafkaConnectorVersion: string;
  readonly flinkConfiguration: Readonly<Record<string, string>>;
}

export interface SideVerification {
  /** records the side's source counter reports after reading the verification topic to its end */
  readonly sourceRecords: number;
  readonly expectedRows: number;
  readonly rows: number;
  readonly equal: boolean;
  readonly difference: string | null;
}

export interface KafkaVerification {
  readonly inputRecords: number;
  readonly flink: SideVerification;
  readonly millrace: SideVerification;
  readonly rowCountsEqual: boolean;
}

/** One measured run's output topic after the run, against the limit below which no input partition can have been drained. */
export interface DrainCheck {
  readonly system: 'flink' | 'millrace';
  readonly run: number;
  readonly outputRecords: number;
  readonly limit: number;
  readonly ok: boolean;
}

export interface KafkaBenchReport {
  readonly generatedAt: string;
  readonly machine: MachineDescription;
  readonly settings: KafkaBenchSettings;
  readonly source: { readonly commit: string; readonly modifiedRuntimeFiles: readonly string[] };
  readonly input: { readonly topic: string; readonly bytes: number; readonly matchesPerPartition: readonly number[] };
  /** the measured runs' SQL as both sides ran it (the output topic named per run) */
  readonly statements: readonly string[];
  readonly millraceTasks: readonly string[];
  readonly flinkPlan: readonly string[];
  readonly verification: KafkaVerification | null;
  readonly drainChecks: readonly DrainCheck[];
  readonly loadAverage: LoadSample | null;
  readonly flink: SystemFigures;
  readonly millrace: SystemFigures;
  readonly ratioMillraceToFlinkPerCore: number | null;
  readonly ratioRange: readonly [number, number] | null;
  /** issue 12: at least Flink's events/s per core */
  readonly targetRatio: number;
  readonly targetMet: boolean | null;
}

/**
 * Whether a run's output proves that no input partition ran dry: draining partition p alone gives
 * at least its filter matches, so an output below the smallest partition's matches means every
 * partition still had records when the run was stopped (duplicates only make this stricter).
 */
export function drainCheck(system: DrainCheck['system'], run: number, outputRecords: number, matchesPerPartition: readonly number[]): DrainCheck {
  const limit = Math.min(...matchesPerPartition);
  return { system, run, outputRecords, limit, ok: outputRecords < limit };
}

/** Whether the machine was busy with other work: load at the start above 1, or beyond the CPUs (+1 for the broker) while measuring. */
export function notIdle(machine: MachineDescription, load: KafkaBenchReport['loadAverage']): string | null {
  const atStart = machine.loadAverageAtStart[0] ?? 0;
  const reasons: string[] = [];
  if (atStart > 1) reasons.push(`the 1-minute load average was ${atStart.toFixed(2)} when the benchmark started`);
  if (load !== null && load.max > machine.logicalCpus + 1) reasons.push(`it reached ${load.max.toFixed(2)} on ${machine.logicalCpus} logical CPUs while runs were measured (the measured side and the broker account for at most about ${machine.logicalCpus + 1})`);
  return reasons.length === 0 ? null : reasons.join('; ');
}

export const KAFKA_SECTION_BEGIN = '<!-- kafka:begin -->';
export const KAFKA_SECTION_END = '<!-- kafka:end -->';

export function replaceKafkaSection(previous: string, section: string): string {
  return replaceMarkedSection(previous, section, KAFKA_SECTION_BEGIN, KAFKA_SECTION_END, 'last');
}
const spread = formatSpread;
const HEADERS = ['system', 'events/s median (min–max)', 'cores', 'events/s per core median (min–max)', 'channel records/event', 'M/F per core (range)', 'target'];

export function kafkaTableRows(r: KafkaBenchReport): string[][] {
  return (['flink', 'millrace'] as const).map((system) => {
    const f = r[system];
    const m = system === 'millrace';
    return [
      system,
      f.available ? spread(f.eventsPerSecond) : (f.reason ?? 'n/a'),
      f.available && f.cores ? f.cores.median.toFixed(2) : '',
      f.available ? spread(f.eventsPerSecondPerCore) : '',
      f.available ? (f.channelRecordsPerEvent === null ? 'not measured' : f.channelRecordsPerEvent.toFixed(3)) : '',
      m && r.ratioMillraceToFlinkPerCore !== null ? `${r.ratioMillraceToFlinkPerCore.toFixed(2)} (${r.ratioRange![0].toFixed(2)}–${r.ratioRange![1].toFixed(2)})` : '',
      m ? `>= ${r.targetRatio}: ${r.targetMet === null ? 'unknown' : r.targetMet ? 'met' : 'NOT met'}` : '',
    ];
  });
}

export function renderKafkaTable(r: KafkaBenchReport): string {
  const rows = [HEADERS, ...kafkaTableRows(r)];
  const widths = HEADERS.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}

function markdownTable(r: KafkaBenchReport): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  return [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`, ...kafkaTableRows(r).map((row) => `| ${row.map(esc).join(' | ')} |`)].join('\n');
}

function verificationText(r: KafkaBenchReport): string {
  const v = r.verification;
  if (v === null) return 'Not verified (--no-verify).';
  const side = (name: string, s: SideVerification) =>
    `- ${name}: its source counter read ${s.sourceRecords.toLocaleString('en-US')} records; the output topic holds ${s.rows.toLocaleString('en-US')} rows, `
    + `${s.equal ? 'exactly the reference rows' : `NOT the reference rows (${s.difference ?? `${s.expectedRows} expected`})`}`;
  return [
    `Before any speed is measured, each side runs the same statements bounded (\`'scan.bounded.mode' = 'latest-offset'\`) on a verification topic holding the first ${v.inputRecords.toLocaleString('en-US')} records of the input (same partitioning), each into an output topic of its own.`,
    'The output topic is read back and compared, as a multiset of rows, with the filter/projection applied in TypeScript to the same input (bench/lib/kafka-data.ts), and each side\'s source counter (the one the measured windows count) must have read every input record.',
    '',
    side('Flink', v.flink),
    side('Millrace', v.millrace),
    `- Row counts of the two sides: ${v.rowCountsEqual ? 'equal' : 'DIFFERENT'} (reference ${v.flink.expectedRows.toLocaleString('en-US')}).`,
  ].join('\n');
}

function drainText(r: KafkaBenchReport): string {
  if (r.drainChecks.length === 0) return '';
  const worst = Math.max(...r.drainChecks.map((d) => d.outputRecords));
  const limit = r.drainChecks[0]!.limit;
  const bad = r.drainChecks.filter((d) => !d.ok);
  const rule = `a run whose output topic ends below ${limit.toLocaleString('en-US')} records (the smallest input partition's filter matches) cannot have drained a partition; the largest output of a measured run was ${worst.toLocaleString('en-US')} records`;
  if (bad.length === 0) return `The input never ran dry: ${rule}.`;
  return `The input may have run dry: ${rule}, and ${bad.length} run(s) reached the limit (${bad.map((d) => `${d.system} run ${d.run}`).join(', ')}): those runs failed.`;
}

export function renderKafkaSection(r: KafkaBenchReport): string {
  const { machine, settings: s } = r;
  const smoke = isSmokeRun(s);
  const idle = notIdle(machine, r.loadAverage);
  const missing = (['flink', 'millrace'] as const).filter((side) => !r[side].available).map((side) => `- ${side}: ${r[side].reason}`);
  const load = r.loadAverage === null ? 'not sampled' : `${r.loadAverage.min.toFixed(2)}–${r.loadAverage.max.toFixed(2)} (${r.loadAverage.samples} samples)`;
  return `${KAFKA_SECTION_BEGIN}
# Kafka → filter/project → Kafka: Millrace against Flink's Kafka connector

Latest figures of \`npm run bench:kafka\` (\`bench/kafka.ts\`), generated ${r.generatedAt}. Raw figures: \`bench/results/kafka.json\`.
Millrace from commit ${r.source.commit}${r.source.modifiedRuntimeFiles.length === 0 ? '' : ` with ${r.source.modifiedRuntimeFiles.length} uncommitted file(s) under runtime/ (${r.source.modifiedRuntimeFiles.join(', ')})`}.${smoke ? `

**Smoke run, not figures:** ${s.runs} run(s) of ${s.measureSeconds} s after ${s.warmupSeconds} s of warm-up (figures need at least ${MIN_RUNS} runs of ${MIN_MEASURE_SECONDS} s after ${MIN_WARMUP_SECONDS} s).` : ''}${idle === null ? '' : `

**The machine was not idle:** ${idle}. Other work competed for the same cores, so these figures are noisier than an idle machine's.`}

## Machine

- CPU: ${machine.cpuModel}, ${machine.logicalCpus} logical CPUs; memory ${machine.memoryGiB} GiB
- OS: ${machine.os}, kernel ${machine.kernel}
- Node.js ${machine.node} (Millrace), ${machine.java} (Flink ${s.flinkVersion}, flink-connector-kafka ${s.flinkKafkaConnectorVersion}), Apache Kafka ${s.kafkaVersion} (the project's broker, \`test/services/kafka\`, single node, KRaft)
- 1-minute load average when the benchmark started: ${machine.loadAverageAtStart.join(' / ')}; while runs were measured: ${load}

## Method

- Input: topic \`${r.input.topic}\`, ${s.partitions} partitions, ${s.records.toLocaleString('en-US')} records (${(r.input.bytes / 2 ** 20).toFixed(0)} MiB): Nexmark bids as flat JSON objects,
  the first ${s.block.toLocaleString('en-US')} bids of the generator (seed ${s.seed}) repeated, record k in partition k mod ${s.partitions}; filled before the runs (no producer runs while measuring).
  Every run reads it from the earliest offsets into a new, empty output topic (${s.partitions} partitions).
- Both sides run the same SQL text (below): \`kafka\` tables in the \`json\` format, the sink at-least-once without checkpoints.
  Millrace: \`millrace run <file>.sql\` (runner, JobManager and ${s.taskmanagers} TaskManager processes, parallelism ${s.parallelism}, no checkpoints), its \`kafka\` connector.
  Flink ${s.flinkVersion}: the statements in one TableEnvironment on a local mini-cluster in one JVM at parallelism ${s.parallelism} (\`bench/flink-kafka\`, \`KafkaSqlBench\`),
  Flink's own Kafka connector (flink-connector-kafka ${s.flinkKafkaConnectorVersion}) and \`json\` format, configuration ${Object.entries(s.flinkConfiguration).map(([k, v]) => `\`${k}\` = \`${v}\``).join(', ') || 'defaults'}, no checkpoints.
  Producer and consumer settings are each connector's defaults for these options.
- ${s.runs} run(s) per side, alternating (Flink first); each run: ${s.warmupSeconds} s of warm-up, then a window of ${s.measureSeconds} s measured as
  \`npm run bench:nexmark\` measures it (\`bench/lib/window-run.ts\`). Events are the records the sides' own source counters report
  (Millrace: the source vertices' records in the JobManager's REST API, as TaskManagers report them with their heartbeat; Flink: the
  source operators' numRecordsOut metric), sampled at the window's start and end; CPU is the ticks (utime+stime, reaped children included)
  of every process of the side from \`/proc\` over the same window (Flink: the JVM; Millrace: runner, JobManager, TaskManagers). The
  broker's CPU is counted for neither side. events/s per core = events / CPU seconds. Median over the runs with min–max and spread ((max − min) / median).
- ${drainText(r) || 'No measured run finished.'}

## Verification

${verificationText(r)}

## Results

${markdownTable(r)}

Target (issue 12): at least Flink's events/s per core.
${missing.length > 0 ? `\n### Missing figures\n\n${missing.join('\n')}\n` : ''}
## Statements and plans

The statements both sides ran (the measured runs; the verification run adds \`'scan.bounded.mode' = 'latest-offset'\` and reads the verification topic):

\`\`\`sql
${r.statements.join(';\n\n')};
\`\`\`

- Millrace tasks (operator chains) built from the file: ${r.millraceTasks.map((t) => `\`${t}\``).join(', ')}
- Flink optimized execution plan:

\`\`\`
${r.flinkPlan.join('\n')}
\`\`\`
${KAFKA_SECTION_END}
`;
}
