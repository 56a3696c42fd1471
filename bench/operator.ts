// `npm run bench:operator`: the operator under load on the real control plane (test/cluster).
// Runs the operator as its own process, applies N Deployments (default 1,000) spread over
// --namespaces M Millrace Namespaces of one Workspace (default 1; issue 15's target is 10,000
// across 50), and writes
// bench/results/operator.json: per Deployment, apply → both pods created AND its status written
// for them (phase Starting at the applied generation), p50/p99 and when all were done; then it
// keeps observing for --observe-seconds (default 75: the operator looks at each Starting
// Deployment again after 60 s, the requeue wave) and reports over the whole run (idle → end of
// the observation): operator RSS peak sampled every 250 ms, operator CPU seconds from /proc,
// API requests; and per Deployment the requests and CPU of the creation phase, requests by kind.
//
// The pods carry a nodeSelector that no node matches, so on a cluster with a node they stay
// Pending (created, never started: 2,000 real containers would swamp the machine).
//
// Writes bench/results/operator.json and the Operator section of bench/RESULTS.md.
// Options: --deployments N (or --count N), --namespaces M, --concurrency N (parallel applies), --observe-seconds S, --no-write (print only),
// --cpu-prof DIR (the operator writes a V8 CPU profile there on exit), --node-flag F (more flags
// for the operator process, to try them; repeatable). The operator inherits the environment.
import { spawn } from 'node:child_process';
import { onInterrupt, trackChild } from './lib/children.ts';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Watch } from '@kubernetes/client-node';
import type { KubeObject } from '../operator/kube/rest-client.ts';
import { API, applyAs, createWorkspaceAndNamespace, OPERATOR_NAMESPACE, TEST_PIPELINE, TEST_WATCH_SELECTOR, unique, useOperatorCluster, waitFor } from '../test/operator/support/harness.ts';
import { OPERATOR_NODE_FLAGS, OPERATOR_PROCESS_ENV } from '../operator/config.ts';
import { counterBy, counterDelta, counterTotal, cpuSeconds, metricSamples, percentile, rssMiB } from './operator-stats.ts';
import { renderOperatorSection, replaceOperatorSection } from './operator-stats-report.ts';
import type { OperatorBenchResult } from './operator-stats-report.ts';

const { values } = parseArgs({ options: {
  count: { type: 'string' }, deployments: { type: 'string' }, namespaces: { type: 'string', default: '1' }, concurrency: { type: 'string', default: '16' }, 'observe-seconds': { type: 'string', default: '75' }, 'probe-every-ms': { type: 'string', default: '2000' },
  'no-write': { type: 'boolean', default: false }, 'cpu-prof': { type: 'string' }, 'node-flag': { type: 'string', multiple: true, default: [] },
} });
const count = Number(values.deployments ?? values.count ?? '1000');
const namespaceCount = Number(values.namespaces);
const concurrency = Number(values.concurrency);
const observeSeconds = Number(values['observe-seconds']);
/**
 * a probe Deployment is applied this often (0: none), while the others are created and then during
 * the observation (the requeue wave): does a newcomer get its pods soon, or wait behind the wave?
 */
const probeEveryMs = Number(values['probe-every-ms']);
/** Probes at most: enough for the whole wave at 10,000 (one every 2 s over a wave of ~15 minutes), each 0.5 CU of capacity. */
const PROBES_AT_MOST = Math.max(200, Math.ceil(count / 10));
/**
 * How long the wave may take before the run gives up: 10 minutes, or 150 ms per Deployment beyond
 * 4,000 (at the ~13 a second of the 2,000 run, 10,000 take about 13 minutes); a run without
 * progress for 60 s still fails at once (stalled() below).
 */
const WAVE_TIMEOUT_MS = Math.max(600_000, count * 150);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(namespaceCount) || namespaceCount < 1 || namespaceCount > count || !Number.isInteger(concurrency) || concurrency < 1 || !Number.isFinite(observeSeconds) || observeSeconds < 0 || !Number.isFinite(probeEveryMs) || probeEveryMs < 0) {
  process.stderr.write('usage: npm run bench:operator -- [--deployments N] [--namespaces M (1..N)] [--concurrency N] [--observe-seconds S] [--probe-every-ms MS] [--no-write] [--cpu-prof DIR] [--node-flag FLAG]...\n');
  process.exit(2);
}
/** A node selector no node carries: pods are created and stay Pending. */
const UNSCHEDULABLE = { 'millrace.dev/bench': 'unschedulable' };

const freePort = () => new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => resolve(typeof a === 'object' && a ? a.port : 0)); }); });

const loadAtStart = loadavg().map((l) => +l.toFixed(2));
const cluster = await useOperatorCluster();
const { rest, kc } = cluster;
const port = await freePort();
const profileFlags = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
// The same V8 flags and environment as `npm run operator` and the chart, so RSS is the one users get.
const leaseName = unique('bench');
const nodeFlags = [...OPERATOR_NODE_FLAGS, ...(values['node-flag'] ?? [])];
const operator = trackChild(spawn(process.execPath, [...nodeFlags, ...profileFlags, 'operator/main.ts'], {
  env: { ...process.env, ...OPERATOR_PROCESS_ENV, KUBECONFIG: cluster.kubeconfigPath, MILLRACE_OPERATOR_PORT: String(port), MILLRACE_OPERATOR_HOST: '127.0.0.1', MILLRACE_OPERATOR_NAMESPACE: OPERATOR_NAMESPACE, MILLRACE_LEASE_NAME: leaseName, MILLRACE_JOBMANAGER_URL_TEMPLATE: 'http://127.0.0.1:9', MILLRACE_WATCH_SELECTOR: TEST_WATCH_SELECTOR, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
}));
const pid = operator.pid ?? 0;
let created: { workspace: string; namespaces: string[] } | undefined;
/** ends the bench's watches (they restart themselves until then) */
let stopWatches = (): void => undefined;
// Interrupted: stop the operator, remove what the run created; the operator is tracked, so it is
// killed at any exit that did not stop it (bench/lib/children.ts).
onInterrupt(() => stopOperator().then(() => (created ? cleanUp(created) : undefined)));
const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
const heapMiB = (text: string) => (metricSamples(text, 'millrace_operator_nodejs_heap_size_used_bytes')[0]?.value ?? Number.NaN) / 2 ** 20;
try {
  await waitFor('operator ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, 60_000);
  // Room for every deployment (0.5 CU each) with a margin: one Workspace, its Namespaces share the wave and the probes.
  const perNamespace = Math.ceil(count / namespaceCount) + Math.ceil(PROBES_AT_MOST / namespaceCount);
  const first = await createWorkspaceAndNamespace(rest, { capacityCU: Math.ceil(perNamespace * 0.55) * namespaceCount + 10, quotaCU: Math.ceil(perNamespace * 0.55) });
  created = { workspace: first.workspace, namespaces: [first.namespace] };
  for (let i = 1; i < namespaceCount; i++) {
    const name = unique('ns');
    created.namespaces.push(name);
    await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name }, spec: { workspace: first.workspace, quotaCU: Math.ceil(perNamespace * 0.55), members: [] } });
  }
  const namespaces = created.namespaces;
  const inRun = new Set(namespaces);
  for (const namespace of namespaces) await waitFor(`default-queue of ${namespace} active`, async () => ((await rest.getOrUndefined<KubeObject & { status?: { phase?: string } }>({ apiVersion: API, kind: 'Queue', namespace, name: 'default-queue' }))?.status?.phase === 'Active'), 120_000);
  await new Promise((r) => setTimeout(r, 3000));
  const rssIdle = await rssMiB(pid);
  const heapIdle = heapMiB(await metrics());
  process.stderr.write(`operator idle: RSS ${rssIdle.toFixed(1)} MiB, heap used ${heapIdle.toFixed(1)} MiB; applying ${count} deployments across ${namespaceCount} namespace(s) (pods pinned to nodeSelector millrace.dev/bench=unschedulable: created, left Pending)\n`);

  // Watch the run's pods (all namespaces, filtered) to time when each deployment has both of its
  // pods; deployments are keyed namespace/name.
  const applyAt = new Map<string, number>();
  const podsSeen = new Map<string, Set<string>>();
  const allPodsAt = new Map<string, number>();
  // A watch the API server ends (it does under load) is started again; it then replays what exists,
  // so what it had missed is timed when seen again: late, never early.
  let watching = true;
  const aborts: Array<() => void> = [];
  const keepWatching = async <T extends KubeObject>(path: string, query: Record<string, string>, onEvent: (type: string, o: T) => void): Promise<void> => {
    const started = await new Watch(kc).watch(path, query, onEvent, () => {
      if (watching) setTimeout(() => { void keepWatching(path, query, onEvent).catch(() => undefined); }, 500);
    });
    aborts.push(() => started.abort());
  };
  stopWatches = () => { watching = false; for (const abort of aborts) abort(); };
  await keepWatching('/api/v1/pods', { labelSelector: 'millrace.dev/deployment' }, (type, pod: KubeObject) => {
    if (type !== 'ADDED' || !inRun.has(pod.metadata.namespace ?? '')) return;
    const name = pod.metadata.labels?.['millrace.dev/deployment'];
    if (!name) return;
    const d = `${pod.metadata.namespace}/${name}`;
    const names = podsSeen.get(d) ?? new Set<string>();
    names.add(pod.metadata.name);
    podsSeen.set(d, names);
    if (names.size === 2 && !allPodsAt.has(d)) allPodsAt.set(d, performance.now());
  });
  // Phases of the deployments, from a watch too: listing 1,000 objects every half second would
  // load the API server (which shares the machine with the operator) more than the operator does.
  // A Deployment's status is written for its pods when it says Starting for the generation applied.
  const statusAt = new Map<string, number>();
  await keepWatching(`/apis/${API}/deployments`, {}, (type, d: KubeObject & { status?: { phase?: string; observedGeneration?: number } }) => {
    const key = `${d.metadata.namespace}/${d.metadata.name}`;
    if (type === 'DELETED' || !inRun.has(d.metadata.namespace ?? '') || statusAt.has(key)) return;
    if (isStatusWritten(d)) statusAt.set(key, performance.now());
  });
  /** Deployments with both pods created and their status written, and when the later of the two happened. */
  const doneAt = () => [...allPodsAt].flatMap(([d, at]) => { const s = statusAt.get(d); return s === undefined ? [] : [[d, Math.max(at, s)] as const]; });
  /** Objects in a collection, read cheaply from the API server (one item and remainingItemCount). */
  const countOf = async (path: string) => {
    const page = await rest.request<{ items: unknown[]; metadata: { remainingItemCount?: number } }>('GET', path, { query: { limit: '1' } });
    return page.items.length + (page.metadata.remainingItemCount ?? 0);
  };
  const podsInRun = async () => (await Promise.all(namespaces.map((ns) => countOf(`/api/v1/namespaces/${ns}/pods`)))).reduce((a, b) => a + b, 0);
  /** the i-th Deployment's (and probe's) namespace: round robin */
  const namespaceOf = (i: number) => namespaces[i % namespaces.length]!;

  const runStart = performance.now();
  let rssPeak = rssIdle;
  const sampler = setInterval(() => { void rssMiB(pid).then((r) => { rssPeak = Math.max(rssPeak, r); }).catch(() => undefined); }, 250);
  let heapPeak = heapIdle;
  const heapSampler = setInterval(() => { void metrics().then((t) => { heapPeak = Math.max(heapPeak, heapMiB(t)); }).catch(() => undefined); }, 1000);
  const before = await metrics();
  const reconcilesBefore = counterTotal(before, 'millrace_operator_reconciles_total');
  const reconcilesByControllerBefore = counterBy(before, 'millrace_operator_reconciles_total', ['controller']);
  const requestsBefore = counterBy(before, 'millrace_operator_api_requests_total', ['verb', 'resource']);
  const skippedBefore = counterTotal(before, 'millrace_operator_writes_skipped_total');
  const cpuBefore = await cpuSeconds(pid);
  const t0 = performance.now();
  // Probes: one more Deployment every probeEveryMs while the wave is created and while the run
  // observes afterwards, timed apply → both pods; the two periods are reported apart.
  const probes: string[] = [];
  let probesDuringCreation = 0;
  const deploymentSpec = { source: { pipeline: TEST_PIPELINE }, jobManager: { cu: 0.25 }, taskManager: { cu: 0.25, slots: 1 }, podTemplate: { nodeSelector: UNSCHEDULABLE } };
  const prober = probeEveryMs > 0 ? setInterval(() => {
    if (probes.length >= PROBES_AT_MOST) return;
    const name = `p${probes.length}`;
    const namespace = namespaceOf(probes.length);
    probes.push(`${namespace}/${name}`);
    applyAt.set(`${namespace}/${name}`, performance.now());
    void applyAs(rest, { apiVersion: API, kind: 'Deployment', metadata: { name, namespace }, spec: deploymentSpec }).catch((err: unknown) => process.stderr.write(`probe ${name}: ${String(err)}\n`));
  }, probeEveryMs) : undefined;
  const isBench = (key: string) => key.split('/')[1]?.startsWith('b') ?? false;
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < count; i = next++) {
      const name = `b${i}`;
      const namespace = namespaceOf(i);
      applyAt.set(`${namespace}/${name}`, performance.now());
      await applyAs(rest, { apiVersion: API, kind: 'Deployment', metadata: { name, namespace }, spec: deploymentSpec });
    }
  }));
  const appliedMs = performance.now() - t0;
  // A run that makes no progress for a minute fails at once (and frees the shared cluster) instead of waiting 10 minutes.
  const progress = new Map<string, { value: number; at: number }>();
  let stall: Error | undefined;
  /** true (ending the wait) once `value` has not changed for 60 s; the error is thrown after the wait */
  const stalled = (what: string, value: number): boolean => {
    const p = progress.get(what);
    if (!p || p.value !== value) progress.set(what, { value, at: performance.now() });
    else if (performance.now() - p.at > 60_000) stall = new Error(`MR_ERR_BENCH_STALLED: no progress for 60 s in ${what} (${value} of ${count}); see the operator's log above`);
    return stall !== undefined;
  };
  // The watches time completion; the API server confirms it (a watch can drop), cheaply and rarely.
  let lastCheck = 0;
  const confirmedEvery = async (ms: number, check: () => Promise<boolean>) => {
    if (performance.now() - lastCheck < ms) return false;
    lastCheck = performance.now();
    return check();
  };
  const benchWithPods = () => [...allPodsAt.keys()].filter(isBench).length;
  await waitFor('every deployment has its pods', async () => benchWithPods() === count
    || stalled('pods created', podsSeen.size)
    || confirmedEvery(5000, async () => (await podsInRun()) === (count + probes.length) * 2), WAVE_TIMEOUT_MS, 100);
  if (stall) throw stall;
  const podsMs = performance.now() - t0;
  lastCheck = 0;
  await waitFor('every deployment has its pods and its status written for them', async () => doneAt().filter(([d]) => isBench(d)).length === count
    || stalled('statuses written', statusAt.size)
    || confirmedEvery(5000, async () => {
      let written = 0;
      for (const namespace of namespaces) {
        const list = await rest.list<KubeObject & { status?: { phase?: string; observedGeneration?: number } }>({ apiVersion: API, kind: 'Deployment', namespace });
        written += list.items.filter((d) => d.metadata.name.startsWith('b') && isStatusWritten(d)).length;
      }
      return written === count && (await podsInRun()) === (count + probes.length) * 2;
    }), WAVE_TIMEOUT_MS, 100);
  if (stall) throw stall;
  const settledMs = performance.now() - t0;
  probesDuringCreation = probes.length;
  const cpuUsed = (await cpuSeconds(pid)) - cpuBefore;
  const after = await metrics();
  // The requeue wave: every Starting Deployment is looked at again within 60 s; RSS, CPU and
  // requests keep being counted until the observation ends.
  process.stderr.write(`all ${count} created and status-written after ${(settledMs / 1000).toFixed(1)} s; observing ${observeSeconds} s more (requeue wave)\n`);
  await new Promise((r) => setTimeout(r, observeSeconds * 1000));
  if (prober) clearInterval(prober);
  // The last probes get up to 20 s to have their pods (those that do not are reported as untimed).
  await waitFor('probes have their pods', async () => probes.every((p) => allPodsAt.has(p)), 20_000, 100).catch(() => undefined);
  const cpuWholeRun = (await cpuSeconds(pid)) - cpuBefore;
  const end = await metrics();
  const wholeRunSeconds = (performance.now() - runStart) / 1000;
  const reconciles = counterTotal(after, 'millrace_operator_reconciles_total') - reconcilesBefore;
  const requestsByKind = counterDelta(requestsBefore, counterBy(after, 'millrace_operator_api_requests_total', ['verb', 'resource']));
  const requests = Object.values(requestsByKind).reduce((a, b) => a + b, 0);
  clearInterval(sampler);
  clearInterval(heapSampler);
  stopWatches();

  const latencies = doneAt().filter(([d]) => isBench(d)).map(([d, at]) => at - (applyAt.get(d) ?? at));
  const probeTimes = (names: string[]) => names.flatMap((p) => { const at = allPodsAt.get(p); return at === undefined ? [] : [at - applyAt.get(p)!]; });
  const probeLatencies = probeTimes(probes.slice(0, probesDuringCreation));
  const probeAfterLatencies = probeTimes(probes.slice(probesDuringCreation));
  const podLatencies = [...allPodsAt].filter(([d]) => isBench(d)).map(([d, at]) => at - (applyAt.get(d) ?? at));
  // per Deployment created: the wave and the probes
  const createdCount = count + probesDuringCreation;
  process.stderr.write(`pods and status of ${latencies.length} of ${count} deployments timed by the watches\n`);
  const requestsWholeRun = Object.values(counterDelta(requestsBefore, counterBy(end, 'millrace_operator_api_requests_total', ['verb', 'resource']))).reduce((a, b) => a + b, 0);
  const reconcilesWholeRun = counterTotal(end, 'millrace_operator_reconciles_total') - reconcilesBefore;
  const result: OperatorBenchResult = {
    generatedAt: new Date().toISOString(),
    deployments: count,
    namespaces: namespaceCount,
    podsPerDeployment: 2,
    applyConcurrency: concurrency,
    appliedSeconds: +(appliedMs / 1000).toFixed(2),
    probes: { everyMs: probeEveryMs, applied: probesDuringCreation, timed: probeLatencies.length, applyToPodsMs: { p50: Math.round(percentile(probeLatencies, 50)), p99: Math.round(percentile(probeLatencies, 99)) } },
    probesAfterCreation: { everyMs: probeEveryMs, applied: probes.length - probesDuringCreation, timed: probeAfterLatencies.length, applyToPodsMs: { p50: Math.round(percentile(probeAfterLatencies, 50)), p99: Math.round(percentile(probeAfterLatencies, 99)) } },
    applyToCreatedAndStatusMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), deploymentsTimed: latencies.length },
    applyToAllPodsCreatedMs: { p50: Math.round(percentile(podLatencies, 50)), p99: Math.round(percentile(podLatencies, 99)), deploymentsTimed: podLatencies.length },
    allPodsCreatedSeconds: +(podsMs / 1000).toFixed(2),
    settledSeconds: +(settledMs / 1000).toFixed(2),
    reconcilesPerSecond: +(reconciles / (settledMs / 1000)).toFixed(1),
    reconciles,
    reconcilesByController: counterDelta(reconcilesByControllerBefore, counterBy(after, 'millrace_operator_reconciles_total', ['controller'])),
    operatorRssMiB: { idle: +rssIdle.toFixed(1), peakUnderLoad: +rssPeak.toFixed(1) },
    wholeRun: {
      seconds: +wholeRunSeconds.toFixed(1), observedAfterCreationSeconds: observeSeconds,
      operatorCpuSeconds: +cpuWholeRun.toFixed(2), apiRequests: requestsWholeRun, reconciles: reconcilesWholeRun,
      reconcilesAfterCreation: reconcilesWholeRun - reconciles,
    },
    apiRequestsPerDeploymentByKind: Object.fromEntries(Object.entries(requestsByKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, +(n / createdCount).toFixed(2)])),
    operatorHeapUsedMiB: { idle: +heapIdle.toFixed(1), peakUnderLoad: +heapPeak.toFixed(1) },
    operatorCpuSeconds: +cpuUsed.toFixed(2),
    operatorCpuMsPerDeployment: +((cpuUsed * 1000) / createdCount).toFixed(1),
    operatorNodeFlags: [...Object.entries(OPERATOR_PROCESS_ENV).map(([k, v]) => `${k}=${v}`), ...nodeFlags],
    apiRequests: requests,
    apiRequestsPerReconcile: +(requests / Math.max(1, reconciles)).toFixed(2),
    apiRequestsPerDeployment: +(requests / createdCount).toFixed(2),
    apiRequestsByKind: Object.fromEntries(Object.entries(requestsByKind).sort((a, b) => b[1] - a[1])),
    writesSkipped: counterTotal(after, 'millrace_operator_writes_skipped_total') - skippedBefore,
    loadAverageAtStart: loadAtStart,
    targets: { settledUnder60s: settledMs < 60_000, rssUnder300MB: rssPeak * 1.048576 < 300, requestsPerCreationAtMost3: requests / createdCount <= 3, probeP99Under5s: probeLatencies.length > 0 && percentile(probeLatencies, 99) < 5000,
      probeAfterCreationP99Under5s: probeAfterLatencies.length > 0 && probeAfterLatencies.length === probes.length - probesDuringCreation && percentile(probeAfterLatencies, 99) < 5000 },
    notes: 'pods are created with a nodeSelector no node matches (millrace.dev/bench=unschedulable), so they stay Pending even where a node runs; the JobManager is unreachable, so every deployment settles in phase Starting. Done per deployment = both pods created and its status written at the applied generation (phase Starting). RSS peak over the whole run (idle to the end of the observation, requeue wave included). API requests exclude watches; per-Deployment figures of the creation phase divide by the Deployments created in it (the wave and the probes applied during it). Probes applied after creation (during the observation and its requeue wave) are reported apart.',
  };
  console.log(JSON.stringify(result, null, 2));
  if (!values['no-write']) {
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/operator.json', `${JSON.stringify(result, null, 2)}\n`);
    const markdown = await readFile('bench/RESULTS.md', 'utf8').catch(() => '');
    await writeFile('bench/RESULTS.md', replaceOperatorSection(markdown, renderOperatorSection(result)));
    process.stderr.write('wrote bench/results/operator.json and the Operator section of bench/RESULTS.md\n');
  }
} finally {
  stopWatches();
  // The operator stops first (gracefully, so a CPU profile covers the run and is written), then
  // the run's objects go without it: finalizers are removed by hand.
  await stopOperator();
  if (created) await cleanUp(created);
}

async function stopOperator(): Promise<void> {
  if (operator.exitCode === null && operator.signalCode === null) {
    const exited = new Promise((r) => operator.once('exit', r));
    operator.kill('SIGTERM');
    const timer = setTimeout(() => operator.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  await rest.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: OPERATOR_NAMESPACE, name: leaseName }).catch(() => undefined);
}

/**
 * Removes what the run created, also after a failure, with the operator stopped: deployments in
 * one request (their pods go with them), the Kubernetes namespace in bulk, and the Millrace
 * Namespace, its queues and the Workspace with their finalizers taken off.
 */
async function cleanUp({ workspace, namespaces }: { workspace: string; namespaces: string[] }): Promise<void> {
  const { rest } = await useOperatorCluster();
  const dropFinalizers = (ref: { kind: string; name: string; namespace?: string }) =>
    rest.mergePatch({ apiVersion: API, ...ref }, { metadata: { finalizers: null } }).catch(() => undefined);
  // In parallel: each waits for its Kubernetes namespace to go (the garbage collector's pace).
  await Promise.all(namespaces.map((namespace) => cleanUpNamespace(namespace)));
  await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace }).catch(() => undefined);
  await dropFinalizers({ kind: 'Workspace', name: workspace });
}

async function cleanUpNamespace(namespace: string): Promise<void> {
  const { rest } = await useOperatorCluster();
  const dropFinalizers = (ref: { kind: string; name: string; namespace?: string }) =>
    rest.mergePatch({ apiVersion: API, ...ref }, { metadata: { finalizers: null } }).catch(() => undefined);
  try {
    // A client timeout here is fine: the server carries on.
    await rest.request('DELETE', `/apis/${API}/namespaces/${namespace}/deployments`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } }).catch(() => undefined);
    await rest.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    const queues = await rest.list<KubeObject>({ apiVersion: API, kind: 'Queue', namespace }).catch(() => ({ items: [] as KubeObject[] }));
    for (const q of queues.items) await dropFinalizers({ kind: 'Queue', name: q.metadata.name, namespace });
    await rest.delete({ apiVersion: API, kind: 'Namespace', name: namespace });
    await dropFinalizers({ kind: 'Namespace', name: namespace });
    const classes = await rest.list<KubeObject>({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' }, { labelSelector: `millrace.dev/namespace=${namespace}` });
    for (const pc of classes.items) await rest.delete({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: pc.metadata.name });
    await waitFor('benchmark namespace removed', async () => !(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'Namespace', name: namespace })), 300_000, 2000);
  } catch (err) {
    process.stderr.write(`cleanup incomplete (namespace ${namespace}): ${String(err)}\n`);
  }
}

function isStatusWritten(d: KubeObject & { status?: { phase?: string; observedGeneration?: number } }): boolean {
  return d.status?.phase === 'Starting' && d.status.observedGeneration === d.metadata.generation;
}
