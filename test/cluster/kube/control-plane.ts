import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { apiGet } from './api-probe.ts';
import { startDaemon, stopDaemon, runningPid, waitFor } from './daemons.ts';
import { ensureHostAddress } from './host-network.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { adminKubeconfigPath, kubeBinary, runPath } from './layout.ts';
import { apiServerUrl, networkPlan } from './network-plan.ts';
import { ensurePki } from './pki.ts';
import { progress } from './progress.ts';

// The control-plane tier: etcd, kube-apiserver, kube-controller-manager, kube-scheduler.
// etcd listens on loopback only (as envtest runs it); the API server on the host address,
// with client-certificate authentication, Node+RBAC authorization, and the default
// admission plugins (which include ServiceAccount and ResourceQuota) plus NodeRestriction.

export const controlPlaneDaemons = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

export const pkiDir = () => runPath('pki');

function etcdArgs(): string[] {
  const client = `http://127.0.0.1:${networkPlan.etcdClientPort}`;
  const peer = `http://127.0.0.1:${networkPlan.etcdPeerPort}`;
  return [
    '--name=millrace', `--data-dir=${runPath('etcd')}`,
    `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=millrace=${peer}`,
    // A throw-away test store on a shared disk: skip fsync, as envtest users commonly do.
    '--unsafe-no-fsync', '--log-level=warn',
  ];
}

function apiServerArgs(): string[] {
  const pki = (name: string) => `${pkiDir()}/${name}`;
  return [
    `--etcd-servers=http://127.0.0.1:${networkPlan.etcdClientPort}`,
    `--bind-address=${networkPlan.hostAddress}`, `--advertise-address=${networkPlan.hostAddress}`, `--secure-port=${networkPlan.apiServerPort}`,
    `--service-cluster-ip-range=${networkPlan.serviceCidr}`,
    `--client-ca-file=${pki('ca.crt')}`, `--tls-cert-file=${pki('apiserver.crt')}`, `--tls-private-key-file=${pki('apiserver.key')}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction,ResourceQuota,ServiceAccount',
    `--service-account-issuer=https://kubernetes.default.svc.${networkPlan.clusterDomain}`,
    `--service-account-key-file=${pki('sa.pub')}`, `--service-account-signing-key-file=${pki('sa.key')}`,
    `--kubelet-client-certificate=${pki('apiserver-kubelet-client.crt')}`, `--kubelet-client-key=${pki('apiserver-kubelet-client.key')}`,
    `--kubelet-certificate-authority=${pki('ca.crt')}`, '--kubelet-preferred-address-types=InternalIP',
    '--allow-privileged=true', '--profiling=false', '--v=1',
  ];
}

function controllerManagerArgs(): string[] {
  const pki = (name: string) => `${pkiDir()}/${name}`;
  const kubeconfig = runPath('controller-manager.kubeconfig');
  return [
    `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1', '--leader-elect=false', '--controllers=*',
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki('sa.key')}`, `--root-ca-file=${pki('ca.crt')}`,
    `--cluster-signing-cert-file=${pki('ca.crt')}`, `--cluster-signing-key-file=${pki('ca.key')}`,
    `--service-cluster-ip-range=${networkPlan.serviceCidr}`, '--profiling=false', '--v=1',
  ];
}

function schedulerArgs(): string[] {
  const kubeconfig = runPath('scheduler.kubeconfig');
  return [
    `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1', '--leader-elect=false', '--profiling=false', '--v=1',
  ];
}

async function startOnce(name: string, args: string[]): Promise<void> {
  if ((await runningPid(name)) !== undefined) return;
  progress(`starting ${name}`);
  await startDaemon({ name, command: kubeBinary(name), args });
}

export async function controlPlaneRunning(): Promise<boolean> {
  for (const name of controlPlaneDaemons) if ((await runningPid(name)) === undefined) return false;
  return true;
}

/** Starts what is not running yet and waits until the API server serves and the controllers work. */
export async function upControlPlane(): Promise<string> {
  const started = Date.now();
  await mkdir(runPath(), { recursive: true, mode: 0o700 });
  await ensureHostAddress();
  await ensurePki(pkiDir());
  const server = apiServerUrl();
  await writeKubeconfig(adminKubeconfigPath(), { server, pkiDir: pkiDir(), stem: 'admin', user: 'millrace-admin' });
  await writeKubeconfig(runPath('controller-manager.kubeconfig'), { server, pkiDir: pkiDir(), stem: 'controller-manager', user: 'system:kube-controller-manager' });
  await writeKubeconfig(runPath('scheduler.kubeconfig'), { server, pkiDir: pkiDir(), stem: 'scheduler', user: 'system:kube-scheduler' });

  await startOnce('etcd', etcdArgs());
  await waitFor('etcd', async () => (await fetch(`http://127.0.0.1:${networkPlan.etcdClientPort}/health`)).ok, { timeoutMs: 30_000, daemons: ['etcd'] });
  await startOnce('kube-apiserver', apiServerArgs());
  await waitFor('kube-apiserver /readyz', async () => (await apiGet(server, pkiDir(), '/readyz')).status === 200, { timeoutMs: 90_000, daemons: ['etcd', 'kube-apiserver'] });
  await startOnce('kube-controller-manager', controllerManagerArgs());
  await startOnce('kube-scheduler', schedulerArgs());
  // Pods can be created once the ServiceAccount controller made the `default` account.
  await waitFor(
    'the default ServiceAccount (kube-controller-manager)',
    async () => (await apiGet(server, pkiDir(), '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
    { timeoutMs: 60_000, daemons: [...controlPlaneDaemons] },
  );
  progress(`control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return adminKubeconfigPath();
}

/** Stops the control plane and forgets its state: the next `up` starts a fresh cluster. */
export async function downControlPlane(): Promise<void> {
  for (const name of [...controlPlaneDaemons].reverse()) {
    if (await stopDaemon(name)) progress(`stopped ${name}`);
  }
  for (const path of ['etcd', 'pki', 'admin.kubeconfig', 'controller-manager.kubeconfig', 'scheduler.kubeconfig']) {
    if (existsSync(runPath(path))) await rm(runPath(path), { recursive: true, force: true });
  }
}
