// Restoring from a path a user gives (`--fromSavepoint s3://bucket/…/savepoint-x/` or a local
// directory): the snapshot's own directory becomes the store root, which works because every
// file in _metadata is named relative to it. Also reads a checkpoint directory retained by hand.
import { openObjectStore } from './open-object-store.ts';
import type { OpenObjectStoreOptions } from './open-object-store.ts';
import type { Snapshot } from './snapshot-reader.ts';
import { readSnapshot, verifySnapshot } from './snapshot-reader.ts';

/** Reads (and by default verifies) the snapshot at `uri`; the caller closes `snapshot.store`. */
export async function openSnapshot(uri: string, options: OpenObjectStoreOptions & { verify?: boolean } = {}): Promise<Snapshot> {
  const store = openObjectStore(uri, options);
  try {
    const snapshot = await readSnapshot(store, '');
    if (options.verify ?? true) await verifySnapshot(snapshot);
    return snapshot;
  } catch (error) {
    store.close();
    throw error;
  }
}
