// NetworkPolicy enforcement on the node tier: kube-router with only its firewall controller
// (iptables and ipset; routing and the service proxy stay with the CNI bridge and kube-proxy).
// kind's kube-network-policies needs the nftables queue statement, which these kernels lack.
// Built from the Go module proxy and cached like the other parts. v2.1.0 is what the proxy
// serves; flaws reported against it are acceptable in a test harness, never in anything shipped.
// kube-router leaves its chains and ipsets behind when it stops: stopKubeRouter removes them.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runVisible, tryRun } from './commands.ts';
import { runningPid, startDaemon, stopDaemon } from './daemons.ts';
import { ClusterError } from './errors.ts';
import { planIptablesRemoval } from './host-network.ts';
import { adminKubeconfigPath, cacheRoot, runPath } from './layout.ts';
import { networkPlan } from './network-plan.ts';
import { progress } from './progress.ts';

export const KUBE_ROUTER_VERSION = 'v2.1.0';
const MODULE = 'github.com/cloudnativelabs/kube-router/v2/cmd/kube-router';

export function kubeRouterBinary(): string {
  return join(cacheRoot(), 'kube-router', KUBE_ROUTER_VERSION, 'kube-router');
}

export async function buildKubeRouter(): Promise<void> {
  const output = kubeRouterBinary();
  if (existsSync(output) && (await readFile(`${output}.stamp`, 'utf8').catch(() => '')) === KUBE_ROUTER_VERSION) {
    progress(`kube-router: cached at ${output}`);
    return;
  }
  progress(`kube-router ${KUBE_ROUTER_VERSION}: building with Go from the module proxy (cold, on 2 cores: about 2 minutes)`);
  const started = Date.now();
  const gobin = `${output}.gobin`;
  await mkdir(gobin, { recursive: true });
  await runVisible('go', ['install', '-trimpath', '-ldflags', '-s -w', `${MODULE}@${KUBE_ROUTER_VERSION}`], {
    env: { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH ?? ''}`, GOBIN: gobin, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
  });
  await rename(join(gobin, 'kube-router'), output);
  await rm(gobin, { recursive: true, force: true });
  await writeFile(`${output}.stamp`, KUBE_ROUTER_VERSION);
  progress(`kube-router: built in ${Math.round((Date.now() - started) / 1000)} s`);
}

export async function startKubeRouter(): Promise<void> {
  if ((await runningPid('kube-router')) !== undefined) return;
  if ((await tryRun('ipset', ['version'])).code !== 0) {
    throw new ClusterError('MR_ERR_CLUSTER_PREREQUISITE', "ipset is missing; install Debian's ipset (bash .ci/prepare-cluster.sh)");
  }
  progress('starting kube-router (NetworkPolicy firewall only)');
  // Marks that this cluster run has kube-router state to clean up (stopKubeRouter, cluster:down).
  await writeFile(startedMarker(), '');
  await startDaemon({
    name: 'kube-router',
    command: kubeRouterBinary(),
    args: [
      `--kubeconfig=${adminKubeconfigPath()}`, `--hostname-override=${networkPlan.nodeName}`,
      '--run-firewall=true', '--run-router=false', '--run-service-proxy=false',
      '--health-port=0', '--metrics-port=0', '--v=1',
    ],
  });
}

/** kube-router's own ipsets (its controller names them KUBE-SRC-*, KUBE-DST-* and kube-router-*). */
const ownIpset = (name: string) => /^(KUBE-(SRC|DST)-|kube-router-|inet6:KUBE-(SRC|DST)-|inet6:kube-router-)/.test(name);

const startedMarker = () => runPath('kube-router-started');

/** kube-router's firewall chains (KUBE-ROUTER-INPUT/FORWARD/OUTPUT, per-pod and per-policy chains). */
const kubeRouterChain = /^KUBE-(ROUTER-|POD-FW-|NWPLCY-)/;

/**
 * Removes kube-router's iptables chains (and the rules jumping to them), then its ipsets, which
 * can go only once no rule uses them. By hand: `kube-router --cleanup-config` of v2.1.0 panics
 * in its service-proxy cleanup before it reaches the firewall.
 */
export async function removeKubeRouterState(): Promise<void> {
  for (const tool of ['iptables', 'ip6tables']) {
    const save = await tryRun(`${tool}-save`, []);
    if (save.code !== 0) continue;
    const { removals, chains } = planIptablesRemoval(save.stdout, kubeRouterChain);
    for (const removal of removals) await tryRun(tool, ['-w', '-t', removal.table, ...removal.rule]);
    for (const { table, chain } of chains) await tryRun(tool, ['-w', '-t', table, '-F', chain]);
    for (const { table, chain } of chains) await tryRun(tool, ['-w', '-t', table, '-X', chain]);
  }
  const sets = (await tryRun('ipset', ['list', '-n'])).stdout.split('\n').filter(ownIpset);
  for (const set of sets) await tryRun('ipset', ['destroy', set]);
}

/** Stops kube-router and removes its chains and ipsets; nothing when it never ran. */
export async function stopKubeRouter(): Promise<void> {
  if (await stopDaemon('kube-router')) progress('stopped kube-router');
  if (!existsSync(startedMarker())) return;
  await removeKubeRouterState();
  await rm(startedMarker(), { force: true });
}
