// A small generic client for the Kubernetes REST API on top of the kubeconfig's TLS and
// credentials. Generic verbs only (get/list/apply/delete/patch), so every reconciler talks
// the same way, server-side apply works on the status subresource, and tests can
// impersonate a user.
import https from 'node:https';
import http from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { MillraceError } from '../errors.ts';
import { apiRequestKind } from './api-request.ts';
import type { ApiRequestKind } from './api-request.ts';
import { resourcePath } from './resources.ts';

export interface ObjectRef { apiVersion: string; kind: string; namespace?: string; name: string }
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: OwnerReference[]; finalizers?: string[]; deletionTimestamp?: string; creationTimestamp?: string; [k: string]: unknown };
  [field: string]: unknown;
}
export interface OwnerReference { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }

export class KubeApiError extends MillraceError {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    // Conflicts, throttling and server errors are worth a retry; 4xx validation errors are not.
    super('MR_ERR_KUBE_API', message, { transient: status === 409 || status === 429 || status >= 500 || status === 0 });
    this.status = status;
    this.reason = reason;
  }
}

export const isNotFound = (e: unknown) => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown) => e instanceof KubeApiError && e.status === 409;

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
}

export interface KubeRestOptions {
  /** Adds Impersonate-User / Impersonate-Group headers (tests check RBAC this way). */
  impersonate?: { user: string; groups?: string[] };
  timeoutMs?: number;
  /** Told of every finished request (metrics): what it was, its HTTP status (0: no answer), its duration. */
  onResponse?: (request: ApiRequestKind, status: number, seconds: number) => void;
}

export class KubeRest {
  private readonly kc: KubeConfig;
  private readonly server: URL;
  private readonly agentOptions: Promise<https.RequestOptions>;
  private readonly agent: http.Agent;
  private readonly options: KubeRestOptions;

  constructor(kc: KubeConfig, options: KubeRestOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new MillraceError('MR_ERR_CONFIG', 'kubeconfig has no current cluster; set KUBECONFIG or run in a pod');
    this.kc = kc;
    this.server = new URL(cluster.server);
    this.options = options;
    this.agent = this.server.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.agentOptions = (async () => { const o: https.RequestOptions = {}; await kc.applyToHTTPSOptions(o); return o; })();
  }

  get kubeConfig(): KubeConfig { return this.kc; }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const base = await this.agentOptions;
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string | string[]> = { ...(base.headers as Record<string, string>), accept: 'application/json' };
    if (this.options.impersonate) {
      headers['Impersonate-User'] = this.options.impersonate.user;
      if (this.options.impersonate.groups) headers['Impersonate-Group'] = this.options.impersonate.groups;
    }
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (payload !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      // An explicit length: a chunked body on DELETE is refused by the API server (HTTP 400).
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const lib = url.protocol === 'https:' ? https : http;
    const started = performance.now();
    const observe = this.options.onResponse;
    const report = observe ? (status: number) => observe(apiRequestKind(method, url.pathname, opts.contentType), status, (performance.now() - started) / 1000) : undefined;
    return new Promise<T>((resolve, reject) => {
      const req = lib.request(url, { ...base, method, headers, agent: this.agent, timeout: this.options.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          report?.(status);
          let json: unknown = undefined;
          try { json = text ? JSON.parse(text) : undefined; } catch { /* not JSON: keep the text for the message */ }
          if (status >= 200 && status < 300) return resolve(json as T);
          const s = (json ?? {}) as { reason?: string; message?: string };
          reject(new KubeApiError(status, s.reason ?? 'Unknown', `${method} ${url.pathname}: ${status} ${s.message ?? text.slice(0, 500)}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.options.timeoutMs ?? 30_000} ms`)));
      req.on('error', (e) => { report?.(0); reject(new KubeApiError(0, 'NetworkError', `${method} ${url.pathname}: ${e.message}`)); });
      req.end(payload);
    });
  }

  get<T extends KubeObject>(ref: ObjectRef): Promise<T> {
    return this.request<T>('GET', resourcePath(ref));
  }

  async getOrUndefined<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try { return await this.get<T>(ref); } catch (e) { if (isNotFound(e)) return undefined; throw e; }
  }

  list<T extends KubeObject>(type: { apiVersion: string; kind: string; namespace?: string }, query: { labelSelector?: string; fieldSelector?: string } = {}): Promise<{ metadata: { resourceVersion?: string }; items: T[] }> {
    return this.request('GET', resourcePath(type), { query });
  }

  create<T extends KubeObject>(obj: KubeObject): Promise<T> {
    return this.request<T>('POST', resourcePath({ ...obj, namespace: obj.metadata.namespace }), { body: obj });
  }

  /** Server-side apply: the object lists exactly the fields this manager owns. */
  apply<T extends KubeObject>(obj: KubeObject, fieldManager: string, subresource?: 'status'): Promise<T> {
    const path = resourcePath({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name }, subresource);
    return this.request<T>('PATCH', path, { body: obj, contentType: 'application/apply-patch+yaml', query: { fieldManager, force: 'true' } });
  }

  mergePatch<T extends KubeObject>(ref: ObjectRef, patch: unknown, subresource?: string): Promise<T> {
    return this.request<T>('PATCH', resourcePath(ref, subresource), { body: patch, contentType: 'application/merge-patch+json' });
  }

  /** Deletes; a missing object counts as deleted. */
  async delete(ref: ObjectRef, propagationPolicy: 'Background' | 'Foreground' = 'Background'): Promise<void> {
    try {
      await this.request('DELETE', resourcePath(ref), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
