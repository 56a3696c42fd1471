// Where the API server is and how to authenticate to it: from a kubeconfig file or the pod's
// service account, without @kubernetes/client-node. Loading client-node loads its generated
// API clients, about 40 MB of the operator's memory for code it never calls. Kubeconfigs this
// does not cover (exec plugins, auth providers, basic auth, proxies, merged file lists) are
// handed to client-node's KubeConfig, imported only then.
import { existsSync, readFileSync } from 'node:fs';
import type https from 'node:https';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { MillraceError } from '../errors.ts';

/** What KubeRest needs; client-node's KubeConfig has the same shape. */
export interface KubeConnection {
  getCurrentCluster(): { server: string } | null;
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Credentials {
  server: string;
  ca?: Buffer;
  insecure?: boolean;
  serverName?: string;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Re-read now and then: the kubelet rotates projected service account tokens. */
  tokenFile?: string;
}

/** A connection from explicit credentials; a token file is read again at most once a minute. */
export class StaticKubeConnection implements KubeConnection {
  private readonly c: Credentials;
  private token?: { value: string; readAt: number };

  constructor(credentials: Credentials) { this.c = credentials; }

  getCurrentCluster(): { server: string } { return { server: this.c.server }; }

  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    if (this.c.ca) opts.ca = this.c.ca;
    if (this.c.cert) opts.cert = this.c.cert;
    if (this.c.key) opts.key = this.c.key;
    if (this.c.insecure) opts.rejectUnauthorized = false;
    if (this.c.serverName) opts.servername = this.c.serverName;
    const token = this.currentToken();
    if (token) opts.headers = { ...(opts.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` };
  }

  private currentToken(): string | undefined {
    if (!this.c.tokenFile) return this.c.token;
    const now = Date.now();
    if (!this.token || now - this.token.readAt > 60_000) this.token = { value: readFileSync(this.c.tokenFile, 'utf8').trim(), readAt: now };
    return this.token.value;
  }
}

type Named<T> = { name: string } & T;
interface KubeconfigFile {
  'current-context'?: string;
  clusters?: Array<Named<{ cluster?: Record<string, unknown> }>>;
  users?: Array<Named<{ user?: Record<string, unknown> }>>;
  contexts?: Array<Named<{ context?: { cluster?: string; user?: string } }>>;
}

const CLUSTER_FIELDS = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions']);
const USER_FIELDS = new Set(['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'tokenFile', 'extensions']);

/**
 * Credentials of the current context of a kubeconfig, or undefined when it uses something this
 * reader does not handle (then client-node's KubeConfig reads it).
 */
export function credentialsFromKubeconfig(text: string, path: string): Credentials | undefined {
  const file = parse(text) as KubeconfigFile;
  const contextName = file['current-context'];
  const context = file.contexts?.find((c) => c.name === contextName)?.context;
  const cluster = file.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = file.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!context || !cluster || typeof cluster.server !== 'string') {
    throw new MillraceError('MR_ERR_CONFIG', `kubeconfig ${path}: current-context '${contextName ?? ''}' does not name a context with a cluster and its server; fix current-context or set KUBECONFIG to another file`);
  }
  if (Object.keys(cluster).some((k) => !CLUSTER_FIELDS.has(k)) || Object.keys(user).some((k) => !USER_FIELDS.has(k))) return undefined;
  const base = dirname(path);
  const fileOrData = (file: unknown, data: unknown): Buffer | undefined => {
    if (typeof data === 'string') return Buffer.from(data, 'base64');
    if (typeof file === 'string') return readFileSync(isAbsolute(file) ? file : join(base, file));
    return undefined;
  };
  return {
    server: cluster.server,
    ca: fileOrData(cluster['certificate-authority'], cluster['certificate-authority-data']),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    serverName: typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined,
    cert: fileOrData(user['client-certificate'], user['client-certificate-data']),
    key: fileOrData(user['client-key'], user['client-key-data']),
    token: typeof user.token === 'string' ? user.token : undefined,
    tokenFile: typeof user.tokenFile === 'string' ? (isAbsolute(user.tokenFile) ? user.tokenFile : join(base, user.tokenFile)) : undefined,
  };
}

/** The pod's own service account (in-cluster), or undefined outside a pod. */
export function inClusterCredentials(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR): Credentials | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port || !existsSync(join(dir, 'token'))) return undefined;
  return { server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, ca: readFileSync(join(dir, 'ca.crt')), tokenFile: join(dir, 'token') };
}

/**
 * The connection client-go and kubectl would use: $KUBECONFIG, else ~/.kube/config, else the
 * pod's service account.
 */
export async function loadKubeConnection(env: NodeJS.ProcessEnv = process.env): Promise<KubeConnection> {
  const paths = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
  const home = join(homedir(), '.kube', 'config');
  const path = paths.length === 1 ? paths[0] : paths.length === 0 && existsSync(home) ? home : undefined;
  if (path) {
    const credentials = credentialsFromKubeconfig(readFileSync(path, 'utf8'), path);
    if (credentials) return new StaticKubeConnection(credentials);
  } else if (paths.length === 0) {
    const inCluster = inClusterCredentials(env);
    if (inCluster) return new StaticKubeConnection(inCluster);
  }
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}
