// Deletes a savepoint's files from the workspace bucket when no JobManager of its deployment
// runs to do it, as the runtime deletes snapshots (_metadata first). The directory has been
// checked by savepointDirectory() first.
import { createS3Client } from '../../runtime/storage/open-object-store.ts';
import { resolveS3Settings } from '../../runtime/storage/s3-settings.ts';
import { S3ObjectStore } from '../../runtime/storage/s3-object-store.ts';
import { deleteSnapshotDirectory } from '../../runtime/storage/snapshot-deletion.ts';
import { MillraceError } from '../errors.ts';
import type { StorageTarget } from './workspace-storage.ts';

export interface SavepointFiles {
  /**
   * Deletes every object under `dirKey` ('/'-terminated, from savepointDirectory()) in the
   * target's bucket; resolves with how many files went. Throws MR_ERR_STORAGE (transient) when
   * the store cannot be reached or refuses.
   */
  deleteDirectory(target: Omit<StorageTarget, 'prefix'>, dirKey: string): Promise<number>;
}

export function s3SavepointFiles(requestTimeoutMs = 10_000): SavepointFiles {
  return {
    async deleteDirectory(t, dirKey) {
      if (!dirKey.endsWith('/') || dirKey === '/') throw new MillraceError('MR_ERR_STORAGE', `refusing to delete '${dirKey}': not a directory key`);
      // Few attempts and a short timeout: an unreachable store is reported and retried with backoff
      // by the controller, not waited for inside one reconcile.
      const settings = resolveS3Settings({}, { region: t.region, forcePathStyle: t.forcePathStyle, maxAttempts: 2, requestTimeoutMs, ...(t.endpoint ? { endpoint: t.endpoint } : {}) });
      const store = new S3ObjectStore({ client: createS3Client(settings, t.credentials), bucket: t.bucket, prefix: '' });
      try {
        let deleted = await deleteSnapshotDirectory(store, dirKey);
        // A file written late (an upload that was still finishing) is listed by a second pass.
        if (deleted > 0) deleted += await store.deletePrefix(dirKey);
        return deleted;
      } catch (err) {
        throw new MillraceError('MR_ERR_STORAGE', (err as Error).message.replace(/^MR_ERR_STORAGE_IO: /, ''), { transient: true, cause: err });
      } finally {
        store.close();
      }
    },
  };
}
