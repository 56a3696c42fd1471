import { comparePlans, figuresOf, latencyRate, queryResult, renderTable, targetFor } from './results.ts';
import type { DeclaredPlan, RowVerification, SystemOutcome } from './results.ts';
import { isSmokeRun, renderResultsMarkdown, replaceNexmarkSection, SECTION_BEGIN, SECTION_END } from './report.ts';
import type { BenchReport } from './report.ts';
import { millraceCommand } from './millrace.ts';
import type { WindowFigures } from './window.ts';

const run = (eventsPerSecond: number, cores: number): WindowFigures => ({
  seconds: 30, events: eventsPerSecond * 30, eventsPerSecond, cpuSeconds: cores * 30, cores, eventsPerSecondPerCore: Math.round(eventsPerSecond / cores),
  channelRecordsPerEvent: null, processes: 1,
});
const plan = (logical: string[]): DeclaredPlan => ({ logical, implementation: ['impl'], tasks: ['Source -> Sink'] });
const SAME = ['bids', 'pass-through'];

const flink: SystemOutcome = {
  status: 'ok', plan: plan(SAME),
  runs: [run(2_000_000, 2), run(1_000_000, 2), run(3_000_000, 2)],
  latency: { status: 'ok', rate: 1_000_000, p99Ms: 40 },
};
const millrace: SystemOutcome = {
  status: 'ok', plan: plan(SAME),
  runs: [run(4_000_000, 2), run(5_000_000, 2), run(4_500_000, 2)].map((r) => ({ ...r, channelRecordsPerEvent: 0.5 })),
  latency: { status: 'ok', rate: 2_000_000, p99Ms: 60 },
};
const verified: RowVerification = { events: 20_000, referenceRows: 5, flinkRows: 5, millraceRows: 5, flinkEqual: true, millraceEqual: true, rowCountsEqual: true, example: null };

describe('Nexmark benchmark figures', () => {
  test('median and min-max over the runs of events/s, cores and events/s per core', () => {
    const f = figuresOf(flink);
    expect(f.eventsPerSecond).toMatchObject({ median: 2_000_000, min: 1_000_000, max: 3_000_000, relativeSpread: 1 });
    expect(f.eventsPerSecondPerCore?.median).toBe(1_000_000);
    expect(f.cores?.median).toBe(2);
    expect(f.channelRecordsPerEvent).toBeNull();
    expect(figuresOf(millrace).channelRecordsPerEvent).toBe(0.5);
  });

  test('the ratio is median over median, with the range over all pairs of runs, checked against the target of equal plans', () => {
    const q0 = queryResult('q0', 'q0', null, flink, millrace, verified);
    expect(q0.plans?.same).toBe(true);
    expect(q0.ratioMillraceToFlinkPerCore).toBe(2.25);
    expect(q0.ratioRange).toEqual([1.333, 5]);
    expect(q0.perCoreTargetMet).toBe(true);
    expect(q0.latencyTargetMet).toBe(false);
    expect(targetFor('q5', true).perCoreRatioAtLeast).toBe(1.5);
    expect(targetFor('q5', false).perCoreRatioAtLeast).toBeNull();
  });

  test('different declared plans: the differences are named and no per-core target applies', () => {
    const other: SystemOutcome = { ...millrace, plan: plan(['bids', 'best keys per bid']) } as SystemOutcome;
    const r = queryResult('q5-best-keys', 'q5', 'an optimization', flink, other, verified);
    expect(r.plans).toEqual({ same: false, differences: [{ step: 2, millrace: 'best keys per bid', flink: 'pass-through' }] });
    expect(r.target.perCoreRatioAtLeast).toBeNull();
    expect(r.perCoreTargetMet).toBeNull();
    expect(renderTable([r])).toContain('plans differ: no per-core target');
    expect(comparePlans(plan(['a']), plan(['a', 'b']))?.differences).toEqual([{ step: 2, millrace: null, flink: 'b' }]);
  });

  test('a system that failed yields no figures and no ratio, and says why', () => {
    const failed: SystemOutcome = { status: 'failed', reason: 'the job is FAILED with 1 restart(s) at the end of the window' };
    const result = queryResult('q7', 'q7', null, flink, failed, null);
    expect(result.millrace).toMatchObject({ available: false, eventsPerSecond: null, eventsPerSecondPerCore: null, p99LatencyMs: null });
    expect(result.ratioMillraceToFlinkPerCore).toBeNull();
    expect(renderTable([result])).toContain('failed: the job is FAILED');
  });

  test('the latency load is half the maximum throughput, rounded down to thousands', () => {
    expect(latencyRate(2_345_678)).toBe(1_172_000);
    expect(latencyRate(500)).toBe(1000);
  });
});

describe('the Nexmark section of RESULTS.md', () => {
  const report = (settings: Partial<BenchReport['settings']> = {}): BenchReport => ({
    generatedAt: '2026-01-01T00:00:00.000Z',
    machine: { cpuModel: 'Test CPU', logicalCpus: 2, memoryGiB: 24, os: 'Debian', kernel: 'Linux 6', node: 'v24.0.0', java: 'openjdk 17', loadAverageAtStart: [0.5, 0.4, 0.3] },
    settings: {
      parallelism: 2, taskmanagers: 2, seed: 42, eventsPerSecond: 10_000, runs: 3, warmupSeconds: 10, measureSeconds: 30, verifyEvents: 20_000,
      windows: { q5WindowMs: 10_000, q5SlideMs: 2000, q7WindowMs: 10_000, q8WindowMs: 10_000 },
      latency: { parallelism: 2, loadFraction: 0.5, seconds: 20, warmupSeconds: 5 },
      flink: { version: '1.20.3', objectReuse: true, latencyWatermarkIntervalMs: 20, latencyBufferTimeoutMs: 10 },
      ...settings,
    },
    verification: { generatorChecksum: { events: 100_000, typescript: 'abc', java: 'abc', equal: true } },
    queries: [
      queryResult('q0', 'q0', null, flink, millrace, verified),
      queryResult('q5-best-keys', 'q5', 'best keys per bid', flink, { ...millrace, plan: plan(['bids', 'best keys per bid']) } as SystemOutcome, verified),
    ],
  });

  test('states per row what each side runs from their declared plans, never a fixed sentence', () => {
    const markdown = renderResultsMarkdown(report());
    expect(markdown).not.toContain('Both systems run the same logical plan');
    expect(markdown).toContain('### q0\n');
    expect(markdown).toContain('- Millrace logical: bids → pass-through');
    expect(markdown).toContain('- Logical plans: **the same**');
    expect(markdown).toContain('### q5-best-keys — best keys per bid');
    expect(markdown).toContain('step 2: Millrace "best keys per bid", Flink "pass-through"');
    expect(markdown).toContain('| q0 | flink | 2,000,000 (1,000,000–3,000,000, 3 runs) |');
    expect(markdown).toContain('q0: first 20,000 events, reference 5 rows; Flink 5 rows equal to the reference; Millrace 5 rows equal to the reference; row counts equal');
    expect(markdown).not.toContain('Smoke run');
  });

  test('each row states when it was measured, the load meanwhile and its source tree; kept rows and a busy machine are named', () => {
    const base = report();
    const [q0, q5] = base.queries;
    const rows = [
      { ...q0!, measuredAt: '2026-01-01T00:05:00.000Z', loadAverage: { min: 1.9, max: 4.2, samples: 9 }, source: { commit: 'abc1234', modifiedRuntimeFiles: [] } },
      { ...q5!, measuredAt: '2025-12-30T10:00:00.000Z', loadAverage: { min: 2, max: 2.5, samples: 9 }, source: { commit: 'def5678', modifiedRuntimeFiles: ['runtime/x.ts'] } },
    ];
    const markdown = renderResultsMarkdown({ ...base, queries: rows, kept: ['q5-best-keys'] });
    expect(markdown).toContain('- q0: measured 2026-01-01T00:05:00.000Z; load 1.90–4.20 (9 samples); Millrace from commit abc1234');
    expect(markdown).toContain('Millrace from commit def5678 with 1 uncommitted file(s) under runtime/ (runtime/x.ts)');
    expect(markdown).toContain('This run measured q0; the rows q5-best-keys are kept from an earlier run with the same settings');
    expect(markdown).toContain('**The machine was not idle:** the 1-minute load average reached 4.20 on 2 logical CPUs');
    // an idle machine (load at most the benchmark's own cores + 1) gets no warning
    expect(renderResultsMarkdown({ ...base, queries: [{ ...rows[0]!, loadAverage: { min: 1.9, max: 2.8, samples: 9 } }] })).not.toContain('not idle');
  });

  test('a smoke run says so', () => {
    expect(isSmokeRun({ runs: 3, measureSeconds: 30, warmupSeconds: 10 })).toBe(false);
    expect(isSmokeRun({ runs: 1, measureSeconds: 30, warmupSeconds: 10 })).toBe(true);
    expect(isSmokeRun({ runs: 3, measureSeconds: 5, warmupSeconds: 10 })).toBe(true);
    expect(renderResultsMarkdown(report({ runs: 1, measureSeconds: 5, warmupSeconds: 2 }))).toContain('**Smoke run, not figures:**');
  });

  test('only the Nexmark section is replaced: notes and other benchmarks\' sections stay', () => {
    const recovery = '<!-- recovery:begin (written by npm run bench:recovery) -->\n## Recovery\n\n| a |\n<!-- recovery:end -->';
    const previous = `${SECTION_BEGIN}\n# Nexmark: old\n${SECTION_END}\n\nA note someone wrote.\n\n${recovery}\n`;
    const next = replaceNexmarkSection(previous, `${SECTION_BEGIN}\n# Nexmark: new\n${SECTION_END}\n`);
    expect(next).toBe(`${SECTION_BEGIN}\n# Nexmark: new\n${SECTION_END}\n\nA note someone wrote.\n\n${recovery}\n`);
    // no section yet: the new one goes first, the rest is kept
    expect(replaceNexmarkSection('# notes\n', `${SECTION_BEGIN}\nx\n${SECTION_END}\n`)).toBe(`${SECTION_BEGIN}\nx\n${SECTION_END}\n\n# notes\n`);
  });
});

describe('millrace run command line', () => {
  test('passes the job module, parallelism, TaskManagers, job parameters, the summary file and a checkpoint directory beside it', () => {
    const { args } = millraceCommand('/nonexistent', {
      job: 'examples/nexmark/q5.ts', parallelism: 2, taskmanagers: 2, parameters: { events: 1000, windowSizeMs: 10_000 }, summaryFile: '/tmp/run-1/s.json',
    });
    const runAt = args.indexOf('run');
    expect(args.slice(runAt)).toEqual([
      'run', 'examples/nexmark/q5.ts', '--parallelism', '2', '--taskmanagers', '2',
      '--set', 'events=1000', '--set', 'windowSizeMs=10000', '--summary-json', '/tmp/run-1/s.json',
      '--checkpoint-dir', '/tmp/run-1/checkpoints-examples-nexmark-q5-ts',
    ]);
  });

  test('turns checkpoints off when asked (the Nexmark comparison: the Flink peer takes none)', () => {
    const { args } = millraceCommand('/nonexistent', {
      job: 'examples/nexmark/q8.ts', parallelism: 2, taskmanagers: 2, parameters: {}, summaryFile: '/tmp/s.json', checkpointIntervalMs: 0,
    });
    expect(args.slice(-2)).toEqual(['--checkpoint-interval-ms', '0']);
  });
});
