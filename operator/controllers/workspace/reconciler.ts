// Workspace reconciler: reads the S3 Secret, checks the bucket and creates the layout
// prefixes, and reports capacity, allocated (namespace quotas) and used CU. The storage check
// is repeated every few minutes, so a fixed bucket turns Ready without an edit; passes in
// between (a Deployment of the workspace changed its CU) reuse the last result.
import { workspaceSchema } from '../../api/v1alpha1/workspace.ts';
import type { Workspace, WorkspaceStatus } from '../../api/v1alpha1/workspace.ts';
import { parseResource } from '../../api/v1alpha1/parse.ts';
import { sumCU } from '../../capacity/compute-units.ts';
import { MillraceError } from '../../errors.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import type { ReconcileResult } from '../../kube/controller-runner.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import type { WorkspaceStorage } from '../../storage/workspace-storage.ts';
import { workspaceStorageTarget } from '../../storage/storage-target.ts';
import { checkSecretRef } from '../../storage/secret-ref-policy.ts';
import type { ReconcileContext, Raw } from '../shared/context.ts';
import { ensureFinalizer, removeFinalizer, writeStatus } from '../shared/lifecycle.ts';
import { permittedAgain, withForbiddenReport } from '../shared/operator-forbidden.ts';
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { usableNamespaceQuota } from '../namespace/quota.ts';
import { StorageChecks } from './storage-checks.ts';

export const STORAGE_RECHECK_MS = 5 * 60_000;
export const STORAGE_RETRY_MS = 30_000;
const storageChecksByContext = new WeakMap<ReconcileContext, StorageChecks>();
function storageChecksOf(ctx: ReconcileContext): StorageChecks {
  let c = storageChecksByContext.get(ctx);
  if (!c) { c = new StorageChecks({ readyMs: STORAGE_RECHECK_MS, failingMs: STORAGE_RETRY_MS }); storageChecksByContext.set(ctx, c); }
  return c;
}

async function checkStorage(ctx: ReconcileContext, storage: WorkspaceStorage, ws: Workspace): Promise<ConditionInput> {
  const s = ws.spec.storage;
  const getSecret = (namespace: string, name: string) => ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
  const refusal = await checkSecretRef(s.secretRef, ctx.operatorNamespace, getSecret);
  if (refusal) return { type: 'StorageReady', status: 'False', reason: 'SecretNotAllowed', message: refusal };
  const resolved = await workspaceStorageTarget(s, (namespace, name) => ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name }));
  if (!resolved.ok) return { type: 'StorageReady', status: 'False', reason: resolved.reason, message: resolved.message };
  try {
    const keys = await storage.prepare(resolved.target);
    return { type: 'StorageReady', status: 'True', reason: 'BucketReady', message: `bucket ${s.bucket} reachable; prefixes ${keys.join(', ')} present` };
  } catch (err) {
    return { type: 'StorageReady', status: 'False', reason: 'BucketUnavailable', message: err instanceof MillraceError ? err.message : String(err) };
  }
}

export async function reconcileWorkspace(ctx: ReconcileContext, storage: WorkspaceStorage, name: string): Promise<ReconcileResult> {
  // A lasting RBAC refusal of the operator's own requests shows on the Workspace (operator-forbidden.ts).
  return withForbiddenReport(ctx, `Workspace ${name}`, () => ctx.caches.workspaces.get(name), () => workspacePass(ctx, storage, name));
}

async function workspacePass(ctx: ReconcileContext, storage: WorkspaceStorage, name: string): Promise<ReconcileResult> {
  const raw = ctx.caches.workspaces.get(name);
  if (!raw) { storageChecksOf(ctx).forget(name); return {}; }
  if (raw.metadata.deletionTimestamp) return finalize(ctx, raw);
  const now = new Date(ctx.clock.now());
  const generation = raw.metadata.generation;
  const previous = raw.status;
  let ws: Workspace;
  try {
    ws = parseResource(workspaceSchema, raw, `Workspace ${name}`);
  } catch (err) {
    if (!(err instanceof MillraceError)) throw err;
    await writeStatus(ctx, raw, { ...previous, observedGeneration: generation, conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: err.message }], generation, now) });
    return {};
  }
  await ensureFinalizer(ctx, raw);
  // The bucket is checked when due, not on every pass (deployments wake this for USED).
  const checks = storageChecksOf(ctx);
  const fresh = checks.fresh(name, generation, now.getTime());
  const storageCondition = fresh?.condition ?? await checkStorage(ctx, storage, ws);
  if (!fresh) checks.record(name, generation, now.getTime(), storageCondition);
  const namespaces = ctx.caches.namespaces.list().filter((n) => n.spec?.workspace === name);
  // Quotas in force: a namespace's refused change is not allocated.
  const allocatedCU = sumCU(namespaces.filter((n) => !n.metadata.deletionTimestamp).map((n) => usableNamespaceQuota(n) ?? 0));
  const usedCU = sumCU(namespaces.flatMap((n) => ctx.caches.deployments.list(n.metadata.name).map((d) => d.status?.cuInUse ?? 0)));
  const ready = storageCondition.status === 'True';
  const phase: WorkspaceStatus['phase'] = ready ? 'Ready' : 'StorageUnavailable';
  const status: WorkspaceStatus = {
    observedGeneration: generation, phase, capacityCU: ws.spec.capacityCU, allocatedCU, usedCU,
    conditions: setConditions(previous?.conditions, [
      storageCondition,
      ready ? { type: 'Ready', status: 'True', reason: 'Ready', message: `${allocatedCU} of ${ws.spec.capacityCU} CU allocated to namespaces` } : { type: 'Ready', status: 'False', reason: storageCondition.reason, message: storageCondition.message },
      ...permittedAgain(previous?.conditions),
    ], generation, now),
  };
  await writeStatus(ctx, raw, status);
  if (previous?.phase !== phase) await ctx.events.record(raw, ready ? 'Normal' : 'Warning', storageCondition.reason, 'CheckStorage', storageCondition.message);
  return { requeueAfterMs: fresh?.dueInMs ?? (ready ? STORAGE_RECHECK_MS : STORAGE_RETRY_MS) };
}

/**
 * Deleting a Workspace deletes its Namespaces first (each stops its deployments, then removes
 * its Kubernetes namespace); the finalizer goes when none is left. Read from the API server,
 * not the cache, so a namespace another operator instance watches still counts.
 */
async function finalize(ctx: ReconcileContext, raw: Raw<Workspace>): Promise<ReconcileResult> {
  const name = raw.metadata.name;
  const now = new Date(ctx.clock.now());
  const all = await ctx.rest.list<KubeObject & { spec?: { workspace?: string } }>({ apiVersion: API_VERSION, kind: 'Namespace' });
  const mine = all.items.filter((n) => n.spec?.workspace === name);
  if (mine.length > 0) {
    for (const n of mine) if (!n.metadata.deletionTimestamp) await ctx.rest.delete({ apiVersion: API_VERSION, kind: 'Namespace', name: n.metadata.name });
    const names = mine.map((n) => n.metadata.name).sort();
    const message = `waiting for ${names.length} namespace(s) to be deleted first: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}`;
    const prevReady = raw.status?.conditions?.find((c) => c.type === 'Ready');
    if (raw.status?.phase !== 'Terminating' || prevReady?.message !== message) {
      await writeStatus(ctx, raw, { ...raw.status, phase: 'Terminating', conditions: setConditions(raw.status?.conditions, [{ type: 'Ready', status: 'False', reason: 'Terminating', message }], raw.metadata.generation, now) });
      if (raw.status?.phase !== 'Terminating') await ctx.events.record(raw, 'Normal', 'Terminating', 'Delete', `deleting namespaces ${names.join(', ')} before workspace ${name}`);
    }
    return { requeueAfterMs: 2000 };
  }
  await ctx.events.record(raw, 'Normal', 'Deleted', 'Delete', `all namespaces of workspace ${name} are gone; removing the finalizer`);
  await removeFinalizer(ctx, raw);
  return {};
}
