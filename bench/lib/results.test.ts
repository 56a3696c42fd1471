import { figuresOf, latencyRate, queryResult, renderTable, targetFor } from './results.ts';
import type { SystemOutcome } from './results.ts';
import { keepMarkedSections, renderResultsMarkdown } from './report.ts';
import type { BenchReport } from './report.ts';
import { millraceCommand } from './millrace.ts';

const flink: SystemOutcome = {
  status: 'ok',
  throughput: { events: 10_000_000, durationMs: 5000, cpuUserMs: 8000, cpuSystemMs: 2000, recordsOut: 9_200_000 },
  usage: { wallMs: 9000, cpuMs: 15_000 },
  latency: { status: 'ok', rate: 1_000_000, summary: { events: 20_000_000, durationMs: 20_000, latencyP99Ms: 40 } },
};
const millrace: SystemOutcome = {
  status: 'ok',
  // no CPU in its summary: the driver's process-tree measurement is used instead
  throughput: { events: 10_000_000, durationMs: 4000 },
  usage: { wallMs: 5000, cpuMs: 7500 },
  latency: { status: 'ok', rate: 1_250_000, summary: { events: 25_000_000, durationMs: 20_000, latencyP99Ms: 120 } },
};

describe('Nexmark benchmark figures', () => {
  test('events/s, cores and events/s per core come from the processing window and the CPU the system reports', () => {
    const figures = figuresOf(flink);
    expect(figures.eventsPerSecond).toBe(2_000_000);
    expect(figures.cpuCores).toBe(2);
    expect(figures.cpuSource).toBe('summary');
    expect(figures.eventsPerSecondPerCore).toBe(1_000_000);
    expect(figures.p99LatencyMs).toBe(40);
    expect(figures.latencyRate).toBe(1_000_000);
  });

  test('without CPU in the summary, cores are the process tree CPU over its wall time', () => {
    const figures = figuresOf(millrace);
    expect(figures.eventsPerSecond).toBe(2_500_000);
    expect(figures.cpuCores).toBe(1.5);
    expect(figures.cpuSource).toBe('process');
    expect(figures.eventsPerSecondPerCore).toBe(1_666_667);
  });

  test('the ratio is Millrace per core over Flink per core, checked against the query target', () => {
    const q0 = queryResult('q0', 10_000_000, flink, millrace);
    expect(q0.ratioMillraceToFlinkPerCore).toBe(1.667);
    expect(q0.perCoreTargetMet).toBe(true);
    expect(q0.latencyTargetMet).toBe(false);
    expect(targetFor('q5').perCoreRatioAtLeast).toBe(0.5);
    expect(targetFor('q3').perCoreRatioAtLeast).toBeNull();
    expect(queryResult('q3', 10_000_000, flink, millrace).perCoreTargetMet).toBeNull();
  });

  test('a system that is not available yields no figures and no ratio, and says why', () => {
    const missing: SystemOutcome = { status: 'not available', reason: 'examples/nexmark/q5.ts does not exist yet' };
    const result = queryResult('q5', 1000, flink, missing);
    expect(result.millrace).toMatchObject({ available: false, eventsPerSecond: null, eventsPerSecondPerCore: null, p99LatencyMs: null });
    expect(result.millrace.reason).toContain('q5.ts does not exist');
    expect(result.ratioMillraceToFlinkPerCore).toBeNull();
    expect(result.perCoreTargetMet).toBeNull();
    expect(renderTable([result])).toContain('not available: examples/nexmark/q5.ts does not exist yet');
  });

  test('the latency load is half the maximum throughput, rounded down to thousands', () => {
    expect(latencyRate(2_345_678)).toBe(1_172_000);
    expect(latencyRate(500)).toBe(1000);
  });

  test('the JSON entry of a query has events and, per system, the four figures', () => {
    const entry = JSON.parse(JSON.stringify(queryResult('q1', 10_000_000, flink, millrace))) as Record<string, unknown>;
    expect(Object.keys(entry)).toEqual(expect.arrayContaining(['query', 'events', 'flink', 'millrace', 'ratioMillraceToFlinkPerCore']));
    for (const system of ['flink', 'millrace']) {
      expect(Object.keys(entry[system] as object)).toEqual(expect.arrayContaining(['eventsPerSecond', 'cpuCores', 'eventsPerSecondPerCore', 'p99LatencyMs']));
    }
  });

  test('RESULTS.md names the machine and shows every query', () => {
    const report: BenchReport = {
      generatedAt: '2026-01-01T00:00:00.000Z',
      machine: { cpuModel: 'Test CPU', logicalCpus: 2, memoryGiB: 24, os: 'Debian', kernel: 'Linux 6', node: 'v24.0.0', java: 'openjdk 17', loadAverageAtStart: [0.5, 0.4, 0.3] },
      settings: {
        parallelism: 2, taskmanagers: 2, events: 10_000_000, seed: 42, eventsPerSecond: 10_000,
        windows: { q5WindowMs: 10_000, q5SlideMs: 2000, q7WindowMs: 10_000, q8WindowMs: 10_000 },
        latency: { parallelism: 2, loadFraction: 0.5, seconds: 20, warmupSeconds: 5 },
        flink: { version: '1.20.3', objectReuse: true, latencyWatermarkIntervalMs: 20, latencyBufferTimeoutMs: 10 },
      },
      verification: { generatorChecksum: { events: 100_000, typescript: 'abc', java: 'abc', equal: true }, flinkQueries: [{ query: 'q0', expectedRows: 5, flinkRows: 5, equal: true }] },
      queries: [queryResult('q0', 10_000_000, flink, millrace), queryResult('q7', 10_000_000, flink, { status: 'failed', reason: 'exit 1: boom' })],
    };
    const markdown = renderResultsMarkdown(report);
    expect(markdown).toContain('Test CPU, 2 logical CPUs');
    expect(markdown).toContain('| q0 | flink | 2,000,000 |');
    expect(markdown).toContain('| q7 | flink |');
    expect(markdown).toContain('q7 millrace: failed: exit 1: boom');
    expect(markdown).toContain('TypeScript abc, Java abc: equal');
  });
});

describe('millrace run command line', () => {
  test('passes parallelism, TaskManagers, job parameters, the summary file and a checkpoint directory beside it', () => {
    const { args } = millraceCommand('/nonexistent', {
      query: 'q5', parallelism: 2, taskmanagers: 2, parameters: { events: 1000, windowSizeMs: 10_000 }, summaryFile: '/tmp/run-1/s.json',
    });
    const runAt = args.indexOf('run');
    expect(args.slice(runAt)).toEqual([
      'run', 'examples/nexmark/q5.ts', '--parallelism', '2', '--taskmanagers', '2',
      '--set', 'events=1000', '--set', 'windowSizeMs=10000', '--summary-json', '/tmp/run-1/s.json',
      '--checkpoint-dir', '/tmp/run-1/checkpoints-q5',
    ]);
  });

  test('turns checkpoints off when asked (the Nexmark comparison: the Flink peer takes none)', () => {
    const { args } = millraceCommand('/nonexistent', {
      query: 'q8', parallelism: 2, taskmanagers: 2, parameters: {}, summaryFile: '/tmp/s.json', checkpointIntervalMs: 0,
    });
    expect(args.slice(-2)).toEqual(['--checkpoint-interval-ms', '0']);
  });
});

describe('RESULTS.md sections of other benchmarks', () => {
  test('survive a new Nexmark report; nothing else of the old file does', () => {
    const recovery = '<!-- recovery:begin (written by npm run bench:recovery) -->\n## Recovery\n\n| a |\n<!-- recovery:end -->';
    const previous = `# Nexmark: old\n\nold table\n\n${recovery}\n`;
    const next = keepMarkedSections(previous, '# Nexmark: new\n\nnew table\n');
    expect(next).toBe(`# Nexmark: new\n\nnew table\n\n${recovery}\n`);
    expect(keepMarkedSections('# old only', '# new\n')).toBe('# new\n');
  });
});
