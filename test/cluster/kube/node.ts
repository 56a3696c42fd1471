import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { projectImage } from '../image/config.ts';
import { importProjectImageIfBuilt } from '../image/node-image.ts';
import { run, tryRun } from './commands.ts';
import { pkiDir, upControlPlane } from './control-plane.ts';
import { corednsManifests } from './coredns-manifests.ts';
import { runningPid, startDaemon, stopDaemon, waitFor } from './daemons.ts';
import { enableNodeSysctls, ensureForwardGuard, removeOwnedIptables, restoreSysctls } from './host-network.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { adminKubeconfigPath, imageArchive, kubeBinary, runPath } from './layout.ts';
import { apiServerUrl, networkPlan } from './network-plan.ts';
import { cniConfig, containerdConfig, containerdSocket, kubeProxyConfig, kubeletConfig } from './node-config.ts';
import { progress } from './progress.ts';
import { images } from './versions.ts';
import { stopKubeRouter } from './kube-router.ts';

// The node tier: containerd and runc and the CNI plugins from Debian, kubelet and kube-proxy
// from our build, cluster DNS from CoreDNS, and the locally built images imported into
// containerd's k8s.io namespace.

export const nodeDaemons = ['containerd', 'kubelet', 'kube-proxy'] as const;

const kubeletRoot = () => runPath('kubelet');
const legacyKubeletDir = '/var/lib/kubelet';

export async function kubectl(args: readonly string[], input?: string): Promise<string> {
  return run(kubeBinary('kubectl'), ['--kubeconfig', adminKubeconfigPath(), ...args], { input });
}

function ctr(args: readonly string[]): Promise<string> {
  return run('ctr', ['--address', containerdSocket, '--namespace', 'k8s.io', ...args]);
}

/**
 * Writes a file only when its content changes: kube-proxy exits when its configuration file is
 * written ("content of the proxy server's configuration file was updated"), so rewriting it on
 * every `up` killed kube-proxy for the rest of the test that called it.
 */
async function writeIfChanged(path: string, content: string): Promise<void> {
  if ((await readFile(path, 'utf8').catch(() => undefined)) !== content) await writeFile(path, content);
}

async function writeConfigs(): Promise<void> {
  for (const dir of ['cni/net.d', 'cni/ipam', 'node-config']) await mkdir(runPath(dir), { recursive: true });
  await mkdir(kubeletRoot(), { recursive: true });
  await writeIfChanged(runPath('node-config', 'containerd.toml'), containerdConfig({ cniConfDir: runPath('cni/net.d') }));
  await writeIfChanged(runPath('cni/net.d', '10-millrace.conflist'), cniConfig({ ipamDataDir: runPath('cni/ipam') }));
  await writeIfChanged(runPath('node-config', 'resolv.conf'), '');
  await writeIfChanged(runPath('node-config', 'kubelet.yaml'), kubeletConfig({ pkiDir: pkiDir(), resolvConf: runPath('node-config', 'resolv.conf') }));
  await writeIfChanged(runPath('node-config', 'kube-proxy.yaml'), kubeProxyConfig({ kubeconfig: runPath('kube-proxy.kubeconfig') }));
  const server = apiServerUrl();
  await writeKubeconfig(runPath('kubelet.kubeconfig'), { server, pkiDir: pkiDir(), stem: 'kubelet-client', user: `system:node:${networkPlan.nodeName}` });
  await writeKubeconfig(runPath('kube-proxy.kubeconfig'), { server, pkiDir: pkiDir(), stem: 'kube-proxy', user: 'system:kube-proxy' });
}

/** Starts containerd unless it runs; returns whether it started it. */
async function startContainerd(): Promise<boolean> {
  const starts = (await runningPid('containerd')) === undefined;
  if (starts) {
    progress('starting containerd');
    await startDaemon({ name: 'containerd', command: '/usr/bin/containerd', args: ['--config', runPath('node-config', 'containerd.toml')] });
  }
  await waitFor('containerd', async () => (await tryRun('ctr', ['--address', containerdSocket, 'version'])).code === 0, { timeoutMs: 30_000, daemons: ['containerd'] });
  return starts;
}

/**
 * Imports the local images when containerd starts, the project image too when `npm run
 * image:build` made its archive before the node started (a build while the node runs imports it
 * itself). On a running node only an image containerd does not list is imported: importing the
 * project image again costs seconds on every test file that uses the node.
 */
async function importImages(containerdStarted: boolean): Promise<void> {
  const present = containerdStarted ? new Set<string>() : new Set((await ctr(['images', 'ls', '--quiet'])).split('\n'));
  for (const name of ['pause', 'coredns', 'busybox'] as const) {
    if (!present.has(images[name])) await ctr(['images', 'import', imageArchive(name)]);
  }
  if (!present.has(projectImage.ref) && (await importProjectImageIfBuilt())) progress(`imported ${projectImage.ref}`);
}

async function startKubernetesNode(): Promise<void> {
  if ((await runningPid('kubelet')) === undefined) {
    progress('starting kubelet');
    await startDaemon({
      name: 'kubelet',
      command: kubeBinary('kubelet'),
      args: [
        `--config=${runPath('node-config', 'kubelet.yaml')}`, `--kubeconfig=${runPath('kubelet.kubeconfig')}`,
        `--root-dir=${kubeletRoot()}`, `--hostname-override=${networkPlan.nodeName}`, `--node-ip=${networkPlan.hostAddress}`, '--v=1',
      ],
    });
  }
  if ((await runningPid('kube-proxy')) === undefined) {
    progress('starting kube-proxy');
    await startDaemon({ name: 'kube-proxy', command: kubeBinary('kube-proxy'), args: [`--config=${runPath('node-config', 'kube-proxy.yaml')}`, '--v=1'] });
  }
}

async function nodeReady(): Promise<boolean> {
  const status = await kubectl(['get', 'node', networkPlan.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
  return status.trim() === 'True';
}

export async function nodeRunning(): Promise<boolean> {
  for (const name of nodeDaemons) if ((await runningPid(name)) === undefined) return false;
  return true;
}

export async function upNode(): Promise<string> {
  const kubeconfig = await upControlPlane();
  const started = Date.now();
  await enableNodeSysctls();
  await ensureForwardGuard();
  // The kubelet always makes /var/lib/kubelet/device-plugins, whatever its root directory:
  // note whether we are the ones creating it, so `down` removes it only then.
  if (!existsSync(legacyKubeletDir) && !existsSync(runPath('created-var-lib-kubelet'))) await writeFile(runPath('created-var-lib-kubelet'), '');
  await writeConfigs();
  await importImages(await startContainerd());
  await startKubernetesNode();
  await waitFor(`node ${networkPlan.nodeName} Ready`, nodeReady, { timeoutMs: 120_000, daemons: [...nodeDaemons] });
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], corednsManifests());
  await waitFor('cluster DNS (deployment kube-system/coredns)', async () => {
    const ready = await kubectl(['-n', 'kube-system', 'get', 'deployment', 'coredns', '-o', 'jsonpath={.status.readyReplicas}']);
    return ready.trim() === '1';
  }, { timeoutMs: 120_000, daemons: [...nodeDaemons] });
  progress(`node ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return kubeconfig;
}

/** Mount points at or below any of `prefixes`, deepest first. */
async function mountsUnder(prefixes: readonly string[]): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const points = mountinfo
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((point) => prefixes.some((prefix) => point === prefix || point.startsWith(prefix.endsWith('-') ? prefix : `${prefix}/`)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

// Only the CRI's own network namespaces (cni-…): other namespaces under /run/netns are not ours.
const nodeMountPrefixes = () => [kubeletRoot(), '/run/containerd', '/var/lib/containerd', '/run/netns/cni-'];

/** Kills and deletes every container of the k8s.io namespace (the kubelet is already stopped). */
async function removeContainers(): Promise<void> {
  if ((await runningPid('containerd')) === undefined) return;
  const ctrArgs = ['--address', containerdSocket, '-n', 'k8s.io'];
  const tasks = (await tryRun('ctr', [...ctrArgs, 'tasks', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
  // One call each: `delete --force` kills a task that still runs, then deletes it.
  if (tasks.length > 0) await tryRun('ctr', [...ctrArgs, 'tasks', 'delete', '--force', ...tasks]);
  const containers = (await tryRun('ctr', [...ctrArgs, 'containers', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
  if (containers.length > 0) await tryRun('ctr', [...ctrArgs, 'containers', 'delete', ...containers]);
}

/** Shim processes of our containerd that outlived it (they are its children by design). */
async function leftoverShims(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if ((cmdline[0] ?? '').endsWith('containerd-shim-runc-v2') && cmdline.includes(containerdSocket)) pids.push(Number(entry));
  }
  return pids;
}

export async function downNode(): Promise<void> {
  for (const name of ['kubelet', 'kube-proxy']) if (await stopDaemon(name)) progress(`stopped ${name}`);
  // kube-router runs only while a NetworkPolicy test needs it; this removes what a crashed one left.
  await stopKubeRouter();
  let step = Date.now();
  if (existsSync(kubeBinary('kube-proxy'))) await tryRun(kubeBinary('kube-proxy'), ['--cleanup']);
  progress(`kube-proxy --cleanup: ${Date.now() - step} ms`);
  step = Date.now();
  await removeContainers();
  progress(`containers removed: ${Date.now() - step} ms`);
  if (await stopDaemon('containerd')) progress('stopped containerd');
  for (const pid of await leftoverShims()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const point of await mountsUnder(nodeMountPrefixes())) await tryRun('umount', ['-l', point]);
  for (const entry of await readdir('/run/netns').catch(() => [] as string[])) {
    if (entry.startsWith('cni-')) await rm(`/run/netns/${entry}`, { force: true });
  }
  await removeDevicesOfNode();
  await removeOwnedIptables();
  await restoreSysctls();
  if (existsSync(runPath('created-var-lib-kubelet'))) await rm(legacyKubeletDir, { recursive: true, force: true });
  for (const path of ['created-var-lib-kubelet', 'kubelet', 'cni', 'node-config', 'sysctl-saved.json', 'kubelet.kubeconfig', 'kube-proxy.kubeconfig']) {
    if (existsSync(runPath(path))) await rm(runPath(path), { recursive: true, force: true });
  }
}

async function removeDevicesOfNode(): Promise<void> {
  // The host device belongs to the control plane; removeDevices handles both, so the node
  // removes only the pod bridge and its veths here.
  const links = await tryRun('ip', ['-o', 'link', 'show', 'master', networkPlan.podBridge]);
  for (const line of links.stdout.split('\n')) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (name) await tryRun('ip', ['link', 'del', name]);
  }
  if ((await tryRun('ip', ['link', 'show', networkPlan.podBridge])).code === 0) await run('ip', ['link', 'del', networkPlan.podBridge]);
}

export async function nodeMounts(): Promise<string[]> {
  return mountsUnder(nodeMountPrefixes());
}
