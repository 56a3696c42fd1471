// Home page and API: the Millrace namespaces the user may see, grouped by workspace, with CU
// capacity, used and free per namespace and per queue, and each queue's waiting list (FIFO).
import type { ConsoleRoutes, ConsoleUser, ConsoleContext } from '../context.ts';
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { listDeployments, listQueues, visibleNamespaces, kubernetesNamespaceOf, type MillraceObject } from '../kube/millrace-objects.ts';
import { namespaceView, type NamespaceView } from '../model/capacity.ts';
import { html } from '../ui/html.ts';
import { page } from '../ui/layout.ts';

async function namespaceViews(ctx: ConsoleContext, user: ConsoleUser): Promise<NamespaceView[]> {
  const namespaces = await visibleNamespaces(ctx.service, user);
  return Promise.all(namespaces.map(async (ns) => {
    const k = kubernetesNamespaceOf(ns);
    const [queues, deployments] = await Promise.all([listQueues(user, k), listDeployments(user, k)]);
    return namespaceView(ns, queues, deployments);
  }));
}

/**
 * Capacity of the workspaces of the namespaces shown (read by the console's service account:
 * members cannot read Workspaces; only these numbers are shown, and only to members).
 */
async function workspaceCapacities(ctx: ConsoleContext, views: NamespaceView[]): Promise<Map<string, { capacity: number; allocated: number; used: number }>> {
  const names = new Set(views.map((v) => v.workspace));
  const out = new Map<string, { capacity: number; allocated: number; used: number }>();
  if (names.size === 0) return out;
  const list = await ctx.service.list<MillraceObject>({ apiVersion: API_VERSION, kind: 'Workspace' }).catch(() => ({ items: [] as MillraceObject[] }));
  for (const w of list.items) {
    if (!names.has(w.metadata.name)) continue;
    const n = (v: unknown) => (typeof v === 'number' ? v : 0);
    const spec = w.spec as { capacityCU?: number } | undefined;
    out.set(w.metadata.name, { capacity: n(w.status?.capacityCU ?? spec?.capacityCU), allocated: n(w.status?.allocatedCU), used: n(w.status?.usedCU) });
  }
  return out;
}

const bar = (used: number, capacity: number) => {
  const pct = capacity > 0 ? Math.min(100, Math.round((used / capacity) * 100)) : 0;
  return html`<meter min="0" max="${capacity || 1}" value="${used}" aria-label="used ${pct}%">${pct}%</meter>`;
};

export function namespaceSection(v: NamespaceView) {
  return html`<section aria-labelledby="ns-${v.kubernetesNamespace}" data-testid="namespace-${v.kubernetesNamespace}">
<h2 id="ns-${v.kubernetesNamespace}"><a href="/namespaces/${v.kubernetesNamespace}">${v.name}</a> <span class="help">workspace ${v.workspace ?? '?'}${v.phase ? html` · ${v.phase}` : ''}</span></h2>
<p>Quota <strong>${v.capacity} CU</strong> · allocated to queues ${v.allocated} CU · used <strong>${v.used} CU</strong> · free <strong>${v.free} CU</strong> ${bar(v.used, v.capacity)}</p>
<table>
<caption class="help">Queues of ${v.name}</caption>
<thead><tr><th scope="col">Queue</th><th scope="col" class="num">CU</th><th scope="col" class="num">Used</th><th scope="col" class="num">Free</th><th scope="col">Waiting (first in line first)</th></tr></thead>
<tbody>
${v.queues.map((q) => html`<tr data-testid="queue-${q.name}"><th scope="row">${q.name}${q.phase && q.phase !== 'Active' ? html` <span class="help">${q.phase}</span>` : ''}</th><td class="num">${q.capacity}</td><td class="num">${q.used}</td><td class="num">${q.free}</td>
<td>${q.waiting.length ? html`<ol class="waiting">${q.waiting.map((w) => html`<li><a href="/namespaces/${v.kubernetesNamespace}/deployments/${w.name}">${w.name}</a>${w.requiredCU !== undefined ? html` (needs ${w.requiredCU} CU)` : ''}</li>`)}</ol>` : html`<span class="help">none</span>`}</td></tr>`)}
</tbody></table>
<p><a href="/namespaces/${v.kubernetesNamespace}">Deployments</a> · <a href="/namespaces/${v.kubernetesNamespace}/drafts">Drafts</a> · <a href="/namespaces/${v.kubernetesNamespace}/artifacts">Artifacts</a></p>
</section>`;
}

export const namespaceRoutes: ConsoleRoutes = (app, ctx) => {
  app.get('/api/namespaces', async (request) => {
    const user = await ctx.user(request);
    return { namespaces: await namespaceViews(ctx, user) };
  });

  app.get('/', async (request, reply) => {
    const user = await ctx.user(request);
    const views = await namespaceViews(ctx, user);
    const workspaces = await workspaceCapacities(ctx, views);
    const byWorkspace = new Map<string, NamespaceView[]>();
    for (const v of views) byWorkspace.set(v.workspace ?? '?', [...(byWorkspace.get(v.workspace ?? '?') ?? []), v]);
    const body = views.length === 0
      ? html`<p data-testid="no-namespaces">You are not a member of any Millrace namespace. An owner of a namespace can add you (Namespace <code>spec.members</code>).</p>`
      : html`${[...byWorkspace].map(([ws, list]) => html`<div class="workspace"><p>Workspace <strong>${ws}</strong>${workspaces.get(ws) ? html`: capacity ${workspaces.get(ws)!.capacity} CU · allocated to namespaces ${workspaces.get(ws)!.allocated} CU · used ${workspaces.get(ws)!.used} CU` : ''}</p>${list.map(namespaceSection)}</div>`)}`;
    return reply.type('text/html').send(page('Namespaces and queues', body, user));
  });
};
