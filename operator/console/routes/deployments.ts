// A namespace's Deployments: the list (state, phase, job status, CU, queue, age) and the actions
// start, suspend, cancel, take savepoint, change parallelism and restore from a savepoint.
// Buttons are disabled where the user's access review says no (and say why); the action
// endpoint checks again and then makes the change with the user's own token, so the API server
// refuses whatever RBAC does not allow, whatever a page showed.
import type { FastifyRequest } from 'fastify';
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import type { ConsoleRoutes, ConsoleUser } from '../context.ts';
import { reply303OrJson, wantsHtml } from '../context.ts';
import { toConsoleError } from '../error-mapping.ts';
import { ConsoleError } from '../errors.ts';
import { getDeployment, listDeployments, type MillraceObject } from '../kube/millrace-objects.ts';
import { ACTIONS, actionChange, actionNotApplicable, actionPermission, isAction, type ActionName, type DeploymentState } from '../model/deployment-actions.ts';
import { age } from '../model/format.ts';
import { html, type Html } from '../ui/html.ts';
import { page } from '../ui/layout.ts';

export interface DeploymentRow {
  name: string;
  namespace: string;
  state: string;
  phase?: string;
  jobState?: string;
  cu?: number;
  requiredCU?: number;
  queue: string;
  parallelism?: number;
  createdAt?: string;
  reason?: string;
  /** per action: undefined when allowed and applicable, else why not */
  actions: Record<ActionName, { allowed: boolean; reason?: string }>;
}

const stateOf = (d: MillraceObject): DeploymentState => ({ name: d.metadata.name, namespace: d.metadata.namespace ?? '', state: d.spec?.state as string | undefined, phase: d.status?.phase as string | undefined });

export async function deploymentRow(user: ConsoleUser, d: MillraceObject): Promise<DeploymentRow> {
  const st = stateOf(d);
  const entries = await Promise.all(ACTIONS.map(async (a) => {
    const permission = actionPermission(a, st);
    if (!(await user.canI(permission))) return [a, { allowed: false, reason: `your role may not ${permission.verb} ${permission.resource} in ${st.namespace}` }] as const;
    const na = actionNotApplicable(a, st);
    return [a, na ? { allowed: false, reason: na } : { allowed: true }] as const;
  }));
  const status = d.status ?? {};
  const job = status.job as { state?: string } | undefined;
  return {
    name: st.name, namespace: st.namespace, state: st.state ?? 'running', phase: st.phase, jobState: job?.state,
    cu: status.cuInUse as number | undefined, requiredCU: status.requiredCU as number | undefined,
    queue: (d.spec?.queue as string | undefined) ?? 'default-queue', parallelism: d.spec?.parallelism as number | undefined,
    createdAt: d.metadata.creationTimestamp, reason: status.reason as string | undefined,
    actions: Object.fromEntries(entries) as DeploymentRow['actions'],
  };
}

const LABELS: Record<ActionName, string> = { start: 'Start', suspend: 'Suspend', cancel: 'Cancel', savepoint: 'Take savepoint', parallelism: 'Set parallelism', restore: 'Restore' };

/** One action as a form: a real button, disabled (with the reason as its description) when not allowed. */
export function actionForm(r: DeploymentRow, a: ActionName, back: string): Html {
  const act = r.actions[a];
  const id = `${r.name}-${a}`;
  const why = act.allowed ? '' : html`<span id="${id}-why" class="visually-hidden">${act.reason ?? ''}</span>`;
  const disabled = act.allowed ? '' : html` disabled aria-describedby="${id}-why" title="${act.reason ?? ''}"`;
  const field = a === 'parallelism'
    ? html`<label class="visually-hidden" for="${id}-value">Parallelism of ${r.name}</label><input id="${id}-value" name="parallelism" type="number" min="1" max="4096" size="4" value="${r.parallelism ?? 1}"${act.allowed ? '' : html` disabled`}>`
    : a === 'restore'
      ? html`<label class="visually-hidden" for="${id}-value">Savepoint to restore ${r.name} from</label><input id="${id}-value" name="savepointName" placeholder="savepoint name" size="14"${act.allowed ? '' : html` disabled`}>`
      : '';
  return html`<form class="inline" method="post" action="/api/namespaces/${r.namespace}/deployments/${r.name}/actions/${a}"><input type="hidden" name="back" value="${back}">${field}<button type="submit" data-action="${a}"${disabled}>${LABELS[a]}</button>${why}</form>`;
}

function listPage(namespace: string, rows: DeploymentRow[], now: number): Html {
  const back = `/namespaces/${namespace}`;
  return html`<p><a href="/">All namespaces</a> · <a href="/namespaces/${namespace}/drafts">Drafts</a> · <a href="/namespaces/${namespace}/artifacts">Artifacts</a></p>
${rows.length > 0 && rows.every((r) => ACTIONS.every((a) => r.actions[a].reason?.startsWith('your role'))) ? html`<p class="help" data-testid="read-only">Your role in ${namespace} may read deployments but not change them: the actions are disabled.</p>` : ''}
${rows.length === 0 ? html`<p>No deployments in ${namespace}.</p>` : html`<table data-testid="deployments">
<thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Phase</th><th scope="col">Job</th><th scope="col" class="num">CU</th><th scope="col">Queue</th><th scope="col" class="num">Age</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows.map((r) => html`<tr data-testid="deployment-${r.name}">
<th scope="row"><a href="/namespaces/${namespace}/deployments/${r.name}">${r.name}</a></th>
<td>${r.state}</td><td class="phase-${r.phase ?? ''}">${r.phase ?? ''}${r.reason && r.phase !== 'Running' ? html`<br><span class="help">${r.reason}</span>` : ''}</td>
<td>${r.jobState ?? ''}</td><td class="num">${r.cu ?? 0}${r.requiredCU !== undefined ? html` / ${r.requiredCU}` : ''}</td><td>${r.queue}</td><td class="num">${age(r.createdAt, now)}</td>
<td>${ACTIONS.map((a) => actionForm(r, a, back))}</td></tr>`)}</tbody></table>`}`;
}

function actionTarget(request: FastifyRequest): { namespace: string; name: string; action: ActionName } {
  const { namespace, name, action } = request.params as { namespace: string; name: string; action: string };
  if (!isAction(action)) throw new ConsoleError('MR_ERR_CONSOLE_NOT_FOUND', `no action '${action}': use one of ${ACTIONS.join(', ')}`);
  return { namespace, name, action };
}

const localBack = (v: unknown, fallback: string) => (typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') ? v : fallback);

export const deploymentRoutes: ConsoleRoutes = (app, ctx) => {
  app.get('/api/namespaces/:namespace/deployments', async (request) => {
    const user = await ctx.user(request);
    const { namespace } = request.params as { namespace: string };
    const items = await listDeployments(user, namespace);
    return { deployments: await Promise.all(items.map((d) => deploymentRow(user, d))) };
  });

  app.get('/namespaces/:namespace', async (request, reply) => {
    const user = await ctx.user(request);
    const { namespace } = request.params as { namespace: string };
    const items = await listDeployments(user, namespace);
    const rows = await Promise.all(items.map((d) => deploymentRow(user, d)));
    const q = request.query as { done?: string; failed?: string };
    const flash = q.failed ? { kind: 'error' as const, text: q.failed } : q.done ? { kind: 'ok' as const, text: q.done } : undefined;
    return reply.type('text/html').send(page(`Deployments in ${namespace}`, listPage(namespace, rows, ctx.now()), user, flash));
  });

  app.post('/api/namespaces/:namespace/deployments/:name/actions/:action', async (request, reply) => {
    const user = await ctx.user(request);
    const { namespace, name, action } = actionTarget(request);
    const body = (request.body ?? {}) as { parallelism?: unknown; savepointName?: unknown; back?: unknown };
    const back = localBack(body.back, `/namespaces/${namespace}/deployments/${name}`);
    try {
      // authorization first (a coded 403 naming the permission), then the change as the user
      await user.require(actionPermission(action, { namespace, name }));
      const d = await getDeployment(user, namespace, name);
      const na = actionNotApplicable(action, stateOf(d));
      if (na) throw new ConsoleError('MR_ERR_CONSOLE_CONFLICT', `cannot ${action} ${namespace}/${name}: ${na}`);
      const change = actionChange(action, stateOf(d), body);
      let result: MillraceObject;
      if (change.kind === 'mergePatch') result = await user.kube.mergePatch<MillraceObject>({ apiVersion: API_VERSION, kind: 'Deployment', namespace, name }, change.patch);
      else result = await user.kube.create<MillraceObject>(change.object as unknown as MillraceObject);
      ctx.log.info({ user: user.name, namespace, deployment: name, action }, 'console action');
      const done = action === 'savepoint' ? `savepoint ${result.metadata.name} requested for ${name}` : `${action} ${name}: done`;
      return reply303OrJson(request, reply, `${back}${back.includes('?') ? '&' : '?'}done=${encodeURIComponent(done)}`, { action, deployment: name, object: { kind: result.kind, name: result.metadata.name } });
    } catch (err) {
      // a browser form post: back to the page with the refusal shown; API clients get the coded error
      const e = toConsoleError(err);
      if (wantsHtml(request) && e.code !== 'MR_ERR_CONSOLE_UNAUTHENTICATED' && e.code !== 'MR_ERR_CONSOLE_INTERNAL') {
        return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}failed=${encodeURIComponent(`${e.code}: ${e.message}`)}`, 303);
      }
      throw err;
    }
  });
};
