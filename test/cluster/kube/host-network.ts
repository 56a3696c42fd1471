import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { run, tryRun } from './commands.ts';
import { runPath } from './layout.ts';
import { networkPlan } from './network-plan.ts';

// Host networking of the local cluster: the host address pods reach, the guard that keeps
// pod traffic on this machine, kernel switches the node needs (restored on `down`), and the
// removal of every device, chain and rule that we, kube-proxy, the kubelet or CNI added.

/** Chains created by us (MILLRACE-), kube-proxy and the kubelet (KUBE-), CNI plugins (CNI-). */
const ownedChain = /^(MILLRACE-|KUBE-|CNI-)/;
const guardChain = 'MILLRACE-FORWARD';

export async function ensureHostAddress(): Promise<void> {
  const { hostDevice, hostAddress } = networkPlan;
  if ((await tryRun('ip', ['link', 'show', hostDevice])).code !== 0) {
    // A bridge without ports serves as a dummy device: the kernel here lacks the dummy module.
    await run('ip', ['link', 'add', hostDevice, 'type', 'bridge']);
  }
  const addresses = await run('ip', ['-o', 'addr', 'show', 'dev', hostDevice]);
  if (!addresses.includes(`${hostAddress}/32`)) await run('ip', ['addr', 'add', `${hostAddress}/32`, 'dev', hostDevice]);
  await run('ip', ['link', 'set', hostDevice, 'up']);
}

const sysctls = { 'net.ipv4.ip_forward': '1', 'net.bridge.bridge-nf-call-iptables': '1' } as const;
const sysctlPath = (key: string) => `/proc/sys/${key.replaceAll('.', '/')}`;

export async function enableNodeSysctls(): Promise<void> {
  const saved = runPath('sysctl-saved.json');
  if (!existsSync(sysctlPath('net.bridge.bridge-nf-call-iptables'))) await tryRun('modprobe', ['br_netfilter']);
  if (!existsSync(saved)) {
    const original: Record<string, string> = {};
    for (const key of Object.keys(sysctls)) original[key] = (await readFile(sysctlPath(key), 'utf8')).trim();
    await writeFile(saved, JSON.stringify(original));
  }
  for (const [key, value] of Object.entries(sysctls)) await writeFile(sysctlPath(key), value);
}

export async function restoreSysctls(): Promise<void> {
  const saved = runPath('sysctl-saved.json');
  if (!existsSync(saved)) return;
  const original = JSON.parse(await readFile(saved, 'utf8')) as Record<string, string>;
  for (const [key, value] of Object.entries(original)) await writeFile(sysctlPath(key), value).catch(() => undefined);
}

/**
 * Pod traffic may reach only the pod bridge (other pods, Services after DNAT) and this
 * machine's own addresses (INPUT, not FORWARD). Anything else from the pod range is dropped
 * before kube-proxy's or anyone's ACCEPT rules are consulted.
 */
export async function ensureForwardGuard(): Promise<void> {
  const { podCidr, podBridge } = networkPlan;
  if ((await tryRun('iptables', ['-w', '-n', '-L', guardChain])).code !== 0) await run('iptables', ['-w', '-N', guardChain]);
  await run('iptables', ['-w', '-F', guardChain]);
  await run('iptables', ['-w', '-A', guardChain, '-s', podCidr, '!', '-o', podBridge, '-j', 'DROP', '-m', 'comment', '--comment', 'millrace: pod traffic stays on this machine']);
  if ((await tryRun('iptables', ['-w', '-C', 'FORWARD', '-j', guardChain])).code !== 0) await run('iptables', ['-w', '-I', 'FORWARD', '1', '-j', guardChain]);
}

export interface RuleRemoval {
  table: string;
  rule: string[];
}

/** Splits an iptables-save rule line into arguments, keeping quoted comments whole. */
function splitRule(line: string): string[] {
  return (line.match(/"[^"]*"|\S+/g) ?? []).map((part) => part.replace(/^"(.*)"$/, '$1'));
}

/** From `iptables-save` output: the rules to delete (jumps into owned chains) and the owned chains. */
export function planIptablesRemoval(save: string, owned: RegExp = ownedChain): { removals: RuleRemoval[]; chains: { table: string; chain: string }[] } {
  const removals: RuleRemoval[] = [];
  const chains: { table: string; chain: string }[] = [];
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0] ?? '';
      if (owned.test(chain)) chains.push({ table, chain });
    } else if (line.startsWith('-A ')) {
      const args = splitRule(line);
      const chain = args[1] ?? '';
      const jump = args.includes('-j') ? (args[args.indexOf('-j') + 1] ?? '') : '';
      if (!owned.test(chain) && owned.test(jump)) removals.push({ table, rule: ['-D', ...args.slice(1)] });
    }
  }
  return { removals, chains };
}

/** Removes every owned chain and every rule that jumps to one, in IPv4 and IPv6 tables. */
export async function removeOwnedIptables(): Promise<void> {
  for (const tool of ['iptables', 'ip6tables']) {
    const save = await tryRun(`${tool}-save`, []);
    if (save.code !== 0) continue;
    const { removals, chains } = planIptablesRemoval(save.stdout);
    for (const removal of removals) await tryRun(tool, ['-w', '-t', removal.table, ...removal.rule]);
    for (const { table, chain } of chains) await tryRun(tool, ['-w', '-t', table, '-F', chain]);
    for (const { table, chain } of chains) await tryRun(tool, ['-w', '-t', table, '-X', chain]);
  }
}

export async function ownedIptablesChains(): Promise<string[]> {
  const found: string[] = [];
  for (const tool of ['iptables', 'ip6tables']) {
    const save = await tryRun(`${tool}-save`, []);
    for (const line of save.stdout.split('\n')) {
      const chain = line.startsWith(':') ? (line.slice(1).split(' ')[0] ?? '') : '';
      if (ownedChain.test(chain)) found.push(`${tool}:${chain}`);
    }
  }
  return found;
}

/** Deletes the pod bridge, veths left on it, and the host address device. */
export async function removeDevices(): Promise<void> {
  const links = await tryRun('ip', ['-o', 'link', 'show']);
  for (const line of links.stdout.split('\n')) {
    const match = /^\d+: ([^:@]+)(@[^:]+)?: .* master (\S+)/.exec(line);
    if (match && match[3] === networkPlan.podBridge) await tryRun('ip', ['link', 'del', match[1] ?? '']);
  }
  for (const device of [networkPlan.podBridge, networkPlan.hostDevice]) {
    if ((await tryRun('ip', ['link', 'show', device])).code === 0) await run('ip', ['link', 'del', device]);
  }
}
