// Savepoint files in a workspace bucket, as the operator handles them: deletes a savepoint's
// files when no JobManager of its deployment runs to do it, as the runtime deletes snapshots
// (_metadata first; the directory has been checked by savepointDirectory() first); lists a
// namespace's savepoint directories for the sweep (savepoint-sweep.ts); marks kept ones.
import { createS3Client } from '../../runtime/storage/open-object-store.ts';
import { resolveS3Settings } from '../../runtime/storage/s3-settings.ts';
import { S3ObjectStore } from '../../runtime/storage/s3-object-store.ts';
import { deleteSnapshotDirectory } from '../../runtime/storage/snapshot-deletion.ts';
import { paginateListObjectsV2, PutObjectCommand } from '@aws-sdk/client-s3';
import { MillraceError } from '../errors.ts';
import { KEPT_MARKER } from './savepoint-sweep.ts';
import type { StoredSavepointDirectory } from './savepoint-sweep.ts';
import type { StorageTarget } from './workspace-storage.ts';

export interface SavepointFiles {
  /**
   * Deletes every object under `dirKey` ('/'-terminated, from savepointDirectory()) in the
   * target's bucket; resolves with how many files went. Throws MR_ERR_STORAGE (transient) when
   * the store cannot be reached or refuses.
   */
  deleteDirectory(target: Omit<StorageTarget, 'prefix'>, dirKey: string): Promise<number>;
  /**
   * The savepoint directories (`<deployment>/savepoint-<id>/` one level below `parentKey`) with
   * the newest LastModified of their files and whether they hold KEPT_MARKER. Throws MR_ERR_STORAGE.
   */
  listDirectories(target: Omit<StorageTarget, 'prefix'>, parentKey: string): Promise<StoredSavepointDirectory[]>;
  /** Writes KEPT_MARKER into `dirKey`: the sweep leaves that directory alone. Throws MR_ERR_STORAGE. */
  markKept(target: Omit<StorageTarget, 'prefix'>, dirKey: string, note: string): Promise<void>;
}

export function s3SavepointFiles(requestTimeoutMs = 10_000): SavepointFiles {
  const clientOf = (t: Omit<StorageTarget, 'prefix'>) => createS3Client(resolveS3Settings({}, { region: t.region, forcePathStyle: t.forcePathStyle, maxAttempts: 2, requestTimeoutMs, ...(t.endpoint ? { endpoint: t.endpoint } : {}) }), t.credentials);
  const storageError = (err: unknown) => new MillraceError('MR_ERR_STORAGE', (err as Error).message.replace(/^MR_ERR_STORAGE_IO: /, ''), { transient: true, cause: err });
  return {
    async listDirectories(t, parentKey) {
      if (!parentKey.endsWith('/')) throw new MillraceError('MR_ERR_STORAGE', `'${parentKey}' is not a directory key`);
      const client = clientOf(t);
      const dirs = new Map<string, StoredSavepointDirectory>();
      try {
        for await (const page of paginateListObjectsV2({ client }, { Bucket: t.bucket, Prefix: parentKey })) {
          for (const o of page.Contents ?? []) {
            const m = /^([^/]+\/savepoint-[^/]+\/)(.*)$/.exec((o.Key ?? '').slice(parentKey.length));
            if (!m?.[1]) continue;
            const key = parentKey + m[1];
            const d = dirs.get(key) ?? { key, newestAt: 0, kept: false };
            d.newestAt = Math.max(d.newestAt, o.LastModified?.getTime() ?? 0);
            if (m[2] === KEPT_MARKER) d.kept = true;
            dirs.set(key, d);
          }
        }
      } catch (err) {
        throw storageError(err);
      } finally {
        client.destroy();
      }
      return [...dirs.values()];
    },
    async markKept(t, dirKey, note) {
      if (!dirKey.endsWith('/') || dirKey === '/') throw new MillraceError('MR_ERR_STORAGE', `refusing to mark '${dirKey}': not a directory key`);
      const client = clientOf(t);
      try {
        await client.send(new PutObjectCommand({ Bucket: t.bucket, Key: `${dirKey}${KEPT_MARKER}`, Body: note, ContentType: 'text/plain' }));
      } catch (err) {
        throw storageError(err);
      } finally {
        client.destroy();
      }
    },
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
