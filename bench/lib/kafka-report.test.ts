import { drainCheck, KAFKA_SECTION_BEGIN, KAFKA_SECTION_END, notIdle, renderKafkaSection, renderKafkaTable, replaceKafkaSection, type KafkaBenchReport } from './kafka-report.ts';
import type { MachineDescription } from './machine.ts';
import { figuresOf, perCoreRatio } from './results.ts';
import type { WindowFigures } from './window.ts';

const machine: MachineDescription = { cpuModel: 'Test CPU', logicalCpus: 2, memoryGiB: 24, os: 'Debian', kernel: 'Linux 6', node: 'v24.0.0', java: 'openjdk 17', loadAverageAtStart: [0.2, 0.3, 0.4] };
const window = (eventsPerSecond: number, cores: number): WindowFigures => ({ seconds: 30, events: eventsPerSecond * 30, eventsPerSecond, cpuSeconds: cores * 30, cores, eventsPerSecondPerCore: Math.round(eventsPerSecond / cores), channelRecordsPerEvent: 0, processes: 1 });
const ok = (runs: WindowFigures[], tasks: string[]) => figuresOf({ status: 'ok', runs, plan: { logical: [], implementation: [], tasks }, latency: { status: 'not measured', reason: 'throughput' } });

function report(overrides: Partial<KafkaBenchReport> = {}): KafkaBenchReport {
  const flink = ok([window(200_000, 2), window(180_000, 2), window(220_000, 2)], ['Sink(table=[bids_out])']);
  const millrace = ok([window(150_000, 1.5), window(160_000, 1.6), window(140_000, 1.4)], ['Source: kafka:bids -> Calc -> Sink']);
  const { ratio, range } = perCoreRatio(millrace, flink);
  return {
    generatedAt: '2026-12-07T22:00:00.000Z', machine,
    settings: { runs: 3, warmupSeconds: 10, measureSeconds: 30, parallelism: 2, taskmanagers: 2, partitions: 2, records: 40_000_000, block: 1_000_000, seed: 42, verifyRecords: 100_000, deliveryGuarantee: 'at-least-once', kafkaVersion: '4.4.0', flinkVersion: '1.20.3', flinkKafkaConnectorVersion: '3.3.0-1.20', flinkConfiguration: { 'pipeline.object-reuse': 'true' } },
    source: { commit: 'abc1234', modifiedRuntimeFiles: [] },
    input: { topic: 'bids', bytes: 10 * 2 ** 30, matchesPerPartition: [9_900_000, 10_000_000] },
    statements: ['CREATE TABLE bids (...)', 'INSERT INTO bids_out SELECT auction FROM bids WHERE price >= 100000'],
    millraceTasks: ['Source: kafka:bids -> Calc -> Sink'], flinkPlan: ['Sink(table=[bids_out])'],
    verification: { inputRecords: 100_000, rowCountsEqual: true, flink: { sourceRecords: 100_000, expectedRows: 49_872, rows: 49_872, equal: true, difference: null }, millrace: { sourceRecords: 100_000, expectedRows: 49_872, rows: 49_872, equal: true, difference: null } },
    drainChecks: [drainCheck('flink', 1, 4_000_000, [9_900_000, 10_000_000]), drainCheck('millrace', 1, 3_000_000, [9_900_000, 10_000_000])],
    loadAverage: { min: 2.1, max: 2.6, samples: 30 },
    flink, millrace, ratioMillraceToFlinkPerCore: ratio, ratioRange: range, targetRatio: 1, targetMet: ratio === null ? null : ratio >= 1,
    ...overrides,
  };
}

describe('bench:kafka report', () => {
  it('drainCheck: an output below the smallest partition\'s filter matches proves no partition ran dry', () => {
    expect(drainCheck('flink', 1, 9_899_999, [9_900_000, 10_000_000])).toEqual({ system: 'flink', run: 1, outputRecords: 9_899_999, limit: 9_900_000, ok: true });
    expect(drainCheck('millrace', 2, 9_900_000, [9_900_000, 10_000_000]).ok).toBe(false);
  });

  it('notIdle: load at the start above 1, or above the CPUs + 1 while measuring', () => {
    expect(notIdle(machine, { min: 2, max: 3, samples: 3 })).toBeNull();
    expect(notIdle({ ...machine, loadAverageAtStart: [4.5, 1, 1] }, null)).toBe('the 1-minute load average was 4.50 when the benchmark started');
    expect(notIdle(machine, { min: 2, max: 5.25, samples: 3 })).toMatch(/^it reached 5.25 on 2 logical CPUs while runs were measured/);
  });

  it('renders the figures, the ratio and the target from the runs', () => {
    const r = report();
    expect(r.ratioMillraceToFlinkPerCore).toBe(1);
    const table = renderKafkaTable(r);
    expect(table).toContain('200,000 (180,000–220,000, spread 20%)');
    expect(table).toContain('>= 1: met');
    const md = renderKafkaSection(r);
    expect(md.startsWith(KAFKA_SECTION_BEGIN)).toBe(true);
    expect(md.trimEnd().endsWith(KAFKA_SECTION_END)).toBe(true);
    expect(md).not.toContain('Smoke run');
    expect(md).not.toContain('was not idle');
    expect(md).toContain('the largest output of a measured run was 4,000,000 records.');
    expect(md).toContain('- Millrace: its source counter read 100,000 records; the output topic holds 49,872 rows, exactly the reference rows');
    expect(md).toContain('INSERT INTO bids_out SELECT auction FROM bids WHERE price >= 100000;');
  });

  it('says when a run was a smoke run, the machine busy, or a side failed', () => {
    const r = report({ settings: { ...report().settings, runs: 1, measureSeconds: 10 }, loadAverage: { min: 3, max: 6, samples: 2 }, millrace: figuresOf({ status: 'failed', reason: 'MR_ERR_BENCH_RAN_DRY: x' }), ratioMillraceToFlinkPerCore: null, ratioRange: null, targetMet: null });
    const md = renderKafkaSection(r);
    expect(md).toContain('**Smoke run, not figures:** 1 run(s) of 10 s after 10 s of warm-up');
    expect(md).toContain('**The machine was not idle:** it reached 6.00 on 2 logical CPUs');
    expect(md).toContain('- millrace: failed: MR_ERR_BENCH_RAN_DRY: x');
    const dry = renderKafkaSection(report({ drainChecks: [drainCheck('millrace', 2, 9_950_000, [9_900_000, 10_000_000])] }));
    expect(dry).toContain('The input may have run dry: a run whose output topic ends below 9,900,000 records');
    expect(dry).toContain('1 run(s) reached the limit (millrace run 2): those runs failed.');
    expect(renderKafkaTable(r)).toContain('>= 1: unknown');
  });

  it('replaces only its own section of RESULTS.md', () => {
    const before = `# Results\n\nother text\n\n${KAFKA_SECTION_BEGIN}\nold\n${KAFKA_SECTION_END}\n\nafter\n`;
    const after = replaceKafkaSection(before, `${KAFKA_SECTION_BEGIN}\nnew\n${KAFKA_SECTION_END}\n`);
    expect(after).toBe(`# Results\n\nother text\n\n${KAFKA_SECTION_BEGIN}\nnew\n${KAFKA_SECTION_END}\n\nafter\n`);
    expect(replaceKafkaSection('# Results\n', `${KAFKA_SECTION_BEGIN}\nx\n${KAFKA_SECTION_END}\n`)).toBe(`# Results\n\n${KAFKA_SECTION_BEGIN}\nx\n${KAFKA_SECTION_END}\n`);
  });
});
