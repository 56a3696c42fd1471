// bench/results/recovery.json and the "Recovery" section of bench/RESULTS.md (pure).

import type { MachineDescription } from './machine.ts';
import { DEFAULT_CRITERIA } from './recovery-detect.ts';
import type { Summary, ThroughputCost, ThroughputRun } from './recovery-stats.ts';

export interface StateSizeResult {
  readonly targetMB: number;
  readonly keys: number;
  readonly status: 'ok' | 'failed';
  readonly reason?: string;
  /** Completed checkpoints taken after the state was built. */
  readonly checkpoints: {
    readonly count: number;
    readonly durationMs: Summary | null;
    readonly sizeBytes: Summary | null;
    readonly alignmentMs: Summary | null;
  };
  /**
   * One per TaskManager kill: from the SIGKILL until the output is back at the pre-kill rate and
   * the backlog is consumed (bench/lib/recovery-detect.ts).
   */
  readonly recoveriesMs: readonly number[];
  readonly recoveryMs: Summary | null;
  /** One per kill: from the SIGKILL until every subtask of the attempt that took over has output (before catching up). */
  readonly firstOutputsMs: readonly number[];
  readonly firstOutputMs: Summary | null;
  /** One per kill: how far behind its schedule the job fell (ms). */
  readonly worstLagsMs: readonly number[];
}

export interface ThroughputResult {
  readonly status: 'ok' | 'failed';
  readonly reason?: string;
  readonly without: readonly ThroughputRun[];
  readonly with: readonly ThroughputRun[];
  readonly cost: ThroughputCost | null;
}

export interface RecoveryBenchSettings {
  readonly quick: boolean;
  readonly s3: string;
  readonly taskManagers: number;
  /** keyed-state runs: parallelism over taskManagers × slots (each subtask's state is one file per operator) */
  readonly stateParallelism: number;
  readonly stateCheckpointIntervalMs: number;
  readonly payloadBytes: number;
  readonly steadyRecordsPerSecond: number;
  readonly killsPerSize: number;
  readonly seed: number;
  readonly q5: { readonly events: number; readonly parallelism: number; readonly checkpointIntervalMs: number; readonly rounds: number };
}

export interface RecoveryBenchReport {
  readonly generatedAt: string;
  readonly machine: MachineDescription;
  readonly settings: RecoveryBenchSettings;
  readonly state: readonly StateSizeResult[];
  readonly throughput: ThroughputResult;
  readonly targets: {
    /** null when no 100 MB run was made (e.g. --quick) */
    readonly recoveryUnder10sAt100MB: boolean | null;
    readonly checkpointCostUnder10Percent: boolean | null;
  };
}

export const RECOVERY_TARGETS = { recoveryMsAt100MB: 10_000, checkpointCostPercent: 10 } as const;

/** Whether the targets are met; null where not measured, and always for a --quick smoke run. */
export function evaluateTargets(state: readonly StateSizeResult[], throughput: ThroughputResult, quick = false): RecoveryBenchReport['targets'] {
  if (quick) return { recoveryUnder10sAt100MB: null, checkpointCostUnder10Percent: null };
  const at100 = state.find((s) => s.targetMB === 100 && s.recoveryMs !== null);
  return {
    recoveryUnder10sAt100MB: at100 ? at100.recoveryMs!.max < RECOVERY_TARGETS.recoveryMsAt100MB : null,
    checkpointCostUnder10Percent: throughput.cost ? throughput.cost.costPercent < RECOVERY_TARGETS.checkpointCostPercent : null,
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const medianMax = (s: Summary | null, f: (n: number) => string) => (s === null ? 'n/a' : s.n === 1 ? f(s.median) : `${f(s.median)} (max ${f(s.max)})`);
/** median, and the range over the rounds when there are several: a cost inside the spread is noise */
const spread = (s: Summary) => (s.n === 1 ? int(s.median) : `${int(s.median)} (${int(s.min)}–${int(s.max)}, ${s.n} runs)`);
const verdict = (met: boolean | null) => (met === null ? 'not judged' : met ? 'met' : 'NOT met');

/** The state/recovery table and the checkpoint-cost table, as Markdown. */
export function renderRecoveryTables(report: RecoveryBenchReport): string {
  const rows = report.state.map((s) => {
    if (s.status === 'failed') return `| ${s.targetMB} MB | ${int(s.keys)} | failed: ${s.reason ?? ''} | | | | | |`;
    const target = s.targetMB === 100 ? verdict(report.targets.recoveryUnder10sAt100MB) : '';
    return `| ${s.targetMB} MB | ${int(s.keys)} | ${medianMax(s.checkpoints.sizeBytes, megabytes)} | ${medianMax(s.checkpoints.durationMs, seconds)} (${s.checkpoints.count}) | ${medianMax(s.checkpoints.alignmentMs, seconds)} | ${medianMax(s.firstOutputMs, seconds)} | ${medianMax(s.recoveryMs, seconds)} (${s.recoveriesMs.length} kills) | ${target} |`;
  });
  const t = report.throughput;
  const cost = t.cost;
  const costRow = t.status === 'failed' || cost === null
    ? `| failed: ${t.reason ?? 'no runs'} | | | | |`
    : `| ${spread(cost.withoutCheckpoints)} | ${spread(cost.withCheckpoints)} | ${cost.ratio.toFixed(3)} | ${cost.costPercent.toFixed(1)}% | ${verdict(report.targets.checkpointCostUnder10Percent)} |`;
  return [
    '| keyed state | keys | checkpoint size | checkpoint duration (count) | alignment | kill → first output | recovery: kill → caught up | recovery < 10 s |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `| q5 events/s, no checkpoints: median (range) | q5 events/s, checkpoint every ${report.settings.q5.checkpointIntervalMs / 1000} s | ratio of medians | cost | cost < 10% |`,
    '|---|---|---|---|---|',
    costRow,
  ].join('\n');
}

export const SECTION_BEGIN = '<!-- recovery:begin (written by npm run bench:recovery) -->';
export const SECTION_END = '<!-- recovery:end -->';

export function renderRecoverySection(report: RecoveryBenchReport): string {
  const { machine, settings } = report;
  return `${SECTION_BEGIN}
## Recovery

Latest figures of \`npm run bench:recovery\`${settings.quick ? ' **--quick (smoke run, not the real sizes)**' : ''} (\`bench/recovery.ts\`), generated ${report.generatedAt}.
Raw figures: \`bench/results/recovery.json\`.

- Machine: ${machine.cpuModel}, ${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB; Node.js ${machine.node};
  load average at start ${machine.loadAverageAtStart.join(' / ')} (the machine may be shared).
- Checkpoints to ${settings.s3}. JobManager and ${settings.taskManagers} TaskManagers as processes, each restarted when
  killed, as Kubernetes restarts a pod.
- Keyed state: job \`bench/jobs/recovery-load.ts\` at parallelism ${settings.stateParallelism}, one value of ${settings.payloadBytes} characters per key, then
  ${int(settings.steadyRecordsPerSecond)} updates/s on a fixed wall-clock schedule that a restart does not move (what fell due while the job
  was down is owed: a backlog); checkpoint every ${settings.stateCheckpointIntervalMs / 1000} s. After the state is built and
  checkpointed, a TaskManager is SIGKILLed ${settings.killsPerSize} time(s) (seed ${settings.seed}), each after at least
  ${DEFAULT_CRITERIA.baselineMs / 1000} s of steady output. **Recovery = from the kill until the output is back at the pre-kill rate and the
  backlog is consumed**: the first moment from which, for ${DEFAULT_CRITERIA.holdMs / 1000} s, every record arrives at most
  ${DEFAULT_CRITERIA.lagSlackMs} ms later behind its due time than the latest before the kill, and every ${DEFAULT_CRITERIA.windowMs / 1000} s window has at least
  ${Math.round((1 - DEFAULT_CRITERIA.rateTolerance) * 100)}% of the pre-kill rate (\`bench/lib/recovery-detect.ts\`, from the sink's markers every 100 ms).
  "First output" is the older, optimistic figure: until every subtask of the attempt that took over has output.
  Both include noticing the loss, the killed TaskManager's restart (0.5 s delay + process start), deployment,
  download and restore of the state. Checkpoint duration = end-to-end (trigger
  to last acknowledgement), size = total of the checkpoint's files, as the JobManager's REST API reports them.
- Checkpoint cost: Nexmark q5 (\`millrace run examples/nexmark/q5.ts\`, ${int(settings.q5.events)} events, parallelism ${settings.q5.parallelism}),
  ${settings.q5.rounds} round(s) alternating without checkpoints and with a checkpoint every ${settings.q5.checkpointIntervalMs / 1000} s to the same S3; medians compared.

${renderRecoveryTables(report)}

Targets (issue 4): recovery under 10 s at 100 MB of state; checkpointing costs under 10% throughput.
${SECTION_END}
`;
}

/** RESULTS.md with the Recovery section replaced (or appended when it is not there yet); other sections are kept. */
export function replaceRecoverySection(markdown: string, section: string): string {
  const begin = markdown.indexOf(SECTION_BEGIN);
  const end = markdown.indexOf(SECTION_END);
  if (begin >= 0 && end > begin) return markdown.slice(0, begin) + section.trimEnd() + markdown.slice(end + SECTION_END.length);
  const base = markdown.trimEnd();
  return `${base}${base ? '\n\n' : ''}${section}`;
}
