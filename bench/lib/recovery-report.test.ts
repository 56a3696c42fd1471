import type { MachineDescription } from './machine.ts';
import { evaluateTargets, renderRecoverySection, renderRecoveryTables, replaceRecoverySection, SECTION_BEGIN, SECTION_END, type RecoveryBenchReport, type StateSizeResult, type ThroughputResult } from './recovery-report.ts';
import { summarize, throughputCost } from './recovery-stats.ts';

const machine: MachineDescription = { cpuModel: 'CPU', logicalCpus: 2, memoryGiB: 24, os: 'Debian', kernel: 'Linux', node: 'v24', java: 'n/a', loadAverageAtStart: [0.1, 0.2, 0.3] };

function stateResult(targetMB: number, recoveries: number[]): StateSizeResult {
  return {
    targetMB, keys: targetMB * 1000, status: 'ok',
    checkpoints: { count: 3, durationMs: summarize([1200, 1500, 1300]), sizeBytes: summarize([targetMB * 1.05e6]), alignmentMs: summarize([10, 20, 30]) },
    recoveriesMs: recoveries, recoveryMs: summarize(recoveries),
    firstOutputsMs: recoveries.map((r) => r / 2), firstOutputMs: summarize(recoveries.map((r) => r / 2)), worstLagsMs: recoveries.map(() => 1000),
  };
}

const throughput: ThroughputResult = {
  status: 'ok',
  without: [{ events: 10_000_000, durationMs: 10_000 }],
  with: [{ events: 10_000_000, durationMs: 10_500 }],
  cost: throughputCost([{ events: 10_000_000, durationMs: 10_000 }], [{ events: 10_000_000, durationMs: 10_500 }]),
};

function report(state: StateSizeResult[], t: ThroughputResult = throughput): RecoveryBenchReport {
  return {
    generatedAt: '2026-11-22T00:00:00.000Z', machine,
    settings: { quick: false, s3: 'MinIO', taskManagers: 2, stateParallelism: 4, stateCheckpointIntervalMs: 10_000, payloadBytes: 1000, steadyRecordsPerSecond: 2000, killsPerSize: 3, seed: 1, q5: { events: 20_000_000, parallelism: 2, checkpointIntervalMs: 10_000, rounds: 2 } },
    state, throughput: t, targets: evaluateTargets(state, t),
  };
}

describe('the recovery benchmark report', () => {
  test('judges the targets: recovery at 100 MB by its slowest kill, checkpoint cost by the median ratio', () => {
    expect(evaluateTargets([stateResult(100, [4000, 9000])], throughput)).toEqual({ recoveryUnder10sAt100MB: true, checkpointCostUnder10Percent: true });
    expect(evaluateTargets([stateResult(100, [4000, 12_000])], throughput).recoveryUnder10sAt100MB).toBe(false);
    expect(evaluateTargets([stateResult(10, [1000])], throughput).recoveryUnder10sAt100MB).toBeNull();
    const slow: ThroughputResult = { ...throughput, cost: throughputCost([{ events: 100, durationMs: 1000 }], [{ events: 100, durationMs: 1200 }]) };
    expect(evaluateTargets([], slow).checkpointCostUnder10Percent).toBe(false);
    expect(evaluateTargets([], { status: 'failed', reason: 'x', without: [], with: [], cost: null }).checkpointCostUnder10Percent).toBeNull();
    // a --quick smoke run's figures judge nothing
    expect(evaluateTargets([stateResult(100, [4000])], throughput, true)).toEqual({ recoveryUnder10sAt100MB: null, checkpointCostUnder10Percent: null });
  });

  test('prints one row per state size and the q5 ratio', () => {
    const table = renderRecoveryTables(report([stateResult(100, [4000, 6000, 5000]), { ...stateResult(1000, []), status: 'failed', reason: 'out of memory', recoveryMs: null }]));
    expect(table).toContain('| 100 MB | 100,000 | 105.0 MB | 1.30 s (max 1.50 s) (3) | 0.02 s (max 0.03 s) | 2.50 s (max 3.00 s) | 5.00 s (max 6.00 s) (3 kills) | met |');
    expect(table).toContain('| 1000 MB | 1,000,000 | failed: out of memory |');
    expect(table).toContain('| 1,000,000 | 952,381 | 0.952 | 4.8% | met |');
    const rounds = throughputCost([{ events: 1000, durationMs: 1000 }, { events: 1200, durationMs: 1000 }, { events: 800, durationMs: 1000 }], [{ events: 880, durationMs: 1000 }]);
    expect(renderRecoveryTables(report([], { ...throughput, cost: rounds }))).toContain('| 1,000 (800–1,200, 3 runs) | 880 | 0.880 | 12.0% | NOT met |');
  });

  test('replaces its own section of RESULTS.md and keeps the others', () => {
    const section = renderRecoverySection(report([stateResult(100, [5000])]));
    expect(section.startsWith(SECTION_BEGIN)).toBe(true);
    expect(section.trimEnd().endsWith(SECTION_END)).toBe(true);
    const nexmark = '# Nexmark\n\nfigures\n';
    const once = replaceRecoverySection(nexmark, section);
    expect(once).toBe(`# Nexmark\n\nfigures\n\n${section}`);
    const newer = renderRecoverySection(report([stateResult(100, [7000])]));
    const twice = replaceRecoverySection(`${once}\n## Later section\n`, newer);
    expect(twice).toContain('# Nexmark\n\nfigures\n');
    expect(twice).toContain('7.00 s (1 kills)');
    expect(twice).not.toContain('5.00 s (1 kills)');
    expect(twice).toContain('## Later section');
    expect(twice.split(SECTION_BEGIN)).toHaveLength(2);
  });
});
