// One Deployment: its status and actions, the running job's graph (each vertex's parallelism,
// records in/out per second, backpressure, watermark lag, refreshed live), checkpoint history
// with sizes and durations, savepoints, the exception history, Kubernetes Events and the
// difference between the running spec and the current one. The job's data comes from its
// JobManager through ctx.jobManagers (RBAC check for the user first, then a signed request).
import type { ConsoleContext, ConsoleRoutes, ConsoleUser } from '../context.ts';
import { toConsoleError } from '../error-mapping.ts';
import { eventsOf, getDeployment, listSavepoints, type MillraceObject } from '../kube/millrace-objects.ts';
import { bytesText, age, durationText, rateText } from '../model/format.ts';
import { RateTracker } from '../model/rates.ts';
import { parseReconciledSpec, specDiff } from '../model/spec-diff.ts';
import { html, type Html } from '../ui/html.ts';
import { page } from '../ui/layout.ts';
import { ACTIONS } from '../model/deployment-actions.ts';
import { actionForm, deploymentRow } from './deployments.ts';
import { podLogs, type PodLog } from '../kube/pod-logs.ts';

interface VertexRest { id: string; name: string; parallelism: number; status: string; recordsIn: number; recordsOut: number; backpressureLevel?: string; backpressureRatio?: number; watermarkLagMs?: number | null; isSource?: boolean }
interface JobRest { jid?: string; name?: string; state?: string; restarts?: number; 'start-time'?: number; vertices?: VertexRest[]; exceptions?: Array<{ timestamp: number; message: string }>; 'failure-cause'?: string | null; latencyP99Ms?: number | null }
interface CheckpointEntry { id: number; status: string; is_savepoint: boolean; trigger_timestamp: number; end_to_end_duration: number | null; state_size: number }
interface CheckpointsRest { counts?: { completed?: number; failed?: number; in_progress?: number }; history?: CheckpointEntry[] }

export interface JobView {
  jobId?: string;
  /** why there is no live job data (no job, JobManager unreachable, ...) */
  unavailable?: string;
  job?: Omit<JobRest, 'vertices'> & { vertices: Array<VertexRest & { inPerSecond: number | null; outPerSecond: number | null }> };
  checkpoints?: CheckpointsRest;
}

async function jobView(ctx: ConsoleContext, rates: RateTracker, user: ConsoleUser, d: MillraceObject): Promise<JobView> {
  const ref = { namespace: d.metadata.namespace ?? '', name: d.metadata.name };
  const jobId = (d.status?.job as { id?: string } | undefined)?.id;
  if (!jobId) return { unavailable: 'no job: the deployment has not started one (or it was suspended or cancelled)' };
  try {
    const job = await ctx.jobManagers.get<JobRest>(user, ref, `/jobs/${encodeURIComponent(jobId)}`);
    const vertices = (job.vertices ?? []).map((v) => ({ ...v, ...rates.observe(`${ref.namespace}/${ref.name}/${jobId}/${v.id}`, v) }));
    const checkpoints = await ctx.jobManagers.get<CheckpointsRest>(user, ref, `/jobs/${encodeURIComponent(jobId)}/checkpoints`).catch(() => undefined);
    return { jobId, job: { ...job, vertices }, checkpoints };
  } catch (err) {
    const e = toConsoleError(err);
    if (e.code === 'MR_ERR_CONSOLE_FORBIDDEN' || e.code === 'MR_ERR_CONSOLE_UNAUTHENTICATED') throw e;
    return { jobId, unavailable: `${e.code}: ${e.message}` };
  }
}

/** A bar chart as inline SVG (no script, no style attribute: the CSP allows it). */
function barChart(label: string, values: Array<{ key: string; value: number; text: string }>): Html {
  const max = Math.max(1, ...values.map((v) => v.value));
  const w = 24;
  return html`<figure class="chart"><svg role="img" aria-label="${label}" width="${values.length * (w + 4) + 4}" height="84" viewBox="0 0 ${values.length * (w + 4) + 4} 84">
${values.map((v, i) => { const h = Math.max(1, Math.round((v.value / max) * 64)); return html`<rect x="${4 + i * (w + 4)}" y="${70 - h}" width="${w}" height="${h}" fill="#0b5cad"><title>${v.key}: ${v.text}</title></rect><text x="${4 + i * (w + 4) + w / 2}" y="82" font-size="9" text-anchor="middle">${v.key}</text>`; })}
</svg><figcaption>${label}</figcaption></figure>`;
}

export function jobFragment(v: JobView, now: number): Html {
  if (!v.job) return html`<p data-testid="job-unavailable">${v.unavailable ?? 'no job data'}</p>`;
  const j = v.job;
  const history = [...(v.checkpoints?.history ?? [])].reverse();
  return html`<p>Job <code>${v.jobId}</code> · <strong data-testid="job-state">${j.state}</strong> · restarts ${j.restarts ?? 0}${j['start-time'] ? html` · started ${age(new Date(j['start-time']).toISOString(), now)} ago` : ''}${j.latencyP99Ms != null ? html` · latency p99 ${j.latencyP99Ms} ms` : ''}</p>
<table data-testid="job-graph"><caption class="help">Job graph (in topological order)</caption>
<thead><tr><th scope="col">Vertex</th><th scope="col" class="num">Parallelism</th><th scope="col">Status</th><th scope="col" class="num">Records in</th><th scope="col" class="num">In/s</th><th scope="col" class="num">Records out</th><th scope="col" class="num">Out/s</th><th scope="col">Backpressure</th><th scope="col" class="num">Watermark lag</th></tr></thead>
<tbody>${j.vertices.map((x) => html`<tr><th scope="row">${x.name}</th><td class="num">${x.parallelism}</td><td>${x.status}</td><td class="num">${x.recordsIn}</td><td class="num" data-testid="rate-in">${rateText(x.inPerSecond) || '…'}</td><td class="num">${x.recordsOut}</td><td class="num" data-testid="rate-out">${rateText(x.outPerSecond) || '…'}</td><td>${x.backpressureLevel ?? ''}</td><td class="num">${durationText(x.watermarkLagMs)}</td></tr>`)}</tbody></table>
<h3>Checkpoints</h3>
${v.checkpoints ? html`<p>completed ${v.checkpoints.counts?.completed ?? 0} · failed ${v.checkpoints.counts?.failed ?? 0} · in progress ${v.checkpoints.counts?.in_progress ?? 0}</p>
${history.length ? html`<div class="charts">${barChart('State size per checkpoint', history.map((c) => ({ key: String(c.id), value: c.state_size, text: bytesText(c.state_size) })))}${barChart('Duration per checkpoint (ms)', history.map((c) => ({ key: String(c.id), value: c.end_to_end_duration ?? 0, text: `${c.end_to_end_duration ?? '?'} ms` })))}</div>
<table><thead><tr><th scope="col">Id</th><th scope="col">Status</th><th scope="col">Kind</th><th scope="col" class="num">Size</th><th scope="col" class="num">Duration</th></tr></thead><tbody>
${history.map((c) => html`<tr><td>${c.id}</td><td>${c.status}</td><td>${c.is_savepoint ? 'savepoint' : 'checkpoint'}</td><td class="num">${bytesText(c.state_size)}</td><td class="num">${durationText(c.end_to_end_duration)}</td></tr>`)}</tbody></table>` : ''}` : html`<p class="help">checkpointing is off for this job</p>`}
<h3>Exceptions</h3>
${(j.exceptions ?? []).length === 0 ? html`<p data-testid="no-exceptions">none</p>` : html`<ol class="exceptions" reversed>${[...(j.exceptions ?? [])].reverse().map((e) => html`<li><time datetime="${new Date(e.timestamp).toISOString()}">${new Date(e.timestamp).toISOString()}</time><pre>${e.message}</pre></li>`)}</ol>`}`;
}

/** Live pod logs, or why there are none; a refusal of pods/log is shown, not thrown (the page stays). */
async function liveLogs(user: ConsoleUser, namespace: string, name: string): Promise<PodLog[] | string> {
  try { return await podLogs(user, user.connection, namespace, name); } catch (err) { const e = toConsoleError(err); return `${e.code}: ${e.message}`; }
}

export function podLogsFragment(logs: PodLog[] | string): Html {
  if (typeof logs === 'string') return html`<p role="alert">${logs}</p>`;
  if (logs.length === 0) return html`<p data-testid="no-pods">No pods run now; archived logs of ended jobs are under Logs.</p>`;
  return html`${logs.map((l) => html`<h3>${l.pod} <span class="help">${l.component ?? ''} · ${l.phase ?? ''}</span></h3><pre class="log" data-testid="pod-log" tabindex="0" aria-label="log of ${l.pod}">${l.text}</pre>`)}`;
}

export const deploymentPageRoutes: ConsoleRoutes = (app, ctx) => {
  const rates = new RateTracker(ctx.now);
  const params = (p: unknown) => p as { namespace: string; name: string };

  app.get('/api/namespaces/:namespace/deployments/:name', async (request) => {
    const user = await ctx.user(request);
    const { namespace, name } = params(request.params);
    const d = await getDeployment(user, namespace, name);
    const [row, savepoints, events, job] = await Promise.all([deploymentRow(user, d), listSavepoints(user, namespace, name), eventsOf(user, namespace, name), jobView(ctx, rates, user, d)]);
    return {
      deployment: row, spec: d.spec, status: d.status,
      specChanges: specDiff(parseReconciledSpec(d.status?.lastReconciledSpec), d.spec),
      savepoints: savepoints.map((s) => ({ name: s.metadata.name, phase: s.status?.phase, origin: s.spec?.origin, path: s.status?.path, completedAt: s.status?.completedAt, failureReason: s.status?.failureReason })),
      events, job,
    };
  });

  app.get('/api/namespaces/:namespace/deployments/:name/pod-logs', async (request) => {
    const user = await ctx.user(request);
    const { namespace, name } = params(request.params);
    return { pods: await podLogs(user, user.connection, namespace, name) };
  });

  app.get('/namespaces/:namespace/deployments/:name/pod-logs-fragment', async (request, reply) => {
    const user = await ctx.user(request);
    const { namespace, name } = params(request.params);
    return reply.type('text/html').send(podLogsFragment(await liveLogs(user, namespace, name)).value);
  });

  app.get('/namespaces/:namespace/deployments/:name/job-fragment', async (request, reply) => {
    const user = await ctx.user(request);
    const { namespace, name } = params(request.params);
    const d = await getDeployment(user, namespace, name);
    return reply.type('text/html').send(jobFragment(await jobView(ctx, rates, user, d), ctx.now()).value);
  });

  app.get('/namespaces/:namespace/deployments/:name', async (request, reply) => {
    const user = await ctx.user(request);
    const { namespace, name } = params(request.params);
    const d = await getDeployment(user, namespace, name);
    const [row, savepoints, events, job, logs] = await Promise.all([deploymentRow(user, d), listSavepoints(user, namespace, name), eventsOf(user, namespace, name), jobView(ctx, rates, user, d), liveLogs(user, namespace, name)]);
    const changes = specDiff(parseReconciledSpec(d.status?.lastReconciledSpec), d.spec);
    const back = `/namespaces/${namespace}/deployments/${name}`;
    const q = request.query as { done?: string; failed?: string };
    const flash = q.failed ? { kind: 'error' as const, text: q.failed } : q.done ? { kind: 'ok' as const, text: q.done } : undefined;
    const body = html`<p><a href="/namespaces/${namespace}">Deployments in ${namespace}</a> · <a href="/namespaces/${namespace}/deployments/${name}/logs">Logs</a></p>
<dl class="summary" data-testid="summary">
<dt>State</dt><dd>${row.state}</dd><dt>Phase</dt><dd class="phase-${row.phase ?? ''}" data-testid="phase">${row.phase ?? ''}</dd>
${row.reason ? html`<dt>Reason</dt><dd>${row.reason}</dd>` : ''}
<dt>Job</dt><dd>${row.jobState ?? 'none'}</dd><dt>CU</dt><dd>${row.cu ?? 0} in use${row.requiredCU !== undefined ? html` of ${row.requiredCU} required` : ''}</dd>
<dt>Queue</dt><dd>${row.queue}</dd><dt>Parallelism</dt><dd>${row.parallelism ?? 1}</dd>
</dl>
<section aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2>${ACTIONS.map((a) => actionForm(row, a, back))}</section>
<section aria-labelledby="job-h"><h2 id="job-h">Running job</h2><div data-testid="job" data-refresh-ms="2000" data-src="/namespaces/${namespace}/deployments/${name}/job-fragment" aria-live="polite">${jobFragment(job, ctx.now())}</div></section>
<section aria-labelledby="sp-h"><h2 id="sp-h">Savepoints</h2>${savepoints.length === 0 ? html`<p>none</p>` : html`<table data-testid="savepoints"><thead><tr><th scope="col">Name</th><th scope="col">Origin</th><th scope="col">Phase</th><th scope="col">Path</th><th scope="col" class="num">Age</th></tr></thead><tbody>
${savepoints.map((s) => html`<tr><th scope="row">${s.metadata.name}</th><td>${String(s.spec?.origin ?? '')}</td><td>${String(s.status?.phase ?? 'Pending')}${s.status?.failureReason ? html`<br><span class="help">${String(s.status.failureReason)}</span>` : ''}</td><td><code>${String(s.status?.path ?? '')}</code></td><td class="num">${age(s.metadata.creationTimestamp, ctx.now())}</td></tr>`)}</tbody></table>`}</section>
<section aria-labelledby="diff-h"><h2 id="diff-h">Running spec and current spec</h2>${d.status?.lastReconciledSpec === undefined ? html`<p>No job was started from this spec yet.</p>` : changes.length === 0 ? html`<p data-testid="spec-same">The running job was made from the current spec.</p>` : html`<table data-testid="spec-diff"><thead><tr><th scope="col">Field</th><th scope="col">Running</th><th scope="col">Current</th></tr></thead><tbody>${changes.map((c) => html`<tr><th scope="row"><code>${c.path}</code></th><td><code>${c.running ?? '(unset)'}</code></td><td><code>${c.desired ?? '(unset)'}</code></td></tr>`)}</tbody></table>`}</section>
<section aria-labelledby="logs-h"><h2 id="logs-h">Live logs</h2><p class="help">The last 200 lines of each pod, refreshed every 5 s. Logs of ended jobs: <a href="/namespaces/${namespace}/deployments/${name}/logs">archived logs</a>.</p><div data-testid="pod-logs" data-refresh-ms="5000" data-src="/namespaces/${namespace}/deployments/${name}/pod-logs-fragment">${podLogsFragment(logs)}</div></section>
<section aria-labelledby="ev-h"><h2 id="ev-h">Events</h2>${events.length === 0 ? html`<p>none</p>` : html`<table data-testid="events"><thead><tr><th scope="col">Type</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col" class="num">Count</th><th scope="col" class="num">Last</th></tr></thead><tbody>
${events.map((e) => html`<tr><td>${e.type ?? ''}</td><td>${e.reason ?? ''}</td><td>${e.message ?? ''}</td><td class="num">${e.count ?? 1}</td><td class="num">${age(e.lastTimestamp, ctx.now())}</td></tr>`)}</tbody></table>`}</section>`;
    return reply.type('text/html').send(page(`${name}`, body, user, flash));
  });
};
