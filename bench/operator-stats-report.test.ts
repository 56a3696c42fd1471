import { OPERATOR_SECTION_BEGIN, OPERATOR_SECTION_END, renderOperatorSection, replaceOperatorSection } from './operator-stats-report.ts';
import type { OperatorBenchResult } from './operator-stats-report.ts';

const result: OperatorBenchResult = {
  generatedAt: '2026-11-22T01:00:00.000Z', deployments: 1000, namespaces: 50, podsPerDeployment: 2, applyConcurrency: 16, appliedSeconds: 4.2,
  probes: { everyMs: 2000, applied: 20, timed: 20, applyToPodsMs: { p50: 3000, p99: 9000 } },
  probesAfterCreation: { everyMs: 2000, applied: 37, timed: 37, applyToPodsMs: { p50: 400, p99: 1200 } },
  applyToCreatedAndStatusMs: { p50: 9500, p99: 31000, deploymentsTimed: 1000 },
  applyToAllPodsCreatedMs: { p50: 9000, p99: 30000, deploymentsTimed: 1000 }, allPodsCreatedSeconds: 31, settledSeconds: 33,
  wholeRun: { seconds: 110, observedAfterCreationSeconds: 75, operatorCpuSeconds: 30, apiRequests: 8000, reconciles: 4000, reconcilesAfterCreation: 1360 },
  apiRequestsPerDeploymentByKind: { 'create pods': 2, 'apply deployments/status': 1 },
  reconcilesPerSecond: 80, reconciles: 2640, reconcilesByController: { deployment: 2600, queue: 40 },
  operatorRssMiB: { idle: 120, peakUnderLoad: 135 }, operatorHeapUsedMiB: { idle: 30, peakUnderLoad: 60 },
  operatorCpuSeconds: 20, operatorCpuMsPerDeployment: 20, operatorNodeFlags: ['--max-semi-space-size=2'],
  apiRequests: 6000, apiRequestsPerReconcile: 2.27, apiRequestsPerDeployment: 6, apiRequestsByKind: { 'create pods': 2000, 'apply deployments/status': 1000 },
  writesSkipped: 1500, loadAverageAtStart: [0.5, 0.4, 0.3], targets: { settledUnder60s: true, rssUnder300MB: false, requestsPerCreationAtMost3: false, probeP99Under5s: false, probeAfterCreationP99Under5s: true }, notes: '',
};

describe('the Operator section of bench/RESULTS.md', () => {
  test('shows the targets, met or not, and the requests by kind', () => {
    const s = renderOperatorSection(result);
    expect(s).toContain('## Operator: 1,000 Deployments across 50 namespaces');
    expect(renderOperatorSection({ ...result, namespaces: undefined })).toContain('## Operator: 1,000 Deployments across 1 namespace\n');
    expect(s).toContain('| all 1000 with pods created and status written | 33 s | < 60 s: met |');
    expect(s).toContain('| apply → pods created and status written, p50 / p99 | 9500 / 31000 ms | |');
    expect(s).toContain('| operator RSS idle / peak over the whole run (110 s) | 120 / 135 MiB | peak < 300 MB: NOT met |');
    expect(s).toContain('| operator CPU, whole run | 30 s (30.0 ms per deployment) | |');
    expect(s).toContain('per deployment <= 3: NOT met');
    expect(s).toContain('| a Deployment applied during the wave (one every 2000 ms, 20 of 20 timed): apply → both pods, p50 / p99 | 3000 / 9000 ms | p99 < 5 s: NOT met |');
    expect(s).toContain('| a Deployment applied after all were created, during the 75 s observation and its requeue wave (one every 2000 ms, 37 of 37 timed): apply → both pods, p50 / p99 | 400 / 1200 ms | p99 < 5 s: met |');
    expect(s).toContain('per Deployment, by verb and resource (watches not counted): create pods 2, apply deployments/status 1.');
    expect(s).toContain('create pods 2000, apply deployments/status 1000');
  });
  test('its markers follow the convention bench:nexmark keeps (name:begin … name:end)', () => {
    const kept = /<!-- ([\w-]+):begin[^>]*-->[\s\S]*?<!-- \1:end -->/g;
    expect(renderOperatorSection(result).match(kept)).toHaveLength(1);
  });
  test('replaces its own section and leaves the others alone', () => {
    const nexmark = '# Nexmark\n\nfigures\n';
    const once = replaceOperatorSection(nexmark, renderOperatorSection(result));
    expect(once.startsWith(`# Nexmark\n\nfigures\n\n${OPERATOR_SECTION_BEGIN}`)).toBe(true);
    const later = `${once}\n<!-- recovery:begin -->\n## Recovery\n<!-- recovery:end -->\n`;
    const twice = replaceOperatorSection(later, renderOperatorSection({ ...result, settledSeconds: 70, targets: { ...result.targets, settledUnder60s: false } }));
    expect(twice.split(OPERATOR_SECTION_BEGIN)).toHaveLength(2);
    expect(twice.split(OPERATOR_SECTION_END)).toHaveLength(2);
    expect(twice).toContain('| 70 s | < 60 s: NOT met |');
    expect(twice).toContain('## Recovery\n<!-- recovery:end -->');
    expect(twice.startsWith('# Nexmark')).toBe(true);
  });
});
