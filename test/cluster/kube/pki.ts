import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './commands.ts';
import { networkPlan } from './network-plan.ts';

// The cluster's certificates, made with openssl: one CA signs every serving and client
// certificate; RBAC sees users and groups from the subject (CN = user, O = group).
// EC P-256 keys are quick to make; the ServiceAccount signing key is RSA, the default
// algorithm every token consumer understands.

export interface Identity {
  /** File stem: <stem>.crt and <stem>.key. */
  stem: string;
  commonName: string;
  organization?: string;
  serverNames?: readonly string[];
  serverIps?: readonly string[];
}

export function identities(): Identity[] {
  const { hostAddress, kubernetesServiceIp, nodeName, clusterDomain } = networkPlan;
  return [
    {
      stem: 'apiserver',
      commonName: 'kube-apiserver',
      serverNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${clusterDomain}`],
      serverIps: ['127.0.0.1', hostAddress, kubernetesServiceIp],
    },
    { stem: 'admin', commonName: 'millrace-admin', organization: 'system:masters' },
    { stem: 'apiserver-kubelet-client', commonName: 'kube-apiserver-kubelet-client', organization: 'system:masters' },
    { stem: 'controller-manager', commonName: 'system:kube-controller-manager' },
    { stem: 'scheduler', commonName: 'system:kube-scheduler' },
    { stem: 'kubelet-client', commonName: `system:node:${nodeName}`, organization: 'system:nodes' },
    { stem: 'kubelet-serving', commonName: nodeName, serverNames: [nodeName, 'localhost'], serverIps: [hostAddress, '127.0.0.1'] },
    { stem: 'kube-proxy', commonName: 'system:kube-proxy' },
  ];
}

export function pkiFile(dir: string, name: string): string {
  return join(dir, name);
}

function subject(identity: Identity): string {
  return (identity.organization ? `/O=${identity.organization}` : '') + `/CN=${identity.commonName}`;
}

function extensions(identity: Identity): string {
  const names = [...(identity.serverNames ?? []).map((n) => `DNS:${n}`), ...(identity.serverIps ?? []).map((ip) => `IP:${ip}`)];
  const serving = names.length > 0;
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${serving ? 'serverAuth,clientAuth' : 'clientAuth'}`,
    ...(serving ? [`subjectAltName=${names.join(',')}`] : []),
  ].join('\n');
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Creates the CA, all certificates and the ServiceAccount key pair, unless present. */
export async function ensurePki(dir: string): Promise<void> {
  if (existsSync(join(dir, 'complete'))) return;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = join(dir, 'ca');
  await run('openssl', ['req', '-x509', ...ecKey, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '3650', '-subj', '/CN=millrace-local-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  for (const identity of identities()) {
    const stem = join(dir, identity.stem);
    await run('openssl', ['req', '-new', ...ecKey, '-keyout', `${stem}.key`, '-out', `${stem}.csr`, '-subj', subject(identity)]);
    await writeFile(`${stem}.ext`, extensions(identity));
    await run('openssl', ['x509', '-req', '-in', `${stem}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '825', '-out', `${stem}.crt`, '-extfile', `${stem}.ext`]);
    await rm(`${stem}.csr`);
    await rm(`${stem}.ext`);
  }
  await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(dir, 'sa.key')]);
  await run('openssl', ['pkey', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')]);
  await writeFile(join(dir, 'complete'), '');
}
