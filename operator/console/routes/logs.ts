// Archived logs and exception histories of a Deployment's jobs (runtime/logging/log-archive.ts
// writes them to logs/namespaces/<ns>/<deployment>/<jobId>/), readable after the pods are gone,
// for `npx millrace logs <deployment>` and the console's pages. RBAC: an access review as the
// signed-in user of get/list on the resource `logs` of group millrace.dev (viewers may read).
import { GROUP } from '../../api/v1alpha1/meta.ts';
import { EXCEPTIONS_FILE } from '../../../runtime/logging/log-archive.ts';
import type { ConsoleRoutes, ConsoleUser } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { html } from '../ui/html.ts';
import { page } from '../ui/layout.ts';
import { bucketFailure, workspaceStores } from './artifacts.ts';
import type { ArtifactStore } from '../../../runtime/artifacts/artifact-store.ts';
import type { NamespaceStores } from './artifacts.ts';

const review = (user: ConsoleUser, verb: string, namespace: string, name: string) => user.require({ verb, group: GROUP, resource: 'logs', namespace, name });

async function storage<T>(store: ArtifactStore, namespace: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConsoleError) throw err;
    if ((err as { code?: string }).code === 'MR_ERR_ARTIFACT_NAME') throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', (err as Error).message);
    throw bucketFailure(err, store, namespace);
  }
}

/** At most this much log text per answer; `after` continues from the last file returned. */
const MAX_BYTES_PER_ANSWER = 4 * 1024 * 1024;

export function logRoutesWith(stores: NamespaceStores): ConsoleRoutes {
  return (app, ctx) => {
    // The jobs with archived logs, oldest first, with their files.
    app.get('/api/namespaces/:namespace/deployments/:name/logs', async (request) => {
      const { namespace, name } = request.params as { namespace: string; name: string };
      const user = await ctx.user(request);
      await review(user, 'list', namespace, name);
      const store = await stores(ctx, namespace);
      return { namespace, deployment: name, jobs: await storage(store, namespace, () => store.archivedJobs(namespace, name)) };
    });

    // The log of one job: its chunks in order (all pods, by first line time), from after `after`.
    app.get('/api/namespaces/:namespace/deployments/:name/logs/:jobId', async (request) => {
      const { namespace, name, jobId } = request.params as { namespace: string; name: string; jobId: string };
      const { after } = request.query as { after?: string };
      const user = await ctx.user(request);
      await review(user, 'get', namespace, name);
      const store = await stores(ctx, namespace);
      const job = (await storage(store, namespace, () => store.archivedJobs(namespace, name))).find((j) => j.jobId === jobId);
      if (!job) throw new ConsoleError('MR_ERR_CONSOLE_NOT_FOUND', `no archived logs of job ${jobId} of deployment ${namespace}/${name}`);
      const files = job.files.filter((f) => f.name.endsWith('.log') && (after === undefined || f.name > after)).sort((a, b) => a.name.localeCompare(b.name));
      const chunks: Array<{ file: string; text: string }> = [];
      let bytes = 0;
      for (const f of files) {
        if (bytes > MAX_BYTES_PER_ANSWER) break;
        const body = await storage(store, namespace, () => store.readLogFile(namespace, name, jobId, f.name));
        if (!body) continue;
        bytes += body.byteLength;
        chunks.push({ file: f.name, text: body.toString('utf8') });
      }
      return { jobId, chunks, more: chunks.length < files.length };
    });

    app.get('/api/namespaces/:namespace/deployments/:name/logs/:jobId/exceptions', async (request) => {
      const { namespace, name, jobId } = request.params as { namespace: string; name: string; jobId: string };
      const user = await ctx.user(request);
      await review(user, 'get', namespace, name);
      const store = await stores(ctx, namespace);
      const body = await storage(store, namespace, () => store.readLogFile(namespace, name, jobId, EXCEPTIONS_FILE));
      if (!body) throw new ConsoleError('MR_ERR_CONSOLE_NOT_FOUND', `no archived exception history of job ${jobId} of deployment ${namespace}/${name}`);
      return JSON.parse(body.toString('utf8')) as unknown;
    });

    app.get('/namespaces/:namespace/deployments/:name/logs', async (request, reply) => {
      const { namespace, name } = request.params as { namespace: string; name: string };
      const user = await ctx.user(request);
      await review(user, 'get', namespace, name);
      const store = await stores(ctx, namespace);
      const jobs = await storage(store, namespace, () => store.archivedJobs(namespace, name));
      const q = request.query as { job?: string };
      const job = jobs.find((j) => j.jobId === q.job) ?? jobs.at(-1);
      let text = '';
      let exceptions: unknown;
      if (job) {
        for (const f of job.files.filter((x) => x.name.endsWith('.log')).sort((a, b) => a.name.localeCompare(b.name))) {
          if (text.length > MAX_BYTES_PER_ANSWER) { text += '\n… (more: npx millrace logs)\n'; break; }
          text += (await storage(store, namespace, () => store.readLogFile(namespace, name, job.jobId, f.name)))?.toString('utf8') ?? '';
        }
        const ex = await storage(store, namespace, () => store.readLogFile(namespace, name, job.jobId, EXCEPTIONS_FILE));
        exceptions = ex ? JSON.parse(ex.toString('utf8')) : undefined;
      }
      const history = (exceptions as { exceptions?: Array<{ time?: string; message: string }> } | undefined)?.exceptions ?? [];
      const body = html`<nav aria-label="Jobs"><ul>${jobs.map((j) => html`<li><a href="?job=${j.jobId}" ${j === job ? html`aria-current="page"` : ''}>${j.jobId}</a> (${j.lastModified ?? ''})</li>`)}</ul></nav>
${job ? html`<h2>Exceptions of job ${job.jobId}</h2>
${history.length ? html`<ol class="exceptions">${history.map((e) => html`<li><time>${e.time ?? ''}</time> <pre>${e.message}</pre></li>`)}</ol>` : html`<p>No exceptions recorded.</p>`}
<h2>Log of job ${job.jobId}</h2><pre class="log" tabindex="0">${text}</pre>` : html`<p>No archived logs for ${namespace}/${name} yet.</p>`}`;
      return reply.type('text/html').send(page(`Logs · ${name}`, body, user));
    });
  };
}

export const logRoutes: ConsoleRoutes = logRoutesWith(workspaceStores);
