// Where checkpoints and savepoints live in a store (paths relative to the store's root, i.e. the
// bucket prefix or the local directory), following the bucket layout of the imitated product:
//   flink-jobs/<namespace>/<deployment>/<jobId>/chk-<n>/            (+ _metadata, written last)
//   flink-savepoints/<namespace>/<deployment>/savepoint-<id>/      (+ _metadata)
// Pure functions: no I/O, so every rule is unit-tested.
import { createHash } from 'node:crypto';
import type { KeyGroupRange } from '../keys/key-groups.ts';
import { StorageError } from './errors.ts';

export const METADATA_FILE = '_metadata';
export const CHECKPOINTS_ROOT = 'flink-jobs/';
export const SAVEPOINTS_ROOT = 'flink-savepoints/';

export interface JobScope {
  readonly namespace: string;
  readonly deployment: string;
  readonly jobId: string;
}

export interface DeploymentScope {
  readonly namespace: string;
  readonly deployment: string;
}

// Kubernetes object names (DNS-1123 subdomain) for namespace and deployment; ids are what the
// runtime generates (uuid-like) but any plain token is allowed.
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

function segment(value: string, pattern: RegExp, field: string, expected: string): string {
  if (!pattern.test(value)) {
    throw new StorageError('MR_ERR_STORAGE_LAYOUT', `${field} '${value}' cannot be a path segment of the storage layout; use ${expected}`);
  }
  return value;
}

export function deploymentCheckpointsDir(scope: DeploymentScope): string {
  return `${CHECKPOINTS_ROOT}${segment(scope.namespace, K8S_NAME, 'namespace', 'a Kubernetes name')}/${segment(scope.deployment, K8S_NAME, 'deployment', 'a Kubernetes name')}/`;
}

/** `flink-jobs/<namespace>/<deployment>/<jobId>/` */
export function jobCheckpointsDir(job: JobScope): string {
  return `${deploymentCheckpointsDir(job)}${segment(job.jobId, ID, 'jobId', 'letters, digits, - and _')}/`;
}

export function checkpointDirName(checkpointId: number): string {
  if (!Number.isSafeInteger(checkpointId) || checkpointId < 1) {
    throw new StorageError('MR_ERR_STORAGE_LAYOUT', `checkpoint id ${checkpointId} is not a positive integer; checkpoint ids count from 1`);
  }
  return `chk-${checkpointId}`;
}

/** `flink-jobs/<namespace>/<deployment>/<jobId>/chk-<n>/` */
export function checkpointDir(job: JobScope, checkpointId: number): string {
  return `${jobCheckpointsDir(job)}${checkpointDirName(checkpointId)}/`;
}

/** The checkpoint id of a directory name `chk-<n>` (with or without a trailing slash), else undefined. */
export function parseCheckpointDirName(name: string): number | undefined {
  const m = /^chk-([1-9][0-9]{0,15})\/?$/.exec(name);
  if (!m) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** `flink-savepoints/<namespace>/<deployment>/` */
export function deploymentSavepointsDir(scope: DeploymentScope): string {
  return `${SAVEPOINTS_ROOT}${segment(scope.namespace, K8S_NAME, 'namespace', 'a Kubernetes name')}/${segment(scope.deployment, K8S_NAME, 'deployment', 'a Kubernetes name')}/`;
}

/** `flink-savepoints/<namespace>/<deployment>/savepoint-<id>/` */
export function savepointDir(scope: DeploymentScope, savepointId: string): string {
  return `${deploymentSavepointsDir(scope)}savepoint-${segment(savepointId, ID, 'savepoint id', 'letters, digits, - and _')}/`;
}

export function parseSavepointDirName(name: string): string | undefined {
  const m = /^savepoint-([A-Za-z0-9][A-Za-z0-9_-]{0,127})\/?$/.exec(name);
  return m?.[1];
}

export interface StateFileOwner {
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  readonly keyGroupRange?: KeyGroupRange;
}

/**
 * The name of one operator subtask's state file inside a snapshot directory. Only a name, never a
 * path: metadata refers to files relative to its own directory, so snapshots can be moved.
 * Operator uids are user text, so they are reduced to safe characters and disambiguated by a hash.
 */
export function stateFileName(owner: StateFileOwner): string {
  if (!Number.isSafeInteger(owner.subtaskIndex) || owner.subtaskIndex < 0) {
    throw new StorageError('MR_ERR_STORAGE_LAYOUT', `subtaskIndex ${owner.subtaskIndex} is not a non-negative integer`);
  }
  if (owner.operatorUid === '') throw new StorageError('MR_ERR_STORAGE_LAYOUT', 'operatorUid is empty; every stateful operator needs a uid');
  const safe = owner.operatorUid.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const hash = createHash('sha256').update(owner.operatorUid).digest('hex').slice(0, 8);
  const groups = owner.keyGroupRange ? `-kg-${owner.keyGroupRange.start}-${owner.keyGroupRange.end}` : '';
  return `op-${safe}-${hash}-st-${owner.subtaskIndex}${groups}.state`;
}

/** A file name inside a snapshot directory must stay inside it (no separators, no dot names). */
export function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && !name.includes('\0');
}

/** Joins a directory (ending in '/') and a plain file name. */
export function fileInDir(dir: string, name: string): string {
  if (!isPlainFileName(name)) throw new StorageError('MR_ERR_STORAGE_LAYOUT', `'${name}' is not a plain file name; snapshot files are named relative to their directory`);
  return `${dir}${name}`;
}
