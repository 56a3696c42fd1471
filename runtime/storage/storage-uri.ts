// A storage location given by the user: `s3://bucket/prefix` selects S3, `file:///path` or a
// plain path selects a local directory. Pure, so the rules are unit-tested.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError } from './errors.ts';

export type StorageLocation =
  | { readonly kind: 's3'; readonly bucket: string; /** '' or ending in '/' */ readonly prefix: string }
  | { readonly kind: 'local'; /** absolute */ readonly directory: string };

// Bucket names as S3 accepts them (3–63 of lowercase letters, digits, dots, hyphens).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseStorageUri(uri: string, cwd = process.cwd()): StorageLocation {
  const trimmed = uri.trim();
  if (trimmed === '') throw new StorageError('MR_ERR_STORAGE_URI', 'the storage location is empty; give s3://bucket/prefix, file:///path or a directory path');
  if (/^s3a?:\/\//i.test(trimmed)) {
    const rest = trimmed.replace(/^s3a?:\/\//i, '');
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    if (!BUCKET.test(bucket)) throw new StorageError('MR_ERR_STORAGE_URI', `'${uri}' names bucket '${bucket}', which is not a valid S3 bucket name; write s3://<bucket>/<prefix>`);
    const segments = (slash < 0 ? '' : rest.slice(slash + 1)).split('/').filter((s) => s !== '');
    if (segments.some((s) => s === '.' || s === '..')) throw new StorageError('MR_ERR_STORAGE_URI', `'${uri}' contains '.' or '..' in its prefix; give a plain prefix`);
    return { kind: 's3', bucket, prefix: segments.length === 0 ? '' : `${segments.join('/')}/` };
  }
  if (/^file:/i.test(trimmed)) {
    let directory: string;
    try {
      directory = fileURLToPath(trimmed);
    } catch (cause) {
      throw new StorageError('MR_ERR_STORAGE_URI', `'${uri}' is not a valid file URL; write file:///absolute/path`, { cause });
    }
    return { kind: 'local', directory: path.resolve(directory) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new StorageError('MR_ERR_STORAGE_URI', `'${uri}' has an unsupported scheme; use s3://bucket/prefix, file:///path or a directory path`);
  }
  return { kind: 'local', directory: path.resolve(cwd, trimmed) };
}

export function formatStorageLocation(location: StorageLocation): string {
  return location.kind === 's3' ? `s3://${location.bucket}/${location.prefix}` : location.directory;
}
