// The Operator section of bench/RESULTS.md, rendered from bench/results/operator.json and put
// between its markers, so the other benchmarks' sections stay as they are.
export interface OperatorBenchResult {
  generatedAt: string;
  deployments: number;
  /** Millrace Namespaces (of one Workspace) the Deployments and probes are spread over, round robin (absent in runs before it existed: 1) */
  namespaces?: number;
  podsPerDeployment: number;
  applyConcurrency: number;
  appliedSeconds: number;
  /** Deployments applied one every `everyMs` while the others are created: apply → both pods (no starvation) */
  probes: { everyMs: number; applied: number; timed: number; applyToPodsMs: { p50: number; p99: number } };
  /** the same after all were created, while the run observes (the requeue wave): does a newcomer wait behind follow-ups? */
  probesAfterCreation: { everyMs: number; applied: number; timed: number; applyToPodsMs: { p50: number; p99: number } };
  /** apply → both pods created and the status written for them (phase Starting at the applied generation) */
  applyToCreatedAndStatusMs: { p50: number; p99: number; deploymentsTimed: number };
  applyToAllPodsCreatedMs: { p50: number; p99: number; deploymentsTimed: number };
  allPodsCreatedSeconds: number;
  /** until every Deployment had both pods and its status written */
  settledSeconds: number;
  reconcilesPerSecond: number;
  reconciles: number;
  reconcilesByController: Record<string, number>;
  /** peak: over the whole run, idle to the end of the observation after creation */
  operatorRssMiB: { idle: number; peakUnderLoad: number };
  /** from the first apply to the end of the observation after creation (the requeue wave) */
  wholeRun: { seconds: number; observedAfterCreationSeconds: number; operatorCpuSeconds: number; apiRequests: number; reconciles: number; reconcilesAfterCreation: number };
  /** API requests of the creation phase per Deployment, by verb and resource */
  apiRequestsPerDeploymentByKind: Record<string, number>;
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
  targets: { settledUnder60s: boolean; rssUnder300MB: boolean; requestsPerCreationAtMost3: boolean; probeP99Under5s: boolean; probeAfterCreationP99Under5s: boolean };
  notes: string;
}

// The `<!-- name:begin … -->` / `<!-- name:end -->` convention that bench:nexmark keeps when it rewrites the file.
export const OPERATOR_SECTION_BEGIN = '<!-- operator:begin (written by npm run bench:operator) -->';
export const OPERATOR_SECTION_END = '<!-- operator:end -->';

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

export function renderOperatorSection(r: OperatorBenchResult): string {
  const kinds = Object.entries(r.apiRequestsByKind).map(([k, n]) => `${k} ${n}`).join(', ');
  const perDeployment = Object.entries(r.apiRequestsPerDeploymentByKind).map(([k, n]) => `${k} ${n}`).join(', ');
  const w = r.wholeRun;
  return [
    OPERATOR_SECTION_BEGIN,
    `## Operator: ${r.deployments.toLocaleString('en-US')} Deployments across ${r.namespaces ?? 1} namespace${(r.namespaces ?? 1) === 1 ? '' : 's'}`,
    '',
    `Latest figures of \`npm run bench:operator\` (\`bench/operator.ts\`), generated ${r.generatedAt}; raw figures in`,
    '`bench/results/operator.json`. The operator runs as its own process (`operator/main.ts`, environment and V8 flags',
    `\`${r.operatorNodeFlags.join(' ')}\`) against the test cluster's API server on the same machine; the run applies`,
    `${r.deployments} Deployments over ${r.namespaces ?? 1} Millrace Namespace(s) of one Workspace, round robin (0.25 CU JobManager + one 0.25 CU TaskManager each, ${r.applyConcurrency} applies in parallel).`,
    'Their pods carry a nodeSelector no node matches, so they are created and stay Pending; the JobManagers are',
    'unreachable, so every deployment settles in phase Starting. A Deployment is done when both its pods exist and its',
    'status is written for the generation applied (phase Starting, observedGeneration); after all are done the run goes on',
    `for ${w.observedAfterCreationSeconds} s, as the operator looks at every Starting Deployment again within 60 s (the requeue wave).`,
    'RSS is VmRSS of the operator process sampled every 250 ms over the whole run; CPU is utime + stime from /proc.',
    `Load average when the run started: ${r.loadAverageAtStart.join(' / ')} (the machine may be shared). Wall times`,
    'follow the API server, which shares the machine; operator CPU, API requests and RSS are steadier under other load.',
    '',
    '| figure | value | target |',
    '|---|---|---|',
    `| all ${r.deployments} with pods created and status written | ${r.settledSeconds} s | < 60 s: ${met(r.targets.settledUnder60s)} |`,
    `| apply → pods created and status written, p50 / p99 | ${r.applyToCreatedAndStatusMs.p50} / ${r.applyToCreatedAndStatusMs.p99} ms | |`,
    `| a Deployment applied during the wave (one every ${r.probes.everyMs} ms, ${r.probes.timed} of ${r.probes.applied} timed): apply → both pods, p50 / p99 | ${r.probes.applyToPodsMs.p50} / ${r.probes.applyToPodsMs.p99} ms | p99 < 5 s: ${met(r.targets.probeP99Under5s)} |`,
    `| a Deployment applied after all were created, during the ${w.observedAfterCreationSeconds} s observation and its requeue wave (one every ${r.probesAfterCreation.everyMs} ms, ${r.probesAfterCreation.timed} of ${r.probesAfterCreation.applied} timed): apply → both pods, p50 / p99 | ${r.probesAfterCreation.applyToPodsMs.p50} / ${r.probesAfterCreation.applyToPodsMs.p99} ms | p99 < 5 s: ${met(r.targets.probeAfterCreationP99Under5s)} |`,
    `| apply → both pods created, p50 / p99 | ${r.applyToAllPodsCreatedMs.p50} / ${r.applyToAllPodsCreatedMs.p99} ms | |`,
    `| all pods created | ${r.allPodsCreatedSeconds} s (applies took ${r.appliedSeconds} s) | |`,
    `| reconciles per second | ${r.reconcilesPerSecond} (${r.reconciles} reconciles) | |`,
    `| operator RSS idle / peak over the whole run (${w.seconds} s) | ${r.operatorRssMiB.idle} / ${r.operatorRssMiB.peakUnderLoad} MiB | peak < 300 MB: ${met(r.targets.rssUnder300MB)} |`,
    `| operator heap used idle / peak | ${r.operatorHeapUsedMiB.idle} / ${r.operatorHeapUsedMiB.peakUnderLoad} MiB | |`,
    `| operator CPU, creation | ${r.operatorCpuSeconds} s (${r.operatorCpuMsPerDeployment} ms per deployment) | |`,
    `| operator CPU, whole run | ${w.operatorCpuSeconds} s (${(w.operatorCpuSeconds * 1000 / r.deployments).toFixed(1)} ms per deployment) | |`,
    `| API requests, creation | ${r.apiRequests} (${r.apiRequestsPerDeployment} per deployment, ${r.apiRequestsPerReconcile} per reconcile; ${r.writesSkipped} unchanged applies skipped) | per deployment <= 3: ${met(r.targets.requestsPerCreationAtMost3)} |`,
    `| API requests and reconciles, whole run | ${w.apiRequests} requests, ${w.reconciles} reconciles (${w.reconcilesAfterCreation} after creation) | |`,
    '',
    `API requests of the creation phase per Deployment, by verb and resource (watches not counted): ${perDeployment}.`,
    '',
    `In total: ${kinds}.`,
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
