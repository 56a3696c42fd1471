// Artifacts of a namespace in its workspace bucket (artifacts/namespaces/<ns>/<file>, and
// sql-artifacts/namespaces/<ns>/<path> with ?kind=sql-artifacts): list, upload, download and
// delete, for the CLI (`npx millrace artifacts ...`) and the console's pages. Kubernetes RBAC
// decides, by an access review as the signed-in user of the verb on the resource `artifacts` of
// group millrace.dev in the namespace (operator/rbac/member-roles.ts: viewers get and list,
// editors and owners also create and delete). The bucket is reached with the workspace's
// credentials, read by the console's own identity only after that review passed: members never
// see the key, and job pods (whose namespace credentials read artifacts only) never write here.
import type { FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { API_VERSION, GROUP } from '../../api/v1alpha1/meta.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { workspaceStorageTarget } from '../../storage/storage-target.ts';
import { createS3Client } from '../../../runtime/storage/open-object-store.ts';
import { resolveS3Settings } from '../../../runtime/storage/s3-settings.ts';
import { ArtifactStore } from '../../../runtime/artifacts/artifact-store.ts';
import type { ArtifactKind } from '../../../runtime/artifacts/layout.ts';
import { MAX_ARTIFACT_BYTES } from '../../../runtime/artifacts/job-loader.ts';
import type { ConsoleContext, ConsoleRoutes, ConsoleUser } from '../context.ts';
import { reply303OrJson } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { html } from '../ui/html.ts';
import { page } from '../ui/layout.ts';

/** The store of a namespace's workspace bucket; tests give their own. */
export type NamespaceStores = (ctx: ConsoleContext, namespace: string) => Promise<ArtifactStore>;

const cache = new Map<string, { store: ArtifactStore; until: number }>();
/** Where a store's bucket is configured (set by workspaceStores), so a refusal can name the fix. */
const origins = new WeakMap<ArtifactStore, { workspace: string; secret: string }>();

/** Namespace → Workspace → its bucket and credentials (read as the console, after the user's review). */
export const workspaceStores: NamespaceStores = async (ctx, namespace) => {
  const ns = await ctx.service.getOrUndefined<KubeObject & { spec?: { workspace?: string } }>({ apiVersion: API_VERSION, kind: 'Namespace', name: namespace });
  const workspace = ns?.spec?.workspace;
  if (!workspace) throw new ConsoleError('MR_ERR_CONSOLE_NOT_FOUND', `namespace ${namespace} is not a Millrace namespace (no Namespace object names a workspace for it)`);
  const ws = await ctx.service.getOrUndefined<KubeObject & { spec?: { storage?: Parameters<typeof workspaceStorageTarget>[0] } }>({ apiVersion: API_VERSION, kind: 'Workspace', name: workspace });
  const storage = ws?.spec?.storage;
  if (!storage) throw new ConsoleError('MR_ERR_CONSOLE_NOT_CONFIGURED', `workspace ${workspace} has no bucket (spec.storage), so namespace ${namespace} has no artifacts`);
  const cacheKey = `${workspace}|${ws.metadata.resourceVersion ?? ''}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.until > ctx.now()) return hit.store;
  const target = await workspaceStorageTarget(storage, (n, name) => ctx.service.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: n, name }));
  if (!target.ok) throw new ConsoleError('MR_ERR_CONSOLE_STORAGE', `the bucket of workspace ${workspace} cannot be used: ${target.message}`);
  const t = target.target;
  const client = createS3Client(resolveS3Settings({}, { region: t.region, forcePathStyle: t.forcePathStyle, maxAttempts: 2, requestTimeoutMs: 30_000, ...(t.endpoint ? { endpoint: t.endpoint } : {}) }), t.credentials);
  const store = new ArtifactStore(client, t.bucket, t.prefix ?? '');
  origins.set(store, { workspace, secret: `${storage.secretRef.namespace}/${storage.secretRef.name}` });
  cache.set(cacheKey, { store, until: ctx.now() + 60_000 });
  return store;
};

function kindOf(request: FastifyRequest): ArtifactKind {
  const kind = (request.query as { kind?: string }).kind ?? 'artifacts';
  if (kind !== 'artifacts' && kind !== 'sql-artifacts') throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `query parameter kind=${kind} is not valid: use artifacts (job code, SQL files) or sql-artifacts (UDF and connector files)`);
  return kind;
}

/** S3 answers meaning the workspace's key may not use the bucket, or the bucket is not there. */
const REFUSALS = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'AllAccessDisabled', 'NoSuchBucket']);

/**
 * A failure of the workspace bucket as the console's coded error (502, never a 500): which
 * namespace, workspace and bucket, what S3 answered and, when S3 refused the key or knows no such
 * bucket, what to fix (logs.ts uses it too).
 */
export function bucketFailure(err: unknown, store: ArtifactStore, namespace: string): ConsoleError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const origin = origins.get(store);
  const ws = origin ? `Workspace ${origin.workspace}` : 'the Workspace';
  const where = `the bucket ${store.bucket}${store.prefix ? ` (prefix ${store.prefix})` : ''} of ${origin ? `workspace ${origin.workspace}` : "this namespace's workspace"}`;
  const answer = `${e.name ?? 'Error'}${e.message && e.message !== e.name ? `: ${e.message}` : ''}`;
  if (e.name === 'NoSuchBucket') {
    return new ConsoleError('MR_ERR_CONSOLE_STORAGE', `namespace ${namespace}: ${where} does not exist (S3 answered ${answer}); create it, or correct spec.storage.bucket of ${ws}`, { cause: err });
  }
  if ((e.name && REFUSALS.has(e.name)) || e.$metadata?.httpStatusCode === 403) {
    // read the Workspace's Secret again on the next request: a corrected key works at once
    for (const [k, hit] of cache) if (hit.store === store) cache.delete(k);
    const secret = origin ? `the Secret ${origin.secret} (spec.storage.secretRef of ${ws})` : `the Secret of ${ws}'s spec.storage.secretRef`;
    return new ConsoleError('MR_ERR_CONSOLE_STORAGE', `namespace ${namespace}: the console cannot read ${where}: S3 refused the workspace's key (${answer}); fix: ${secret} must hold AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of a key that may read and write ${store.bucket}${origin ? `, then check \`kubectl get mws ${origin.workspace}\` (StorageReady)` : ''}`, { cause: err });
  }
  return new ConsoleError('MR_ERR_CONSOLE_STORAGE', `namespace ${namespace}: ${where} could not be used: ${answer}`, { cause: err });
}

/** Bucket failures become coded console errors naming the bucket and the fix; a bad name names the rule. */
async function storage<T>(store: ArtifactStore, namespace: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConsoleError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'MR_ERR_ARTIFACT_NAME') throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', (err as Error).message);
    if (code === 'MR_ERR_JOB_DIGEST_MISMATCH') throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', (err as Error).message);
    throw bucketFailure(err, store, namespace);
  }
}

const review = (user: ConsoleUser, verb: string, namespace: string, name?: string) => user.require({ verb, group: GROUP, resource: 'artifacts', namespace, ...(name ? { name } : {}) });

export function artifactRoutesWith(stores: NamespaceStores): ConsoleRoutes {
  return async (app, ctx) => {
    // uploads are raw bytes from the CLI; the page's form posts multipart/form-data (no script needed)
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_ARTIFACT_BYTES }, (_req, body, done) => done(null, body));
    await app.register(multipart, { limits: { fileSize: MAX_ARTIFACT_BYTES, files: 1, fields: 5 } });

    app.get('/api/namespaces/:namespace/artifacts', async (request) => {
      const { namespace } = request.params as { namespace: string };
      const user = await ctx.user(request);
      await review(user, 'list', namespace);
      const kind = kindOf(request);
      const store = await stores(ctx, namespace);
      return { namespace, kind, bucket: store.bucket, items: await storage(store, namespace, () => store.list(namespace, kind)) };
    });

    app.put('/api/namespaces/:namespace/artifacts/*', { bodyLimit: MAX_ARTIFACT_BYTES }, async (request) => {
      const { namespace, '*': name } = request.params as { namespace: string; '*': string };
      const user = await ctx.user(request);
      await review(user, 'create', namespace, name);
      if (!Buffer.isBuffer(request.body)) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', 'send the file as the request body with content-type application/octet-stream');
      const store = await stores(ctx, namespace);
      const expected = request.headers['x-millrace-sha256'];
      const info = await storage(store, namespace, () => store.upload(namespace, name, request.body as Buffer, { kind: kindOf(request), uploadedBy: user.name, ...(typeof expected === 'string' ? { expectedSha256: expected } : {}) }));
      ctx.log.info({ namespace, name, user: user.name, sha256: info.sha256, size: info.size }, 'artifact uploaded');
      return info;
    });

    app.get('/api/namespaces/:namespace/artifacts/*', async (request, reply) => {
      const { namespace, '*': name } = request.params as { namespace: string; '*': string };
      const user = await ctx.user(request);
      await review(user, 'get', namespace, name);
      const store = await stores(ctx, namespace);
      const file = await storage(store, namespace, () => store.download(namespace, name, kindOf(request)));
      if (!file) throw new ConsoleError('MR_ERR_CONSOLE_NOT_FOUND', `artifact ${name} does not exist in namespace ${namespace}`);
      reply.type('application/octet-stream').header('content-disposition', `attachment; filename="${name.split('/').pop()!.replace(/"/g, '')}"`);
      if (file.sha256) reply.header('x-millrace-sha256', file.sha256);
      if (file.size !== undefined) reply.header('content-length', String(file.size));
      return reply.send(file.body);
    });

    // the page's upload form: the file under its own name
    app.post('/namespaces/:namespace/artifacts', { bodyLimit: MAX_ARTIFACT_BYTES }, async (request, reply) => {
      const { namespace } = request.params as { namespace: string };
      const user = await ctx.user(request);
      if (!request.isMultipart()) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', 'post the file as multipart/form-data with the field file');
      const file = await request.file();
      if (!file || !file.filename) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', 'form field file is required: choose a file to upload');
      const name = file.filename.split(/[/\\]/).pop()!;
      await review(user, 'create', namespace, name);
      const body = await file.toBuffer().catch((err: unknown) => {
        throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `the file is larger than ${MAX_ARTIFACT_BYTES} bytes, the most a job module may have`, { cause: err });
      });
      const store = await stores(ctx, namespace);
      const info = await storage(store, namespace, () => store.upload(namespace, name, body, { uploadedBy: user.name }));
      ctx.log.info({ namespace, name, user: user.name, sha256: info.sha256, size: info.size }, 'artifact uploaded');
      return reply303OrJson(request, reply, `/namespaces/${encodeURIComponent(namespace)}/artifacts?uploaded=${encodeURIComponent(name)}`, info);
    });

    const remove = async (request: FastifyRequest, namespace: string, name: string) => {
      const user = await ctx.user(request);
      await review(user, 'delete', namespace, name);
      const store = await stores(ctx, namespace);
      if (!(await storage(store, namespace, () => store.delete(namespace, name, kindOf(request))))) throw new ConsoleError('MR_ERR_CONSOLE_NOT_FOUND', `artifact ${name} does not exist in namespace ${namespace}`);
      ctx.log.info({ namespace, name, user: user.name }, 'artifact deleted');
      return { deleted: name };
    };
    app.delete('/api/namespaces/:namespace/artifacts/*', async (request) => {
      const { namespace, '*': name } = request.params as { namespace: string; '*': string };
      return remove(request, namespace, name);
    });
    // the page's delete buttons (a form post, no script needed)
    app.post('/namespaces/:namespace/artifacts/delete', async (request, reply) => {
      const { namespace } = request.params as { namespace: string };
      const name = String((request.body as { name?: unknown } | undefined)?.name ?? '');
      const result = await remove(request, namespace, name);
      return reply303OrJson(request, reply, `/namespaces/${encodeURIComponent(namespace)}/artifacts`, result);
    });

    app.get('/namespaces/:namespace/artifacts', async (request, reply) => {
      const { namespace } = request.params as { namespace: string };
      const user = await ctx.user(request);
      await review(user, 'list', namespace);
      const store = await stores(ctx, namespace);
      const items = [...await storage(store, namespace, () => store.list(namespace, 'artifacts')), ...await storage(store, namespace, () => store.list(namespace, 'sql-artifacts'))];
      const [canUpload, canDelete] = await Promise.all([user.canI({ verb: 'create', group: GROUP, resource: 'artifacts', namespace }), user.canI({ verb: 'delete', group: GROUP, resource: 'artifacts', namespace })]);
      const base = `/api/namespaces/${encodeURIComponent(namespace)}/artifacts/`;
      const rows = items.map((a) => html`<tr>
  <td><a href="${base}${a.name}${a.kind === 'sql-artifacts' ? '?kind=sql-artifacts' : ''}" download>${a.name}</a></td><td>${a.kind}</td><td class="num">${a.size}</td><td>${a.lastModified ?? ''}</td>
  <td><code class="digest">${a.sha256 ?? ''}</code></td><td><code>${a.uri}</code></td>
  <td>${a.kind === 'artifacts' ? html`<form method="post" action="/namespaces/${namespace}/artifacts/delete"><input type="hidden" name="name" value="${a.name}"><button type="submit" ${canDelete ? '' : html`disabled title="your role may not delete artifacts"`}>Delete</button></form>` : ''}</td>
</tr>`);
      const body = html`<p>Files in <code>s3://${store.bucket}/${store.prefix}artifacts/namespaces/${namespace}/</code>. A Deployment runs one by name (<code>spec.source.artifact.uri: job.mjs</code>) or by its URI; the operator pins its sha256.</p>
<form class="artifact-upload" method="post" action="/namespaces/${namespace}/artifacts" enctype="multipart/form-data" data-artifact-upload="${base}">
  <p><label for="artifact-file">Upload an artifact</label> <input id="artifact-file" name="file" type="file" ${canUpload ? '' : 'disabled'}> <button type="submit" ${canUpload ? '' : html`disabled title="your role may not upload artifacts"`}>Upload</button></p>
  <p class="help">Or from a shell: <code>npx millrace artifacts upload job.mjs -n ${namespace}</code></p>
</form>
<table><caption>Artifacts of ${namespace}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Bytes</th><th scope="col">Modified</th><th scope="col">sha256</th><th scope="col">URI</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="7">No artifacts yet.</td></tr>`}</tbody></table>`;
      const uploaded = (request.query as { uploaded?: string }).uploaded;
      const done = uploaded ? items.find((a) => a.name === uploaded && a.kind === 'artifacts') : undefined;
      return reply.type('text/html').send(page(`Artifacts · ${namespace}`, body, user, done ? { kind: 'ok', text: `uploaded ${done.name}: sha256 ${done.sha256 ?? '?'}; run it with spec.source.artifact.uri: ${done.name}` } : undefined));
    });
  };
}

export const artifactRoutes: ConsoleRoutes = artifactRoutesWith(workspaceStores);
