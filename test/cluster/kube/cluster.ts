import { buildAll, isBuilt } from './build.ts';
import { controlPlaneDaemons, controlPlaneRunning, downControlPlane, upControlPlane } from './control-plane.ts';
import { runningPid } from './daemons.ts';
import { ownedIptablesChains, removeDevices, removeOwnedIptables } from './host-network.ts';
import { withClusterLock } from './lock.ts';
import { downNode, nodeDaemons, nodeMounts, nodeRunning, upNode } from './node.ts';
import { progress } from './progress.ts';

// The operations behind `npm run cluster:*` and test/cluster/environment.ts.

export type Tier = 'control-plane' | 'node';

export const tiers: readonly Tier[] = ['control-plane', 'node'];

export async function tierRunning(tier: Tier): Promise<boolean> {
  return tier === 'control-plane' ? controlPlaneRunning() : (await controlPlaneRunning()) && (await nodeRunning());
}

/** Starts `tier` (and what it needs); builds first if the cache lacks something. Idempotent. */
export async function up(tier: Tier): Promise<{ kubeconfigPath: string; started: Tier[] }> {
  return withClusterLock(async () => {
    const started: Tier[] = [];
    if (!(await controlPlaneRunning())) started.push('control-plane');
    if (tier === 'node' && !(await tierRunning('node'))) started.push('node');
    if (!isBuilt(tier)) {
      progress(`the ${tier} tier is not built yet: building now (npm run cluster:build does this ahead of time)`);
      await buildAll();
    }
    const kubeconfigPath = tier === 'node' ? await upNode() : await upControlPlane();
    return { kubeconfigPath, started };
  });
}

/** Stops the node tier only, leaving the control plane running. */
export async function downNodeTier(): Promise<void> {
  await withClusterLock(downNode);
}

/** Stops everything and removes every trace: processes, mounts, devices, iptables rules. */
export async function down(): Promise<void> {
  await withClusterLock(async () => {
    await downNode();
    await downControlPlane();
    await removeDevices();
    await removeOwnedIptables();
  });
}

export async function build(): Promise<void> {
  await withClusterLock(buildAll);
}

export interface Status {
  daemons: { name: string; pid: number | undefined }[];
  mounts: string[];
  iptablesChains: string[];
}

export async function status(): Promise<Status> {
  const daemons = [];
  for (const name of [...controlPlaneDaemons, ...nodeDaemons]) daemons.push({ name, pid: await runningPid(name) });
  return { daemons, mounts: await nodeMounts(), iptablesChains: await ownedIptablesChains() };
}
