// A small generic client for the Kubernetes REST API on top of the kubeconfig's TLS and
// credentials. Generic verbs only (get/list/apply/delete/patch), so every reconciler talks
// the same way, server-side apply works on the status subresource, and tests can
// impersonate a user.
import https from 'node:https';
import http from 'node:http';
import { MillraceError } from '../errors.ts';
import type { KubeConnection } from './kube-connection.ts';
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
  /** The server's Retry-After, in seconds, when it sent one (with 429 or 503). */
  readonly retryAfterSeconds: number | undefined;
  constructor(status: number, reason: string, message: string, retryAfterSeconds?: number) {
    // Conflicts, throttling and server errors are worth a retry; 4xx validation errors are not.
    // An RBAC refusal of the operator itself is too: its RoleBinding in a namespace it just
    // made reaches the authorizer a moment later (rbac/operator-role.ts).
    super('MR_ERR_KUBE_API', message, { transient: status === 409 || status === 429 || status >= 500 || status === 0 || isRbacRefusal(status, message) });
    this.status = status;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A request the API server refused with 429 and a Retry-After is sent again after that delay, as
 * client-go does: the server answers so while the storage of a resource (re)initializes after a
 * start, and under API priority and fairness. Bounded, so a caller still sees a lasting refusal.
 */
const THROTTLE_RETRIES = 5;
const MAX_RETRY_AFTER_SECONDS = 5;

/** The RBAC authorizer's 403 (`User "..." cannot create resource "pods" ...`), not admission's or a quota's. */
export const isRbacRefusal = (status: number, message: string) => status === 403 && / cannot [a-z]+ resource "/.test(message);

export const isNotFound = (e: unknown) => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown) => e instanceof KubeApiError && e.status === 409;

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
  /** Media type asked for; default application/json. */
  accept?: string;
}

export interface KubeRestOptions {
  /** Adds Impersonate-User / Impersonate-Group headers (tests check RBAC this way). */
  impersonate?: { user: string; groups?: string[] };
  timeoutMs?: number;
  /** Requests in flight at once (HTTP/1.1 keep-alive connections); watches have their own. Default 32. */
  maxConnections?: number;
  /** Told of every finished request (metrics): what it was, its HTTP status (0: no answer), its duration. */
  onResponse?: (request: ApiRequestKind, status: number, seconds: number) => void;
}

/** One event of a watch stream. */
export interface WatchEvent<T = KubeObject> { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: T }

/** Credentials are read again after this long (rotated service account tokens). */
const CREDENTIALS_TTL_MS = 60_000;

export class KubeRest {
  private readonly connection: KubeConnection;
  private readonly server: URL;
  private credentials?: { options: Promise<https.RequestOptions>; at: number };
  private readonly agent: http.Agent;
  private readonly watchAgent: http.Agent;
  private readonly options: KubeRestOptions;

  /** `connection`: loadKubeConnection(), or a client-node KubeConfig. */
  constructor(connection: KubeConnection, options: KubeRestOptions = {}) {
    const cluster = connection.getCurrentCluster();
    if (!cluster) throw new MillraceError('MR_ERR_CONFIG', 'kubeconfig has no current cluster; set KUBECONFIG or run in a pod');
    this.connection = connection;
    this.server = new URL(cluster.server);
    this.options = options;
    const Agent = this.server.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxConnections ?? 32 });
    // Watches hold their connection for minutes: never let them take the request pool's.
    this.watchAgent = new Agent({ keepAlive: false });
  }

  private connectionOptions(): Promise<https.RequestOptions> {
    const now = Date.now();
    if (!this.credentials || now - this.credentials.at > CREDENTIALS_TTL_MS) {
      const options = (async () => { const o: https.RequestOptions = {}; await this.connection.applyToHTTPSOptions(o); return o; })();
      this.credentials = { options, at: now };
      options.catch(() => { this.credentials = undefined; });
    }
    return this.credentials.options;
  }

  private headersFor(base: https.RequestOptions): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = { ...(base.headers as Record<string, string>), accept: 'application/json' };
    if (this.options.impersonate) {
      headers['Impersonate-User'] = this.options.impersonate.user;
      if (this.options.impersonate.groups) headers['Impersonate-Group'] = this.options.impersonate.groups;
    }
    return headers;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await this.requestOnce<T>(method, path, opts);
      } catch (e) {
        const wait = e instanceof KubeApiError && e.status === 429 ? e.retryAfterSeconds : undefined;
        if (wait === undefined || retry >= THROTTLE_RETRIES) throw e;
        await new Promise((r) => setTimeout(r, Math.min(wait, MAX_RETRY_AFTER_SECONDS) * 1000));
      }
    }
  }

  private async requestOnce<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const base = await this.connectionOptions();
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers = this.headersFor(base);
    if (opts.accept) headers.accept = opts.accept;
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
          const retryAfter = Number(res.headers['retry-after']);
          reject(new KubeApiError(status, s.reason ?? 'Unknown', `${method} ${url.pathname}: ${status} ${s.message ?? text.slice(0, 500)}`, Number.isFinite(retryAfter) && retryAfter >= 0 && res.headers['retry-after'] !== undefined ? retryAfter : undefined));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.options.timeoutMs ?? 30_000} ms`)));
      req.on('error', (e) => { report?.(0); reject(new KubeApiError(0, 'NetworkError', `${method} ${url.pathname}: ${e.message}`)); });
      req.end(payload);
    });
  }

  /**
   * Streams a watch (`?watch=true`): `onEvent` gets each event in order. Resolves when the
   * server ends the stream (its timeoutSeconds), rejects on a refused request (a KubeApiError
   * with the status, e.g. 410 Gone), a broken connection or `idleMs` without a byte.
   */
  async watch<T = KubeObject>(path: string, query: Record<string, string | undefined>, onEvent: (event: WatchEvent<T>) => void, opts: { signal?: AbortSignal; idleMs?: number } = {}): Promise<void> {
    const base = await this.connectionOptions();
    const url = new URL(path, this.server);
    url.searchParams.set('watch', 'true');
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const lib = url.protocol === 'https:' ? https : http;
    const idleMs = opts.idleMs ?? 120_000;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error) => { if (settled) return; settled = true; if (err) reject(err); else resolve(); };
      const req = lib.request(url, { ...base, method: 'GET', headers: this.headersFor(base), agent: this.watchAgent, signal: opts.signal, timeout: idleMs }, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let s: { reason?: string; message?: string } = {};
            try { s = JSON.parse(text) as typeof s; } catch { /* not JSON */ }
            finish(new KubeApiError(status, s.reason ?? 'Unknown', `WATCH ${url.pathname}: ${status} ${s.message ?? text.slice(0, 500)}`));
          });
          return;
        }
        res.setEncoding('utf8');
        let pending = '';
        res.on('data', (chunk: string) => {
          pending += chunk;
          let nl = pending.indexOf('\n');
          while (nl >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (line.trim()) {
              let event: WatchEvent<T>;
              // A failure here ends the watch with that very error (a 410 in an ERROR event stays a 410).
              try { event = JSON.parse(line) as WatchEvent<T>; } catch { finish(new KubeApiError(0, 'BadWatchEvent', `WATCH ${url.pathname}: a line is not JSON`)); req.destroy(); return; }
              try { onEvent(event); } catch (err) { finish(err as Error); req.destroy(); return; }
            }
            nl = pending.indexOf('\n');
          }
        });
        res.on('end', () => finish());
        res.on('error', (e) => finish(new KubeApiError(0, 'NetworkError', `WATCH ${url.pathname}: ${e.message}`)));
        res.on('close', () => finish(opts.signal?.aborted ? undefined : new KubeApiError(0, 'NetworkError', `WATCH ${url.pathname}: connection closed`)));
      });
      req.on('timeout', () => req.destroy(new Error(`no data for ${idleMs} ms`)));
      req.on('error', (e) => finish(opts.signal?.aborted ? undefined : new KubeApiError(0, 'NetworkError', `WATCH ${url.pathname}: ${e.message}`)));
      req.end();
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
