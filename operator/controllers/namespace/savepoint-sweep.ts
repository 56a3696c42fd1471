// Finds and deletes the savepoint directories of a namespace that no Savepoint or Deployment
// owns (the decision is operator/storage/savepoint-sweep.ts). Run by the Namespace reconciler
// every `everyMs` with a grace period, and once with no grace when the namespace is deleted
// (its Deployments and Savepoints are gone by then, so nothing is being written).
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import type { Workspace } from '../../api/v1alpha1/workspace.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { savepointDirectory } from '../../storage/savepoint-location.ts';
import type { SavepointFiles } from '../../storage/savepoint-files.ts';
import { directoryKeyOf, namespaceSavepointsKey, unownedSavepointDirectories } from '../../storage/savepoint-sweep.ts';
import { workspaceStorageTarget } from '../../storage/storage-target.ts';
import type { ReconcileContext } from '../shared/context.ts';

export interface SweepSettings {
  /** Directories with a file younger than this are left alone. */
  graceMs: number;
  /** Between sweeps of one namespace. */
  everyMs: number;
}

export const DEFAULT_SWEEP: SweepSettings = { graceMs: 10 * 60_000, everyMs: 10 * 60_000 };

export type SweepResult = { ok: true; deleted: string[]; bucket: string } | { ok: false; message: string };

type SavepointLike = KubeObject & { spec?: { deployment?: string }; status?: { phase?: string; path?: string } };
type DeploymentLike = KubeObject & { status?: { savepointInFlight?: unknown; restoreSavepointPath?: string; lastSavepoint?: { path?: string }; lastPeriodicSavepoint?: { path?: string } } };

/** Annotation of a Millrace Namespace: when sweeping began for it (ISO time); set on its first pass. */
export const SWEEP_SINCE_ANNOTATION = 'millrace.dev/savepoint-sweep-since';

export async function sweepSavepointDirectories(ctx: ReconcileContext, files: SavepointFiles, namespace: string, workspace: Pick<Workspace, 'spec'>, graceMs: number, sweepSince: number): Promise<SweepResult> {
  const storage = workspace.spec.storage;
  const resolved = await workspaceStorageTarget(storage, (ns, name) => ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name }));
  if (!resolved.ok) return { ok: false, message: resolved.message };
  const parentKey = namespaceSavepointsKey(storage.prefix ?? '', namespace);
  try {
    // The bucket first, the objects after: an owner appearing in between is seen.
    const directories = await files.listDirectories(resolved.target, parentKey);
    if (directories.length === 0) return { ok: true, deleted: [], bucket: storage.bucket };
    const [savepoints, deployments] = await Promise.all([
      ctx.rest.list<SavepointLike>({ apiVersion: API_VERSION, kind: 'Savepoint', namespace }),
      ctx.rest.list<DeploymentLike>({ apiVersion: API_VERSION, kind: 'Deployment', namespace }),
    ]);
    const paths = [
      ...savepoints.items.map((s) => s.status?.path),
      ...deployments.items.flatMap((d) => [d.status?.restoreSavepointPath, d.status?.lastSavepoint?.path, d.status?.lastPeriodicSavepoint?.path]),
    ].filter((p): p is string => Boolean(p));
    const busyDeployments = [
      // Triggered, not finished: its directory exists before its path is recorded.
      ...savepoints.items.filter((s) => s.status?.phase === 'InProgress').map((s) => s.spec?.deployment),
      ...deployments.items.filter((d) => d.status?.savepointInFlight).map((d) => d.metadata.name),
    ].filter((d): d is string => Boolean(d));
    const unowned = unownedSavepointDirectories({
      parentKey, directories, graceMs, now: ctx.clock.now(), busyDeployments, sweepSince,
      ownedKeys: paths.map((p) => directoryKeyOf(p, storage.bucket)).filter((k): k is string => Boolean(k)),
    });
    const deleted: string[] = [];
    for (const u of unowned) {
      // The same check as for a Savepoint's own disposal: only a savepoint-<id> directory of the layout.
      const dir = savepointDirectory(`s3://${storage.bucket}/${u.key}`, { bucket: storage.bucket, prefix: storage.prefix ?? '', namespace, deployment: u.deployment });
      if (!dir.allowed) continue;
      await files.deleteDirectory(resolved.target, dir.key);
      deleted.push(`s3://${storage.bucket}/${dir.key}`);
    }
    return { ok: true, deleted, bucket: storage.bucket };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/**
 * When each namespace was last swept, in memory: a namespace seen for the first time (a new one,
 * or any after a restart) is swept `everyMs` later, not at once.
 */
export class SweepTimes {
  private readonly last = new Map<string, number>();
  due(namespace: string, now: number, everyMs: number): boolean {
    const at = this.last.get(namespace);
    if (at === undefined) { this.last.set(namespace, now); return false; }
    return now - at >= everyMs;
  }
  record(namespace: string, now: number): void { this.last.set(namespace, now); }
  /** How long until the next sweep of a namespace seen before (at least 1 ms). */
  dueInMs(namespace: string, now: number, everyMs: number): number {
    const at = this.last.get(namespace) ?? now;
    return Math.max(1, at + everyMs - now);
  }
  forget(namespace: string): void { this.last.delete(namespace); }
}

const sweepTimes = new WeakMap<object, SweepTimes>();
export function sweepTimesOf(ctx: object): SweepTimes {
  let t = sweepTimes.get(ctx);
  if (!t) { t = new SweepTimes(); sweepTimes.set(ctx, t); }
  return t;
}
