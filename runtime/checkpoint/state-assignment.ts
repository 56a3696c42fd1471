// Which state files each subtask of a job restores from a snapshot (pure). Operators are matched
// by uid. Keyed state goes by key groups: a subtask reads every file whose key-group range meets
// its own range (so another parallelism redistributes it). Non-keyed state (source positions,
// sink transactions) of old subtask j goes to new subtask j mod parallelism, like Flink's
// round-robin split reassignment, unless it is a union source position (every subtask gets all,
// as Flink's union list state; runtime/api/source.ts). State whose uid is not in the job is an error unless
// allowNonRestoredState.

import { isUnionPosition } from '../api/source.ts';
import { keyGroupRangeFor } from '../keys/key-groups.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { SnapshotMetadata, StateFileEntry } from '../storage/snapshot-metadata.ts';
import { filesForKeyGroups } from '../storage/snapshot-metadata.ts';
import { taskKey } from './messages.ts';

export class RestoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

export interface StateAssignment {
  /** taskKey(vertexId, subtask) → operator uid → files */
  readonly files: ReadonlyMap<string, Record<string, StateFileEntry[]>>;
  /** uids in the snapshot that no operator of the job has (skipped with allowNonRestoredState) */
  readonly unmatched: string[];
}

export function assignState(metadata: SnapshotMetadata, jobGraph: JobGraph, allowNonRestoredState: boolean, location = 'the snapshot'): StateAssignment {
  const owners = new Map<string, { vertexId: string; parallelism: number }>();
  for (const v of jobGraph.vertices) for (const uid of v.uids) owners.set(uid, { vertexId: v.id, parallelism: v.parallelism });
  const unmatched = Object.keys(metadata.operators).filter((uid) => !owners.has(uid)).sort();
  if (unmatched.length > 0 && !allowNonRestoredState) {
    throw new RestoreError('MR_ERR_RESTORE_UNMATCHED_STATE', `${location} has state of operator uid(s) ${unmatched.map((u) => `'${u}'`).join(', ')} that the job does not have; give those operators the same .uid() again, or restore with allowNonRestoredState (--allow-non-restored-state) to drop that state`);
  }
  const files = new Map<string, Record<string, StateFileEntry[]>>();
  for (const [uid, op] of Object.entries(metadata.operators)) {
    const owner = owners.get(uid);
    if (!owner) continue;
    for (let s = 0; s < owner.parallelism; s++) {
      const keyed = op.files.some((f) => f.keyGroupRange !== undefined);
      // union source positions (runtime/api/source.ts): every subtask reads all of them
      const union = !keyed && op.files.length > 0 && op.files.every((f) => isUnionPosition(f.sourcePosition));
      const mine = keyed
        ? filesForKeyGroups(op, keyGroupRangeFor(op.maxParallelism, owner.parallelism, s))
        : union ? op.files : op.files.filter((f) => f.subtaskIndex % owner.parallelism === s);
      const byUid = files.get(taskKey(owner.vertexId, s)) ?? {};
      byUid[uid] = mine;
      files.set(taskKey(owner.vertexId, s), byUid);
    }
  }
  return { files, unmatched };
}
