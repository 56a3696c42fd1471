// Drafts: a SQL (or YAML pipeline) editor per namespace with validation (line and column),
// EXPLAIN shown as a plan, versions kept in the workspace bucket (drafts/namespaces/<ns>/...,
// see drafts/draft-store.ts), and deploy to a Deployment. Reading drafts needs what reading the
// namespace's Deployments needs; saving needs `create deployments` (an editor); deploying is a
// create or patch of the Deployment with the user's own token.
import type { FastifyRequest } from 'fastify';
import { API_VERSION, GROUP } from '../../api/v1alpha1/meta.ts';
import { isNotFound } from '../../kube/rest-client.ts';
import type { ConsoleContext, ConsoleRoutes, ConsoleUser } from '../context.ts';
import { reply303OrJson } from '../context.ts';
import { checkDraftName, DRAFT_KINDS, type DraftKind, type DraftStore, type DraftVersion } from '../drafts/draft-store.ts';
import { validatePipelineDraft } from '../drafts/pipeline-check.ts';
import { draftUdfTypes, explainSqlDraft, sqlArtifactFiles, validateSqlDraft, type DraftUdfTypes, type SqlPlan } from '../drafts/sql-check.ts';
import { scriptFunctions } from '../../../runtime/sql/udf/udf-modules.ts';
import { workspaceStores } from './artifacts.ts';
import { toConsoleError } from '../error-mapping.ts';
import { ConsoleError } from '../errors.ts';
import type { MillraceObject } from '../kube/millrace-objects.ts';
import { html, type Html } from '../ui/html.ts';
import { page } from '../ui/layout.ts';
import type { ScriptProblem } from '../../../runtime/sql/session/validate-script.ts';

const readPermission = (namespace: string) => ({ verb: 'list', group: GROUP, resource: 'deployments', namespace });
const writePermission = (namespace: string) => ({ verb: 'create', group: GROUP, resource: 'deployments', namespace });

function store(ctx: ConsoleContext): DraftStore {
  if (!ctx.drafts) throw new ConsoleError('MR_ERR_CONSOLE_NOT_CONFIGURED', 'this console has no drafts storage: start it with --drafts-storage s3://<workspace-bucket> (or a directory)');
  return ctx.drafts;
}

function kindOf(v: unknown): DraftKind {
  const k = typeof v === 'string' && v !== '' ? v : 'sql';
  if (!(DRAFT_KINDS as readonly string[]).includes(k)) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `kind must be sql or pipeline, got '${k}'`);
  return k as DraftKind;
}

const textOf = (v: unknown) => {
  if (typeof v !== 'string') throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', 'body field text is required: the SQL script or YAML pipeline');
  return v.replace(/\r\n/g, '\n');
};

export interface CheckResult { ok: boolean; problems: ScriptProblem[]; plans?: SqlPlan[] }

/** `udf`: the types of the draft's JAVASCRIPT functions from the namespace's sql-artifacts (udfTypesOf), as a Deployment's check uses them. */
export function checkDraft(kind: DraftKind, text: string, explain: boolean, udf: DraftUdfTypes = { problems: [] }): CheckResult {
  if (kind === 'pipeline') return validatePipelineDraft(text);
  if (!explain) { const v = validateSqlDraft(text, udf.declared); return { ok: v.ok && udf.problems.length === 0, problems: [...udf.problems, ...v.problems] }; }
  const r = explainSqlDraft(text, udf.declared);
  return { ok: r.validation.ok && udf.problems.length === 0, problems: [...udf.problems, ...r.validation.problems], plans: r.plans };
}

/** Reads the types files only for a SQL draft that creates JAVASCRIPT functions; a bucket that cannot be read is the draft's problem. */
async function udfTypesOf(ctx: ConsoleContext, namespace: string, kind: DraftKind, text: string): Promise<DraftUdfTypes | undefined> {
  if (kind !== 'sql' || !(scriptFunctions(text)?.length)) return undefined;
  try {
    return await draftUdfTypes(text, namespace, sqlArtifactFiles(await workspaceStores(ctx, namespace), namespace));
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { problems: [{ code: err.code?.startsWith('MR_ERR_') ? err.code as `MR_ERR_${string}` : 'MR_ERR_CONSOLE_STORAGE', message: `the types of the draft's JAVASCRIPT functions are read from namespace ${namespace}'s sql-artifacts folder, which cannot be read: ${err.message ?? String(e)}` }] };
  }
}

/** Creates the Deployment running this draft, or points an existing one at it (as the user). */
/** Optional sizes of a new Deployment from the deploy form; empty fields keep the API defaults. */
export function deploySizes(b: { jobManagerCU?: unknown; taskManagerCU?: unknown; parallelism?: unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const cu = (v: unknown, field: string) => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0.25 || Math.round(n * 4) !== n * 4) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `${field} must be a number of CU in steps of 0.25 (0.25, 0.5, 1, ...), got '${String(v)}'`);
    return n;
  };
  const jm = cu(b.jobManagerCU, 'jobManagerCU');
  const tm = cu(b.taskManagerCU, 'taskManagerCU');
  if (jm !== undefined) out.jobManager = { cu: jm };
  if (tm !== undefined) out.taskManager = { cu: tm };
  if (b.parallelism !== undefined && b.parallelism !== '') {
    const p = Number(b.parallelism);
    if (!Number.isInteger(p) || p < 1 || p > 4096) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `parallelism must be a whole number from 1 to 4096, got '${String(b.parallelism)}'`);
    out.parallelism = p;
  }
  return out;
}

async function deployDraft(user: ConsoleUser, namespace: string, deployment: string, kind: DraftKind, text: string, sizes: Record<string, unknown> = {}): Promise<'created' | 'updated'> {
  checkDraftName(deployment);
  const source = kind === 'sql' ? { sql: text, pipeline: null, artifact: null } : { pipeline: text, sql: null, artifact: null };
  try {
    await user.kube.mergePatch({ apiVersion: API_VERSION, kind: 'Deployment', namespace, name: deployment }, { spec: { source } });
    return 'updated';
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await user.kube.create<MillraceObject>({ apiVersion: API_VERSION, kind: 'Deployment', metadata: { name: deployment, namespace }, spec: { source: kind === 'sql' ? { sql: text } : { pipeline: text }, state: 'running', parallelism: 1, ...sizes } });
  return 'created';
}

function problemsList(r: CheckResult | undefined): Html {
  if (!r) return html``;
  if (r.ok) return html`<p role="status" class="flash ok" data-testid="validation-ok">Valid.</p>`;
  return html`<div role="alert" data-testid="validation-problems"><p class="flash error">${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:</p><ul class="diagnostics">
${r.problems.map((p) => html`<li><a href="#text" data-line="${p.line ?? ''}" data-column="${p.column ?? ''}">${p.line !== undefined ? `line ${p.line}, column ${p.column ?? 1}` : 'script'}</a>: <code>${p.code}</code> ${p.message}</li>`)}</ul></div>`;
}

function editorPage(o: { namespace: string; name: string; kind: DraftKind; text: string; versions: number[]; current?: DraftVersion; result?: CheckResult; canWrite: boolean; deployTo: string }): Html {
  const base = `/namespaces/${o.namespace}/drafts/${o.name}`;
  const plans = o.result?.plans ?? [];
  const no = o.canWrite ? '' : html` disabled aria-describedby="write-why"`;
  return html`<p><a href="/namespaces/${o.namespace}/drafts">Drafts in ${o.namespace}</a> · <a href="/namespaces/${o.namespace}">Deployments</a></p>
${o.current ? html`<p class="help">Version ${o.current.version}, saved by ${o.current.savedBy} at ${o.current.savedAt}</p>` : html`<p class="help">New draft (not saved yet)</p>`}
<form method="post" action="${base}">
<input type="hidden" name="kind" value="${o.kind}">
<p><label for="text" id="text-label">${o.kind === 'sql' ? 'SQL script' : 'YAML pipeline'}</label><br>
<textarea id="text" name="text" class="code" rows="18" spellcheck="false" aria-describedby="text-help"${o.kind === 'sql' ? html` data-editor="sql"` : ''}>${o.text}</textarea></p>
${o.kind === 'sql' ? html`<script src="/static/sql-editor.js" defer></script>` : ''}
<p id="text-help" class="help">${o.kind === 'sql' ? 'Flink SQL: CREATE TABLE ... WITH (...); INSERT INTO ... SELECT ...; statements end with a semicolon.' : 'A Millrace YAML pipeline (source, steps, sink).'}</p>
${problemsList(o.result)}
<p>
<button type="submit" name="op" value="validate">Validate</button>
${o.kind === 'sql' ? html`<button type="submit" name="op" value="explain">Explain</button>` : ''}
<button type="submit" name="op" value="save"${no}>Save version</button>
</p>
<fieldset><legend>Deploy</legend>
<label for="deployment">Deployment</label> <input id="deployment" name="deployment" value="${o.deployTo}" size="20"${o.canWrite ? '' : html` disabled`}>
<label for="parallelism">Parallelism</label> <input id="parallelism" name="parallelism" type="number" min="1" max="4096" size="4" placeholder="1"${o.canWrite ? '' : html` disabled`}>
<label for="jm-cu">JobManager CU</label> <input id="jm-cu" name="jobManagerCU" type="number" min="0.25" step="0.25" size="4" placeholder="1"${o.canWrite ? '' : html` disabled`}>
<label for="tm-cu">TaskManager CU</label> <input id="tm-cu" name="taskManagerCU" type="number" min="0.25" step="0.25" size="4" placeholder="1"${o.canWrite ? '' : html` disabled`}>
<button type="submit" name="op" value="deploy"${no}>Deploy</button>
<span class="help">A new Deployment gets these sizes (empty: the API defaults); an existing one only gets the new source.</span>
</fieldset>
<p>
${o.canWrite ? '' : html`<span id="write-why" class="help">Your role may read drafts but not save or deploy them.</span>`}
</p>
</form>
${plans.length ? html`<section aria-labelledby="plan-h"><h2 id="plan-h">Plan</h2>${plans.map((p) => html`<h3>Line ${p.line}: <code>${p.statement.slice(0, 80)}${p.statement.length > 80 ? '…' : ''}</code></h3><pre data-testid="plan">${p.plan}</pre>`)}</section>` : ''}
<section aria-labelledby="versions-h"><h2 id="versions-h">Versions</h2>${o.versions.length === 0 ? html`<p>none</p>` : html`<ol data-testid="versions">${o.versions.map((v) => html`<li><a href="${base}?version=${v}">version ${v}</a></li>`)}</ol>`}</section>`;
}

function draftParams(request: FastifyRequest): { namespace: string; name: string } {
  const p = request.params as { namespace: string; name: string };
  checkDraftName(p.name);
  return p;
}

export const draftRoutes: ConsoleRoutes = (app, ctx) => {
  // --- JSON API ---
  app.get('/api/namespaces/:namespace/drafts', async (request) => {
    const user = await ctx.user(request);
    const { namespace } = request.params as { namespace: string };
    await user.require(readPermission(namespace));
    return { drafts: await store(ctx).list(namespace) };
  });
  app.get('/api/namespaces/:namespace/drafts/:name', async (request) => {
    const user = await ctx.user(request);
    const { namespace, name } = draftParams(request);
    await user.require(readPermission(namespace));
    const version = (request.query as { version?: string }).version;
    const s = store(ctx);
    return { draft: await s.read(namespace, name, version ? Number(version) : undefined), versions: await s.versions(namespace, name) };
  });
  app.put('/api/namespaces/:namespace/drafts/:name', async (request) => {
    const user = await ctx.user(request);
    const { namespace, name } = draftParams(request);
    await user.require(writePermission(namespace));
    const b = (request.body ?? {}) as { kind?: unknown; text?: unknown };
    return { draft: await store(ctx).save(namespace, name, kindOf(b.kind), textOf(b.text), user.name) };
  });
  for (const op of ['validate', 'explain'] as const) {
    app.post(`/api/namespaces/:namespace/drafts/:name/${op}`, async (request) => {
      const user = await ctx.user(request);
      const { namespace } = draftParams(request);
      await user.require(readPermission(namespace));
      const b = (request.body ?? {}) as { kind?: unknown; text?: unknown };
      const kind = kindOf(b.kind);
      const text = textOf(b.text);
      return checkDraft(kind, text, op === 'explain', await udfTypesOf(ctx, namespace, kind, text));
    });
  }
  app.post('/api/namespaces/:namespace/drafts/:name/deploy', async (request) => {
    const user = await ctx.user(request);
    const { namespace, name } = draftParams(request);
    const b = (request.body ?? {}) as { kind?: unknown; text?: unknown; deployment?: unknown; jobManagerCU?: unknown; taskManagerCU?: unknown; parallelism?: unknown };
    const kind = kindOf(b.kind);
    const text = textOf(b.text);
    const sizes = deploySizes(b);
    const check = checkDraft(kind, text, false, await udfTypesOf(ctx, namespace, kind, text));
    if (!check.ok) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `the draft does not validate: ${check.problems.map((p) => `${p.line ? `line ${p.line}, column ${p.column}: ` : ''}${p.message}`).join('; ')}`);
    const deployment = typeof b.deployment === 'string' && b.deployment ? b.deployment : name;
    return { deployment, result: await deployDraft(user, namespace, deployment, kind, text, sizes) };
  });

  // --- pages ---
  app.get('/namespaces/:namespace/drafts', async (request, reply) => {
    const user = await ctx.user(request);
    const { namespace } = request.params as { namespace: string };
    await user.require(readPermission(namespace));
    const canWrite = await user.canI(writePermission(namespace));
    const names = ctx.drafts ? await ctx.drafts.list(namespace) : [];
    const body = html`<p><a href="/namespaces/${namespace}">Deployments in ${namespace}</a></p>
${ctx.drafts ? '' : html`<p role="alert" class="flash error">This console has no drafts storage (start it with --drafts-storage).</p>`}
${names.length === 0 ? html`<p>No drafts yet.</p>` : html`<ul data-testid="drafts">${names.map((n) => html`<li><a href="/namespaces/${namespace}/drafts/${n}">${n}</a></li>`)}</ul>`}
<h2>New draft</h2>
<form method="get" action="/namespaces/${namespace}/drafts/new">
<p><label for="draft-name">Name</label> <input id="draft-name" name="name" required pattern="[a-z0-9]([-a-z0-9]*[a-z0-9])?" size="24" aria-describedby="draft-name-help">
<label for="draft-kind">Kind</label> <select id="draft-kind" name="kind"><option value="sql">SQL</option><option value="pipeline">YAML pipeline</option></select>
<button type="submit"${canWrite ? '' : html` disabled`}>Create</button></p>
<p id="draft-name-help" class="help">Lower-case letters, digits and '-'; also the default name of the Deployment it deploys to.</p>
</form>`;
    return reply.type('text/html').send(page(`Drafts in ${namespace}`, body, user));
  });

  app.get('/namespaces/:namespace/drafts/new', async (request, reply) => {
    const { namespace } = request.params as { namespace: string };
    const q = request.query as { name?: string; kind?: string };
    checkDraftName(q.name ?? '');
    return reply.redirect(`/namespaces/${namespace}/drafts/${q.name}?kind=${encodeURIComponent(kindOf(q.kind))}`, 303);
  });

  app.get('/namespaces/:namespace/drafts/:name', async (request, reply) => {
    const user = await ctx.user(request);
    const { namespace, name } = draftParams(request);
    await user.require(readPermission(namespace));
    const q = request.query as { version?: string; kind?: string; done?: string };
    const s = store(ctx);
    const versions = await s.versions(namespace, name);
    const current = versions.length ? await s.read(namespace, name, q.version ? Number(q.version) : undefined) : undefined;
    const kind = current?.kind ?? kindOf(q.kind);
    const body = editorPage({ namespace, name, kind, text: current?.text ?? '', versions, current, canWrite: await user.canI(writePermission(namespace)), deployTo: name });
    return reply.type('text/html').send(page(`Draft ${name}`, body, user, q.done ? { kind: 'ok', text: q.done } : undefined));
  });

  // the editor's form: validate and explain render the page with the result; save and deploy redirect
  app.post('/namespaces/:namespace/drafts/:name', async (request, reply) => {
    const user = await ctx.user(request);
    const { namespace, name } = draftParams(request);
    await user.require(readPermission(namespace));
    const b = (request.body ?? {}) as { kind?: unknown; text?: unknown; op?: unknown; deployment?: unknown; jobManagerCU?: unknown; taskManagerCU?: unknown; parallelism?: unknown };
    const kind = kindOf(b.kind);
    const text = textOf(b.text);
    const s = store(ctx);
    const canWrite = await user.canI(writePermission(namespace));
    const render = async (result: CheckResult | undefined, flash?: { kind: 'ok' | 'error'; text: string }) => {
      const versions = await s.versions(namespace, name);
      const current = versions.length ? await s.read(namespace, name) : undefined;
      const deployTo = typeof b.deployment === 'string' && b.deployment ? b.deployment : name;
      return reply.type('text/html').send(page(`Draft ${name}`, editorPage({ namespace, name, kind, text, versions, current, result, canWrite, deployTo }), user, flash));
    };
    switch (b.op) {
      case 'validate': return render(checkDraft(kind, text, false, await udfTypesOf(ctx, namespace, kind, text)));
      case 'explain': return render(checkDraft(kind, text, true, await udfTypesOf(ctx, namespace, kind, text)));
      case 'save': {
        await user.require(writePermission(namespace));
        const v = await s.save(namespace, name, kind, text, user.name);
        return reply303OrJson(request, reply, `/namespaces/${namespace}/drafts/${name}?done=${encodeURIComponent(`saved version ${v.version}`)}`, { draft: v });
      }
      case 'deploy': {
        const check = checkDraft(kind, text, false, await udfTypesOf(ctx, namespace, kind, text));
        if (!check.ok) return render(check, { kind: 'error', text: 'Not deployed: the draft does not validate.' });
        const deployment = typeof b.deployment === 'string' && b.deployment ? b.deployment : name;
        try {
          const result = await deployDraft(user, namespace, deployment, kind, text, deploySizes(b));
          return reply303OrJson(request, reply, `/namespaces/${namespace}/deployments/${deployment}?done=${encodeURIComponent(`deployment ${deployment} ${result} from draft ${name}`)}`, { deployment, result });
        } catch (err) {
          const e = toConsoleError(err);
          return render(undefined, { kind: 'error', text: `${e.code}: ${e.message}` });
        }
      }
      default: throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `op must be validate, explain, save or deploy, got '${String(b.op ?? '')}'`);
    }
  });
};
