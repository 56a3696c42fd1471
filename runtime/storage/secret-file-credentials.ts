// S3 credentials from a mounted Kubernetes Secret: a directory with one file per key. Both the
// key names of the Workspace Secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)
// and kebab-case names (access-key-id, secret-access-key, session-token) are accepted. Files are
// re-read every few minutes (the kubelet updates mounted Secrets in place), so a rotated key or
// the short-lived credentials the operator renews (operator/credentials/) are picked up without a
// restart; with an expiry file (AWS_CREDENTIAL_EXPIRATION, ISO 8601) they are read again at that
// expiry at the latest.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../time/clock.ts';
import { StorageError } from './errors.ts';

export const CREDENTIAL_FILES = {
  accessKeyId: ['AWS_ACCESS_KEY_ID', 'access-key-id'],
  secretAccessKey: ['AWS_SECRET_ACCESS_KEY', 'secret-access-key'],
  sessionToken: ['AWS_SESSION_TOKEN', 'session-token'],
  expiration: ['AWS_CREDENTIAL_EXPIRATION', 'expiration'],
} as const;

export interface FileCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** when the SDK should ask again (it refreshes 5 min before this) */
  expiration: Date;
}

export const REREAD_AFTER_MS = 5 * 60_000;
// The SDK asks the provider again once `expiration` is less than this far away.
const SDK_REFRESH_WINDOW_MS = 5 * 60_000;

async function firstFile(dir: string, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    try {
      const value = (await readFile(path.join(dir, name), 'utf8')).trim();
      if (value !== '') return value;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StorageError('MR_ERR_STORAGE_CREDENTIALS', `cannot read ${path.join(dir, name)}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  return undefined;
}

/** Reads the credentials once; MR_ERR_STORAGE_CREDENTIALS names the files expected when absent. */
export async function readCredentialFiles(dir: string, clock: Clock = Date, rereadAfterMs = REREAD_AFTER_MS): Promise<FileCredentials> {
  const accessKeyId = await firstFile(dir, CREDENTIAL_FILES.accessKeyId);
  const secretAccessKey = await firstFile(dir, CREDENTIAL_FILES.secretAccessKey);
  if (!accessKeyId || !secretAccessKey) {
    const missing = [!accessKeyId ? CREDENTIAL_FILES.accessKeyId.join(' or ') : '', !secretAccessKey ? CREDENTIAL_FILES.secretAccessKey.join(' or ') : ''].filter((s) => s);
    throw new StorageError('MR_ERR_STORAGE_CREDENTIALS', `the credentials directory ${dir} lacks ${missing.join(' and ')}; mount the Secret there or fix MILLRACE_S3_CREDENTIALS_DIR`);
  }
  const sessionToken = await firstFile(dir, CREDENTIAL_FILES.sessionToken);
  const expiresAt = Date.parse(await firstFile(dir, CREDENTIAL_FILES.expiration) ?? '');
  const rereadAt = Math.min(clock.now() + rereadAfterMs, Number.isNaN(expiresAt) ? Infinity : expiresAt);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), expiration: new Date(rereadAt + SDK_REFRESH_WINDOW_MS) };
}

/** A credential provider for the S3 client (the SDK memoizes it and calls again before `expiration`). */
export function secretFileCredentials(dir: string, clock: Clock = Date, rereadAfterMs = REREAD_AFTER_MS): () => Promise<FileCredentials> {
  return () => readCredentialFiles(dir, clock, rereadAfterMs);
}
