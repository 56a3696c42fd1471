import { mkdtemp, writeFile } from 'node:fs/promises';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsFromKubeconfig, inClusterCredentials, loadKubeConnection, StaticKubeConnection } from './kube-connection.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const kubeconfig = (cluster: Record<string, unknown>, user: Record<string, unknown>) => JSON.stringify({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
  clusters: [{ name: 'other', cluster: { server: 'https://wrong:1' } }, { name: 'k', cluster }],
  users: [{ name: 'u', user }],
  contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
});

describe('API server connection without client-node', () => {
  test('a kubeconfig with inline certificates: server, CA, client certificate and key of the current context', async () => {
    const c = credentialsFromKubeconfig(kubeconfig({ server: 'https://10.0.0.1:6443', 'certificate-authority-data': b64('CA') }, { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }), '/x/config');
    expect(c).toBeDefined();
    const conn = new StaticKubeConnection(c!);
    expect(conn.getCurrentCluster()).toEqual({ server: 'https://10.0.0.1:6443' });
    const o: https.RequestOptions = {};
    await conn.applyToHTTPSOptions(o);
    expect([String(o.ca), String(o.cert), String(o.key)]).toEqual(['CA', 'CERT', 'KEY']);
    expect(o.headers).toBeUndefined();
  });

  test('files relative to the kubeconfig, a token file read again, insecure-skip-tls-verify and tls-server-name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    await writeFile(join(dir, 'ca.crt'), 'FILE-CA');
    await writeFile(join(dir, 'token'), 'tok-1\n');
    const c = credentialsFromKubeconfig(kubeconfig({ server: 'https://h:1', 'certificate-authority': 'ca.crt', 'insecure-skip-tls-verify': true, 'tls-server-name': 'api' }, { tokenFile: 'token' }), join(dir, 'config'));
    const o: https.RequestOptions = {};
    await new StaticKubeConnection(c!).applyToHTTPSOptions(o);
    expect(String(o.ca)).toBe('FILE-CA');
    expect(o.rejectUnauthorized).toBe(false);
    expect(o.servername).toBe('api');
    expect(o.headers).toEqual({ Authorization: 'Bearer tok-1' });
  });

  test('exec plugins and auth providers are left to client-node', () => {
    expect(credentialsFromKubeconfig(kubeconfig({ server: 'https://h:1' }, { exec: { command: 'aws' } }), '/x')).toBeUndefined();
    expect(credentialsFromKubeconfig(kubeconfig({ server: 'https://h:1', 'proxy-url': 'http://p' }, {}), '/x')).toBeUndefined();
  });

  test('a current-context that names nothing is an MR_ERR_CONFIG naming current-context', () => {
    expect(() => credentialsFromKubeconfig(JSON.stringify({ 'current-context': 'nope', contexts: [] }), '/x/config')).toThrow(expect.objectContaining({ code: 'MR_ERR_CONFIG', message: expect.stringContaining('current-context') }));
  });

  test('in a pod: the service account token and CA, the API server from the environment (IPv6 in brackets)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sa-'));
    await writeFile(join(dir, 'token'), 'sa-token');
    await writeFile(join(dir, 'ca.crt'), 'SA-CA');
    expect(inClusterCredentials({}, dir)).toBeUndefined();
    const c = inClusterCredentials({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    expect(c?.server).toBe('https://[fd00::1]:443');
    const o: https.RequestOptions = {};
    await new StaticKubeConnection(c!).applyToHTTPSOptions(o);
    expect(o.headers).toEqual({ Authorization: 'Bearer sa-token' });
  });

  test('KUBECONFIG is honoured; a kubeconfig with an exec plugin still loads (through client-node)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    await writeFile(join(dir, 'plain'), kubeconfig({ server: 'https://plain:6443' }, { token: 't' }));
    expect((await loadKubeConnection({ KUBECONFIG: join(dir, 'plain') })).getCurrentCluster()?.server).toBe('https://plain:6443');
    await writeFile(join(dir, 'exec'), kubeconfig({ server: 'https://exec:6443' }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'true' } }));
    const prev = process.env.KUBECONFIG;
    process.env.KUBECONFIG = join(dir, 'exec');
    try {
      expect((await loadKubeConnection({ KUBECONFIG: join(dir, 'exec') })).getCurrentCluster()?.server).toBe('https://exec:6443');
    } finally {
      if (prev === undefined) delete process.env.KUBECONFIG; else process.env.KUBECONFIG = prev;
    }
  });
});
