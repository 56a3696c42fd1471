// What tests use to get a real cluster. Each function reuses a running tier or starts it
// (building first only if the cache lacks something; `npm run cluster:build` does that
// ahead of time, outside any test timeout). Tiers a jest run starts are stopped by the
// run's globalTeardown (test/cluster/jest-global-teardown.ts); tiers already running are left running.
//
// With KUBECONFIG set, the tests use that cluster instead (for example kind) and start nothing.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tryRun } from './kube/commands.ts';
import { up } from './kube/cluster.ts';
import type { Tier } from './kube/cluster.ts';
import { ClusterError } from './kube/errors.ts';
import { cacheRoot } from './kube/layout.ts';
import { networkPlan } from './kube/network-plan.ts';

export interface ControlPlane {
  kubeconfigPath: string;
}

export interface Node extends ControlPlane {
  /** An address of this machine that pods reach: where test servers (S3, a JobManager) listen. */
  hostAddress: string;
}

/** File in which a jest run lists the tiers it started, for its globalTeardown. */
export function startedByRunFile(runId: string): string {
  return join(cacheRoot(), 'test-runs', `${runId}.list`);
}

/**
 * Whether this jest run started the control plane, so its globalTeardown stops it and forgets
 * etcd: objects a test leaves behind then vanish with it, and waiting for their deletion only
 * costs time. On a cluster that was already running (a developer's), tests clean up as before.
 */
export async function controlPlaneIsThrowaway(): Promise<boolean> {
  const runId = process.env.MILLRACE_TEST_RUN_ID;
  if (!runId || process.env.KUBECONFIG) return false;
  return (await readFile(startedByRunFile(runId), 'utf8').catch(() => '')).split('\n').includes('control-plane');
}

async function useTier(tier: Tier): Promise<string> {
  const { kubeconfigPath, started } = await up(tier);
  const runId = process.env.MILLRACE_TEST_RUN_ID;
  if (started.length > 0 && runId) {
    await mkdir(join(cacheRoot(), 'test-runs'), { recursive: true });
    await appendFile(startedByRunFile(runId), started.map((t) => `${t}\n`).join(''));
  }
  return kubeconfigPath;
}

export async function useControlPlane(): Promise<ControlPlane> {
  if (process.env.KUBECONFIG) return { kubeconfigPath: process.env.KUBECONFIG };
  return { kubeconfigPath: await useTier('control-plane') };
}

export async function useNode(): Promise<Node> {
  if (process.env.KUBECONFIG) return { kubeconfigPath: process.env.KUBECONFIG, hostAddress: await hostAddressForExistingCluster(process.env.KUBECONFIG) };
  return { kubeconfigPath: await useTier('node'), hostAddress: networkPlan.hostAddress };
}

/**
 * For an existing cluster (kind): MILLRACE_HOST_ADDRESS if given, else the address this
 * machine uses to reach the first node, which is the one that node's pods can reach back
 * (for kind, the docker bridge gateway).
 */
async function hostAddressForExistingCluster(kubeconfigPath: string): Promise<string> {
  if (process.env.MILLRACE_HOST_ADDRESS) return process.env.MILLRACE_HOST_ADDRESS;
  const nodeIp = await tryRun('kubectl', ['--kubeconfig', kubeconfigPath, 'get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}']);
  const route = nodeIp.code === 0 && nodeIp.stdout.trim() ? await tryRun('ip', ['-o', 'route', 'get', nodeIp.stdout.trim()]) : undefined;
  const source = route ? / src (\S+)/.exec(route.stdout)?.[1] : undefined;
  if (!source) {
    throw new ClusterError('MR_ERR_CLUSTER_HOST_ADDRESS', 'cannot tell which address of this machine the pods of the KUBECONFIG cluster reach; set MILLRACE_HOST_ADDRESS (for kind: the gateway of the "kind" docker network)');
  }
  return source;
}
