// `npm run bench:operator`: the operator under load on the real control plane (test/cluster).
// Runs the operator as its own process, applies N Deployments (default 1,000), and writes
// bench/results/operator.json: time from apply to all pods created (p50/p99), time until all
// settled, reconciles per second, and operator RSS idle and under load.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Watch } from '@kubernetes/client-node';
import type { KubeObject } from '../operator/kube/rest-client.ts';
import { API, applyAs, createWorkspaceAndNamespace, OPERATOR_NAMESPACE, TEST_WATCH_SELECTOR, unique, useOperatorCluster, waitFor } from '../test/operator/support/harness.ts';
import { counterTotal, percentile, rssMiB } from './operator-stats.ts';

const { values } = parseArgs({ options: { deployments: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '16' } } });
const count = Number(values.deployments);
const concurrency = Number(values.concurrency);

const freePort = () => new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => resolve(typeof a === 'object' && a ? a.port : 0)); }); });

const cluster = await useOperatorCluster();
const { rest, kc } = cluster;
const port = await freePort();
const operator = spawn(process.execPath, ['operator/main.ts'], {
  env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, MILLRACE_OPERATOR_PORT: String(port), MILLRACE_OPERATOR_HOST: '127.0.0.1', MILLRACE_OPERATOR_NAMESPACE: OPERATOR_NAMESPACE, MILLRACE_LEASE_NAME: unique('bench'), MILLRACE_JOBMANAGER_URL_TEMPLATE: 'http://127.0.0.1:9', MILLRACE_WATCH_SELECTOR: TEST_WATCH_SELECTOR, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const pid = operator.pid ?? 0;
// Never leave the operator process behind, even when the benchmark is interrupted.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { operator.kill('SIGKILL'); process.exit(130); });
const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
try {
  await waitFor('operator ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, 60_000);
  // Room for every deployment (0.5 CU each) with a margin.
  const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: count, quotaCU: Math.ceil(count * 0.55) });
  await waitFor('default-queue active', async () => ((await rest.get<KubeObject & { status?: { phase?: string } }>({ apiVersion: API, kind: 'Queue', namespace, name: 'default-queue' })).status?.phase === 'Active'), 60_000);
  await new Promise((r) => setTimeout(r, 3000));
  const rssIdle = await rssMiB(pid);

  // Watch pods of the namespace to time when each deployment has both of its pods.
  const applyAt = new Map<string, number>();
  const podsSeen = new Map<string, number>();
  const allPodsAt = new Map<string, number>();
  const watch = await new Watch(kc).watch(`/api/v1/namespaces/${namespace}/pods`, {}, (type, pod: KubeObject) => {
    if (type !== 'ADDED') return;
    const d = pod.metadata.labels?.['millrace.dev/deployment'];
    if (!d) return;
    const n = (podsSeen.get(d) ?? 0) + 1;
    podsSeen.set(d, n);
    if (n === 2) allPodsAt.set(d, performance.now());
  }, () => undefined);

  let rssPeak = rssIdle;
  const sampler = setInterval(() => { void rssMiB(pid).then((r) => { rssPeak = Math.max(rssPeak, r); }).catch(() => undefined); }, 250);
  const reconcilesBefore = counterTotal(await metrics(), 'millrace_operator_reconciles_total');
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < count; i = next++) {
      const name = `b${i}`;
      applyAt.set(name, performance.now());
      await applyAs(rest, { apiVersion: API, kind: 'Deployment', metadata: { name, namespace }, spec: { source: { sql: 'SELECT 1' }, jobManager: { cu: 0.25 }, taskManager: { cu: 0.25, slots: 1 } } });
    }
  }));
  const appliedMs = performance.now() - t0;
  // Completion is read from the API server; the watch only times each deployment's pods.
  await waitFor('every deployment has its pods', async () => allPodsAt.size === count
    || (await rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace })).items.length === count * 2, 600_000, 250);
  const podsMs = performance.now() - t0;
  await waitFor('every deployment settled in phase Starting', async () => {
    const list = await rest.list<KubeObject & { status?: { phase?: string } }>({ apiVersion: API, kind: 'Deployment', namespace });
    return list.items.filter((d) => d.status?.phase === 'Starting').length === count;
  }, 600_000, 500);
  const settledMs = performance.now() - t0;
  const reconciles = counterTotal(await metrics(), 'millrace_operator_reconciles_total') - reconcilesBefore;
  clearInterval(sampler);
  watch.abort();

  const latencies = [...allPodsAt].map(([d, at]) => at - (applyAt.get(d) ?? at));
  process.stderr.write(`pods of ${allPodsAt.size} of ${count} deployments timed by the watch\n`);
  const result = {
    generatedAt: new Date().toISOString(),
    deployments: count,
    podsPerDeployment: 2,
    applyConcurrency: concurrency,
    appliedSeconds: +(appliedMs / 1000).toFixed(2),
    applyToAllPodsCreatedMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), deploymentsTimed: latencies.length },
    allPodsCreatedSeconds: +(podsMs / 1000).toFixed(2),
    settledSeconds: +(settledMs / 1000).toFixed(2),
    reconcilesPerSecond: +(reconciles / (settledMs / 1000)).toFixed(1),
    operatorRssMiB: { idle: +rssIdle.toFixed(1), peakUnderLoad: +rssPeak.toFixed(1) },
    targets: { settledUnder60s: settledMs < 60_000, rssUnder150MB: rssPeak * 1.048576 < 150 },
    notes: 'control-plane tier (no node): pods are created, not run; the JobManager is unreachable so every deployment settles in phase Starting.',
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/operator.json', `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  // Clean up while the operator still runs: the Kubernetes namespace goes in bulk (namespace
  // controller), then the Namespace finalizer finds nothing left and lets go.
  await rest.delete({ apiVersion: API, kind: 'Namespace', name: namespace });
  await rest.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  await waitFor('benchmark namespace removed', async () => !(await rest.getOrUndefined({ apiVersion: API, kind: 'Namespace', name: namespace })), 300_000, 1000)
    .catch((err: unknown) => process.stderr.write(`cleanup incomplete: ${String(err)}\n`));
} finally {
  operator.kill('SIGTERM');
}
