// Deleting a checkpoint or savepoint directory. `_metadata` goes first: a reader takes a
// directory with `_metadata` as complete, so a half-deleted snapshot must never keep it.
import { METADATA_FILE } from './layout.ts';
import type { ObjectStore } from './object-store.ts';

/** Deletes the snapshot directory `dir` ('/'-terminated key) of `store`; resolves with how many files went after `_metadata`. */
export async function deleteSnapshotDirectory(store: ObjectStore, dir: string): Promise<number> {
  await store.delete(`${dir}${METADATA_FILE}`);
  return store.deletePrefix(dir);
}
