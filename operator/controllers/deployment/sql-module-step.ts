// The reconciler's SQL step (I/O edge of sql-modules.ts): for a SQL Deployment, reads the
// sha256 and the types file of every JAVASCRIPT function module its script names, with the
// workspace credentials, before any pod exists; and for a `.sql` bucket artifact, reads the
// pinned script itself and checks it as spec.source.sql is checked (before, a bad one failed only
// in the pod). Returns the pins for the pods, the declared types for the inline script's check,
// what status records, or why the Deployment fails.
import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { Deployment, DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { MillraceError } from '../../errors.ts';
import { workspaceStorageTarget } from '../../storage/storage-target.ts';
import type { StorageTarget } from '../../storage/workspace-storage.ts';
import { MAX_TYPES_BYTES, typesFileOf } from '../../../runtime/sql/udf/udf-types.ts';
import type { ReconcileContext } from '../shared/context.ts';
import type { ArtifactDigests } from './artifact-digest.ts';
import { notFound, s3ArtifactDigests, workspaceS3Client } from './artifact-digest.ts';
import type { Resolution } from './artifact-resolution.ts';
import { validateSqlSource } from './sql-source.ts';
import type { SqlSourceProblem } from './sql-source.ts';
import { completeSqlModules, planSqlModules, resultOfStatus } from './sql-modules.ts';
import type { ModuleRead, SqlModulesResult } from './sql-modules.ts';

/** A SQL script artifact is text; more than this is not one. */
const MAX_SCRIPT_BYTES = 4 * 1024 * 1024;

export interface ObjectReader {
  /** The object's bytes, undefined when it does not exist or is larger than maxBytes is refused; MR_ERR_STORAGE (transient) when the bucket cannot be read. */
  read(target: Omit<StorageTarget, 'prefix'>, key: string, maxBytes: number): Promise<Buffer | undefined>;
}

export function s3ObjectReader(requestTimeoutMs = 15_000): ObjectReader {
  return {
    async read(t, key, maxBytes) {
      const client = workspaceS3Client(t, requestTimeoutMs);
      try {
        let got;
        try {
          got = await client.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }));
        } catch (err) {
          if (notFound(err)) return undefined;
          throw err;
        }
        if ((got.ContentLength ?? 0) > maxBytes) throw new MillraceError('MR_ERR_STORAGE', `s3://${t.bucket}/${key} has ${got.ContentLength} bytes, more than ${maxBytes}`);
        const chunks: Buffer[] = [];
        for await (const c of got.Body as Readable) chunks.push(Buffer.from(c as Uint8Array));
        return Buffer.concat(chunks);
      } catch (err) {
        if (err instanceof MillraceError) throw err;
        throw new MillraceError('MR_ERR_STORAGE', `reading s3://${t.bucket}/${key}: ${(err as Error).message}`, { transient: true, cause: err });
      } finally {
        client.destroy();
      }
    },
  };
}

let defaultDigests: ArtifactDigests | undefined;
let defaultReader: ObjectReader | undefined;

export type SqlStepResult = Omit<SqlModulesResult, 'problem'> & { problem?: SqlModulesResult['problem'] | SqlSourceProblem };

export async function resolveSqlModules(ctx: ReconcileContext, d: Deployment, previous: DeploymentStatus | undefined, specHash: string, artifact: Resolution, io: { digests?: ArtifactDigests; reader?: ObjectReader } = {}): Promise<SqlStepResult> {
  const namespace = d.metadata.namespace ?? '';
  const inline = d.spec.source.sql;
  const sqlArtifact = artifact.status && /\.sql$/i.test(artifact.status.location) ? artifact.status : undefined;
  if (inline === undefined && !sqlArtifact) return {};
  const workspaceName = ctx.caches.namespaces.get(namespace)?.spec?.workspace;
  const storage = workspaceName ? ctx.caches.workspaces.get(workspaceName)?.spec?.storage : undefined;
  const scope = storage ? { bucket: storage.bucket, prefix: storage.prefix ?? '', namespace } : undefined;
  let target: Omit<StorageTarget, 'prefix'> | undefined;
  const storageTarget = async () => {
    if (target) return target;
    const t = await workspaceStorageTarget(storage!, (ns, name) => ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name }));
    if (!t.ok) throw new MillraceError('MR_ERR_STORAGE', `cannot read the SQL function modules of ${namespace}/${d.metadata.name}: ${t.message}`, { transient: true });
    target = t.target;
    return target;
  };
  const reader = io.reader ?? (defaultReader ??= s3ObjectReader());

  let script = inline;
  let field = 'spec.source.sql';
  if (sqlArtifact) {
    // A pinned .sql artifact reused while its job lives was checked when it was pinned.
    if (sqlArtifact === previous?.artifact) return previous?.sqlModules && previous.sqlModules.specHash === specHash ? resultOfStatus(previous.sqlModules) : {};
    const [, , key = ''] = /^s3:\/\/([^/]+)\/(.+)$/.exec(sqlArtifact.location) ?? [];
    const bytes = await reader.read(await storageTarget(), key, MAX_SCRIPT_BYTES);
    // gone or replaced since its digest was read a moment ago: looked at again on the next pass
    if (!bytes || createHash('sha256').update(bytes).digest('hex') !== sqlArtifact.sha256) throw new MillraceError('MR_ERR_STORAGE', `${sqlArtifact.location} changed while it was being resolved; resolving it again`, { transient: true });
    script = bytes.toString('utf8');
    field = `spec.source.artifact.uri (${sqlArtifact.location})`;
  }
  const input = { script: script!, field, spec: d.spec, namespace, specHash, previous, scope };
  const plan = planSqlModules(input);
  let result: SqlModulesResult;
  switch (plan.kind) {
    case 'none': result = {}; break;
    case 'problem': return { problem: plan.problem };
    case 'reuse': result = plan.result; break;
    case 'resolve': {
      const t = await storageTarget();
      const digests = io.digests ?? (defaultDigests ??= s3ArtifactDigests());
      const reads: ModuleRead[] = await Promise.all(plan.modules.map(async (m) => {
        const [digest, types] = await Promise.all([digests.digest(t, m.key), reader.read(t, typesFileOf(m.key), MAX_TYPES_BYTES)]);
        return { digest, typesText: types?.toString('utf8') };
      }));
      result = completeSqlModules(input, plan.modules, reads, new Date(ctx.clock.now()).toISOString());
      if (result.problem) return result;
      break;
    }
  }
  // The inline script is checked by validate.ts with these types; a .sql artifact's here.
  if (sqlArtifact) {
    const problem = validateSqlSource(script!, d.spec.configuration, result.declared, field);
    if (problem) return { problem };
  }
  return result;
}
