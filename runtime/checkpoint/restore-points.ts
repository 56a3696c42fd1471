// Finding what a job starts from: a savepoint or checkpoint path a user gives (relocated ones
// too: file names in _metadata are relative to it), or "the latest" of a deployment: its newest
// completed checkpoint over all job ids, else its newest savepoint (`millrace run --resume`,
// `resumeFromLatest`, the operator's restore strategies).
//
// "Latest" is decided by when the object store wrote each snapshot's _metadata (S3 LastModified,
// a file's mtime), never by the timestamp inside it: whoever can write the storage chooses that
// one, and could make an old or planted snapshot look newest.

import { CheckpointStore, listJobsWithCheckpoints } from '../storage/checkpoint-store.ts';
import { openSnapshot } from '../storage/open-snapshot.ts';
import { METADATA_FILE, deploymentCheckpointsDir, deploymentSavepointsDir, type DeploymentScope } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { SavepointStore } from '../storage/savepoint-store.ts';
import { isUnusableCheckpoint } from '../storage/errors.ts';
import type { CompletedSnapshot } from './checkpoint-storage-access.ts';

export interface FoundSnapshot {
  readonly snapshot: CompletedSnapshot;
  readonly isSavepoint: boolean;
  /** the job id that wrote it */
  readonly jobId: string;
}

/** A snapshot directory given by path (`s3://…/savepoint-x/`, a local directory, a chk-n directory). */
export async function snapshotAt(path: string, env?: Record<string, string | undefined>): Promise<FoundSnapshot> {
  const uri = path.endsWith('/') ? path : `${path}/`;
  const s = await openSnapshot(uri, { verify: false, env });
  s.store.close();
  return {
    snapshot: { checkpointId: s.metadata.checkpointId, path: uri, metadata: s.metadata, target: { storageUri: uri, dir: '' } },
    isSavepoint: s.metadata.kind === 'savepoint', jobId: s.metadata.jobId,
  };
}

/** When the store wrote each `_metadata` under `dir` (key → epoch ms); one listing. */
async function metadataWrittenAt(store: ObjectStore, dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const o of await store.list(dir)) {
    if (o.key.endsWith(`/${METADATA_FILE}`)) out.set(o.key.slice(0, -METADATA_FILE.length), o.lastModified ?? 0);
  }
  return out;
}

/** What was passed over while looking for the latest snapshot (missing or corrupt files). */
export interface SkippedSnapshot {
  readonly path: string;
  readonly error: Error;
}

/**
 * The newest completed checkpoint of any job of the deployment, else its newest savepoint.
 * Candidates are verified (every state file's size and sha256): a damaged one is skipped and
 * reported, and the one before it is taken.
 */
export async function latestOfDeployment(store: ObjectStore, storageUri: string, scope: DeploymentScope): Promise<{ found: FoundSnapshot | undefined; skipped: SkippedSnapshot[] }> {
  const skipped: SkippedSnapshot[] = [];
  const written = await metadataWrittenAt(store, deploymentCheckpointsDir(scope));
  const candidates: Array<{ jobId: string; id: number; writtenAt: number; dir: string }> = [];
  for (const jobId of await listJobsWithCheckpoints(store, scope)) {
    if (jobId === 'ha') continue;
    const checkpoints = new CheckpointStore({ store, job: { ...scope, jobId } });
    for (const id of await checkpoints.listCompleted()) {
      try {
        const c = await checkpoints.read(id, { verify: false });
        candidates.push({ jobId, id, writtenAt: written.get(c.dir) ?? 0, dir: c.dir });
      } catch (err) {
        if (!isUnusableCheckpoint(err)) throw err;
        skipped.push({ path: `${store.description}${checkpoints.dirOf(id)}`, error: err as Error });
      }
    }
  }
  // newest write first; within one job the higher checkpoint id breaks a tie of equal times
  candidates.sort((a, b) => b.writtenAt - a.writtenAt || (a.jobId === b.jobId ? b.id - a.id : 0));
  for (const c of candidates) {
    const checkpoints = new CheckpointStore({ store, job: { ...scope, jobId: c.jobId } });
    try {
      const read = await checkpoints.read(c.id, { verify: true });
      return { found: { snapshot: { checkpointId: c.id, path: `${store.description}${read.dir}`, metadata: read.metadata, target: { storageUri, dir: read.dir } }, isSavepoint: false, jobId: c.jobId }, skipped };
    } catch (err) {
      if (!isUnusableCheckpoint(err)) throw err;
      skipped.push({ path: `${store.description}${c.dir}`, error: err as Error });
    }
  }
  const savepoints = new SavepointStore({ store, deployment: scope });
  const savepointsWritten = await metadataWrittenAt(store, deploymentSavepointsDir(scope));
  let best: FoundSnapshot | undefined;
  let bestAt = -1;
  for (const id of await savepoints.listCompleted()) {
    try {
      const s = await savepoints.read(id, { verify: true });
      const at = savepointsWritten.get(savepoints.dirOf(id)) ?? 0;
      if (!best || at > bestAt) {
        best = { snapshot: { checkpointId: s.metadata.checkpointId, path: savepoints.pathOf(id), metadata: s.metadata, target: { storageUri, dir: s.dir } }, isSavepoint: true, jobId: s.metadata.jobId };
        bestAt = at;
      }
    } catch (err) {
      if (!isUnusableCheckpoint(err)) throw err;
      skipped.push({ path: savepoints.pathOf(id), error: err as Error });
    }
  }
  return { found: best, skipped };
}

/** A Kubernetes-style name for a job used as deployment name (local mode, jobs without one). */
export function deploymentNameFor(jobName: string): string {
  const n = jobName.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63).replace(/[^a-z0-9]+$/, '');
  return n || 'job';
}

/** The newest savepoint of a deployment (restore strategy latestSavepoint), by when the store wrote it. */
export async function latestSavepointOf(store: ObjectStore, scope: DeploymentScope): Promise<string | undefined> {
  const savepoints = new SavepointStore({ store, deployment: scope });
  const written = await metadataWrittenAt(store, deploymentSavepointsDir(scope));
  let best: { path: string; at: number } | undefined;
  for (const id of await savepoints.listCompleted()) {
    try {
      await savepoints.read(id, { verify: false });
      const at = written.get(savepoints.dirOf(id)) ?? 0;
      if (!best || at > best.at) best = { path: savepoints.pathOf(id), at };
    } catch (err) {
      if (!isUnusableCheckpoint(err)) throw err;
    }
  }
  return best?.path;
}
