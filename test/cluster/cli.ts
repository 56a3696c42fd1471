// Entry point of `npm run cluster:build|up|down|status`. Progress goes to stderr; `up`
// prints exactly one line to stdout, `export KUBECONFIG=<path>`, for `eval`.
import { parseArgs } from 'node:util';
import { build, down, status, tiers, up } from './kube/cluster.ts';
import type { Tier } from './kube/cluster.ts';
import { ClusterError } from './kube/errors.ts';

const usage = `usage: node test/cluster/cli.ts <build | up [--tier control-plane|node] | down | status>`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { tier: { type: 'string', default: 'node' } } });
  const [command] = positionals;
  switch (command) {
    case 'build':
      await build();
      return;
    case 'up': {
      const tier = values.tier as Tier;
      if (!tiers.includes(tier)) throw new ClusterError('MR_ERR_CLUSTER_TIER', `--tier must be one of ${tiers.join(', ')}, not "${values.tier}"`);
      const { kubeconfigPath } = await up(tier);
      process.stdout.write(`export KUBECONFIG=${kubeconfigPath}\n`);
      return;
    }
    case 'down':
      await down();
      return;
    case 'status': {
      const report = await status();
      for (const daemon of report.daemons) process.stdout.write(`${daemon.name.padEnd(24)} ${daemon.pid === undefined ? 'stopped' : `running (pid ${daemon.pid})`}\n`);
      process.stdout.write(`mounts left by the node: ${report.mounts.length}\n`);
      process.stdout.write(`iptables chains of the cluster: ${report.iptablesChains.length === 0 ? 'none' : report.iptablesChains.join(' ')}\n`);
      return;
    }
    default:
      throw new ClusterError('MR_ERR_CLUSTER_USAGE', usage);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
