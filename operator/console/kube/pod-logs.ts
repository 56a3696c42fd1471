// Live logs of a Deployment's pods, read as the user (`pods/log` is in every member role):
// the tail of each JobManager and TaskManager container while the pods exist. Archived logs of
// ended pods come from the bucket (routes/logs.ts). The log is text, so this reads the body
// itself instead of KubeRest's JSON requests; the size is bounded.
import https from 'node:https';
import http from 'node:http';
import { LABELS } from '../../controllers/shared/context.ts';
import type { KubeConnection } from '../../kube/kube-connection.ts';
import type { ConsoleUser } from '../context.ts';
import { ConsoleError } from '../errors.ts';

export interface PodLog { pod: string; component?: string; phase?: string; text: string }

const MAX_LOG_BYTES = 256 * 1024;

export function readText(connection: KubeConnection, path: string, timeoutMs = 10_000): Promise<{ status: number; text: string }> {
  return (async () => {
    const opts: https.RequestOptions = {};
    await connection.applyToHTTPSOptions(opts);
    const url = new URL(path, connection.getCurrentCluster()!.server);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = lib.request(url, { ...opts, method: 'GET', timeout: timeoutMs, headers: { ...(opts.headers as Record<string, string>), accept: '*/*' } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => { size += c.length; if (size <= MAX_LOG_BYTES) chunks.push(c); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  })();
}

/** The last `tailLines` lines of each pod of the Deployment, JobManager first. */
export async function podLogs(user: ConsoleUser, connection: KubeConnection, namespace: string, deployment: string, tailLines = 200): Promise<PodLog[]> {
  const pods = await user.kube.list<{ apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string } }>(
    { apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `${LABELS.deployment}=${deployment}` });
  const sorted = pods.items.sort((a, b) => {
    const jm = (p: typeof a) => (p.metadata.labels?.[LABELS.component] === 'jobmanager' ? 0 : 1);
    return jm(a) - jm(b) || a.metadata.name.localeCompare(b.metadata.name);
  });
  return Promise.all(sorted.map(async (p) => {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(p.metadata.name)}/log?tailLines=${tailLines}&limitBytes=${MAX_LOG_BYTES}`;
    let r: { status: number; text: string };
    try { r = await readText(connection, path); } catch (err) {
      throw new ConsoleError('MR_ERR_CONSOLE_KUBE_API', `log of pod ${p.metadata.name}: ${(err as Error).message}`, { cause: err });
    }
    if (r.status === 403) throw new ConsoleError('MR_ERR_CONSOLE_FORBIDDEN', `${user.name} may not read the logs of pods in ${namespace} (pods/log)`);
    // a pod that has not started yet has no log: say so instead of failing the page
    const text = r.status === 200 ? r.text : `(no log: HTTP ${r.status} ${r.text.slice(0, 200)})`;
    return { pod: p.metadata.name, component: p.metadata.labels?.[LABELS.component], phase: p.status?.phase, text };
  }));
}
