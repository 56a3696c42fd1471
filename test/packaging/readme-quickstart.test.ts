// README.md's Kubernetes quickstart, run exactly as written: the shell block between
// `<!-- quickstart:kubernetes:begin -->` and `<!-- quickstart:kubernetes:end -->` runs in bash
// from the repository root on the node tier, with the helm that npm installed, the examples of
// examples/kubernetes/ unchanged, and the MinIO of `npm run s3:up`. It ends with
// `kubectl wait ... Running`, so the deployment really runs; this test then checks what a
// newcomer would look at (`kubectl get millrace -A`, the pods, Argo CD health) and removes it all.
// The README's operator watches every Millrace object of the cluster and the install replaces the
// member ClusterRoles that other tests use, so no other cluster file runs beside this one:
// test-lane: alone (test/support/lane-runner.cjs)
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { memberClusterRoles } from '../../operator/rbac/member-roles.ts';
import { useNode } from '../cluster/environment.ts';
import { requireNodeImage } from '../cluster/image/node-image.ts';
import { run, tryRun } from '../cluster/kube/commands.ts';
import { kubeBinary } from '../cluster/kube/layout.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import { waitFor } from '../operator/support/wait.ts';
import { evaluateHealth } from './support/argocd-health.ts';
import { helm } from './support/helm.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const BEGIN = '<!-- quickstart:kubernetes:begin -->';
const END = '<!-- quickstart:kubernetes:end -->';

/** The commands of the README's quickstart block, as a person would paste them. */
function quickstartCommands(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no block between ${BEGIN} and ${END}`);
  const fenced = /```sh\n([\s\S]*?)```/.exec(readme.slice(start, end));
  if (!fenced?.[1]) throw new Error('the quickstart block of README.md holds no ```sh fence');
  return fenced[1];
}

let kubeconfig = '';
let started = false;
// kubectl of the same version as the local API server first on PATH, as the README allows.
const env = () => ({ ...process.env, PATH: `${dirname(kubeBinary('kubectl'))}:${process.env.PATH ?? ''}` });
const kubectl = (args: string[], input?: string) => tryRun('kubectl', ['--kubeconfig', kubeconfig, ...args], { env: env(), input });

beforeAll(async () => {
  let hostAddress: string;
  ({ kubeconfigPath: kubeconfig, hostAddress } = await useNode());
  // Started by this run, so the run's teardown stops them; the README's `up` commands reuse them.
  await useS3({ hostAddress });
  await requireNodeImage();
  // The quickstart uses fixed names: refuse to touch a cluster where someone already ran it.
  for (const probe of [['-n', 'millrace-system', 'get', 'secret', 'analytics-s3'], ['get', 'mns', 'team-a'], ['get', 'mws', 'analytics']]) {
    const found = await kubectl(probe);
    if (found.code === 0) throw new Error(`${probe.slice(-2).join(' ')} already exists on this cluster: the README quickstart was run here by hand; remove it as README.md says before running this test`);
  }
  if ((await helm(['status', 'millrace', '--namespace', 'millrace-system'], { kubeconfig }).then(() => true, () => false))) {
    throw new Error('the helm release millrace-system/millrace exists: the README quickstart was run here by hand; remove it as README.md says before running this test');
  }
  // Other tests of a shared cluster apply the member ClusterRoles outside any release; a first
  // install (what the README shows) makes them itself, so they go for the install and come back after.
  await kubectl(['delete', 'clusterrole', ...memberClusterRoles().map((r) => r.metadata.name), '--ignore-not-found']);
}, 15 * 60_000);

afterAll(async () => {
  if (!started) return;
  // As README.md says: the namespace first (the operator stops its deployments), then the rest.
  await kubectl(['delete', '-f', `${REPO}examples/kubernetes/02-namespace.yaml`, '--ignore-not-found', '--wait=true', '--timeout=180s']);
  await waitFor('the Kubernetes namespace team-a to be gone', async () => (await kubectl(['get', 'namespace', 'team-a'])).code !== 0, 180_000, 1000)
    .catch((err: unknown) => process.stderr.write(`[readme-quickstart] cleanup: ${String(err)}\n`));
  await kubectl(['delete', '-f', `${REPO}examples/kubernetes/01-workspace.yaml`, '--ignore-not-found', '--wait=true', '--timeout=120s']);
  await helm(['uninstall', 'millrace', '--namespace', 'millrace-system', '--wait', '--timeout', '120s'], { kubeconfig }).catch(() => undefined);
  // millrace-system is the operator namespace of the other tests too: only the Secret goes.
  await kubectl(['-n', 'millrace-system', 'delete', 'secret', 'analytics-s3', '--ignore-not-found']);
  await kubectl(['apply', '--server-side', '--field-manager', 'millrace-tests', '-f', '-'], memberClusterRoles().map((r) => stringify(r)).join('---\n'));
}, 10 * 60_000);

test('the README quickstart runs as written and the example deployment reaches Running', async () => {
  const commands = quickstartCommands(await readFile(`${REPO}README.md`, 'utf8'));
  started = true;
  const result = await tryRun('bash', ['-c', `set -euo pipefail\n${commands}`], { cwd: REPO, env: env() });
  expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr.slice(-4000) }).toEqual({ code: 0, stderr: '' });
  // The last command's table: every example object, the deployment Running.
  expect(result.stdout).toMatch(/bids-per-auction\s+.*Running/);

  const pods = JSON.parse(await run('kubectl', ['--kubeconfig', kubeconfig, '-n', 'team-a', 'get', 'pods', '-l', 'millrace.dev/deployment=bids-per-auction', '-o', 'json'], { env: env() })) as { items: Array<{ status: { phase?: string } }> };
  expect(pods.items.map((p) => p.status.phase)).toEqual(['Running', 'Running']);
  const live = JSON.parse(await run('kubectl', ['--kubeconfig', kubeconfig, '-n', 'team-a', 'get', 'mdep', 'bids-per-auction', '-o', 'json'], { env: env() })) as { kind: string };
  const [health] = await evaluateHealth([live]);
  expect(health).toMatchObject({ status: 'Healthy' });
}, 15 * 60_000);
