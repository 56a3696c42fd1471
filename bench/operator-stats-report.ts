// The Operator section of bench/RESULTS.md, rendered from bench/results/operator.json and put
// between its markers, so the other benchmarks' sections stay as they are.
export interface OperatorBenchResult {
  generatedAt: string;
  deployments: number;
  podsPerDeployment: number;
  applyConcurrency: number;
  appliedSeconds: number;
  applyToAllPodsCreatedMs: { p50: number; p99: number; deploymentsTimed: number };
  allPodsCreatedSeconds: number;
  settledSeconds: number;
  reconcilesPerSecond: number;
  reconciles: number;
  reconcilesByController: Record<string, number>;
  operatorRssMiB: { idle: number; peakUnderLoad: number };
  operatorHeapUsedMiB: { idle: number; peakUnderLoad: number };
  operatorCpuSeconds: number;
  operatorCpuMsPerDeployment: number;
  operatorNodeFlags: readonly string[];
  apiRequests: number;
  apiRequestsPerReconcile: number;
  apiRequestsPerDeployment: number;
  apiRequestsByKind: Record<string, number>;
  writesSkipped: number;
  loadAverageAtStart: number[];
  targets: { settledUnder60s: boolean; rssUnder150MB: boolean };
  notes: string;
}

// The `<!-- name:begin … -->` / `<!-- name:end -->` convention that bench:nexmark keeps when it rewrites the file.
export const OPERATOR_SECTION_BEGIN = '<!-- operator:begin (written by npm run bench:operator) -->';
export const OPERATOR_SECTION_END = '<!-- operator:end -->';

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

export function renderOperatorSection(r: OperatorBenchResult): string {
  const kinds = Object.entries(r.apiRequestsByKind).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    OPERATOR_SECTION_BEGIN,
    '## Operator: 1,000 Deployments',
    '',
    `Latest figures of \`npm run bench:operator\` (\`bench/operator.ts\`), generated ${r.generatedAt}; raw figures in`,
    '`bench/results/operator.json`. The operator runs as its own process (`operator/main.ts`, environment and V8 flags',
    `\`${r.operatorNodeFlags.join(' ')}\`) against the test cluster's API server on the same machine; the run applies`,
    `${r.deployments} Deployments (0.25 CU JobManager + one 0.25 CU TaskManager each, ${r.applyConcurrency} applies in parallel).`,
    'Their pods carry a nodeSelector no node matches, so they are created and stay Pending; the JobManagers are',
    'unreachable, so every deployment settles in phase Starting. RSS is VmRSS of the operator process sampled every',
    `250 ms. Load average when the run started: ${r.loadAverageAtStart.join(' / ')} (the machine may be shared). Wall times`,
    'follow the API server, which shares the machine; operator CPU, API requests and RSS are steadier under other load.',
    '',
    '| figure | value | target |',
    '|---|---|---|',
    `| all ${r.deployments} settled (phase Starting) | ${r.settledSeconds} s | < 60 s: ${met(r.targets.settledUnder60s)} |`,
    `| apply → both pods created, p50 / p99 | ${r.applyToAllPodsCreatedMs.p50} / ${r.applyToAllPodsCreatedMs.p99} ms | |`,
    `| all pods created | ${r.allPodsCreatedSeconds} s (applies took ${r.appliedSeconds} s) | |`,
    `| reconciles per second | ${r.reconcilesPerSecond} (${r.reconciles} reconciles) | |`,
    `| operator RSS idle / peak | ${r.operatorRssMiB.idle} / ${r.operatorRssMiB.peakUnderLoad} MiB | peak < 150 MB: ${met(r.targets.rssUnder150MB)} |`,
    `| operator heap used idle / peak | ${r.operatorHeapUsedMiB.idle} / ${r.operatorHeapUsedMiB.peakUnderLoad} MiB | |`,
    `| operator CPU | ${r.operatorCpuSeconds} s (${r.operatorCpuMsPerDeployment} ms per deployment) | |`,
    `| API requests | ${r.apiRequests} (${r.apiRequestsPerDeployment} per deployment, ${r.apiRequestsPerReconcile} per reconcile; ${r.writesSkipped} unchanged applies skipped) | |`,
    '',
    `API requests by verb and resource (watches not counted): ${kinds}.`,
    OPERATOR_SECTION_END,
  ].join('\n');
}

/** Puts the section between its markers, or appends it; the rest of the file stays as it is. */
export function replaceOperatorSection(markdown: string, section: string): string {
  const begin = markdown.indexOf(OPERATOR_SECTION_BEGIN);
  const end = markdown.indexOf(OPERATOR_SECTION_END);
  if (begin >= 0 && end > begin) return markdown.slice(0, begin) + section + markdown.slice(end + OPERATOR_SECTION_END.length);
  const base = markdown.trimEnd();
  return `${base}${base ? '\n\n' : ''}${section}\n`;
}
