// Brings a Deployment's sha256-pinned s3:// job artifact onto local disk before anything loads
// it: downloaded with the pod's storage credentials (MILLRACE_S3_* settings, the namespace's
// mounted Secret), verified against the pin, written atomically to a cache file named by its
// digest. The result is a pinned file: URL, which then is the process's configured job: the
// JobManager and every TaskManager derive the same URL from the same pin, and the job loader
// verifies the digest again on import (runtime/artifacts/job-loader.ts keeps its rules unchanged).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_ARTIFACT_BYTES, resolveJobUrl } from './job-loader.ts';
import { RuntimeError } from '../errors/runtime-error.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { formatJobUrl, parseJobUrl } from './job-url.ts';

export interface FetchArtifactOptions {
  env?: Record<string, string | undefined>;
  /** Where verified artifacts are kept (default: <tmp>/millrace-artifacts). */
  cacheDir?: string;
  maxBytes?: number;
  /** Opens the bucket (default: the runtime's S3 store from env). */
  openBucket?: (bucket: string) => ObjectStore;
}

export const defaultArtifactCacheDir = () => path.join(os.tmpdir(), 'millrace-artifacts');

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The local file name of an artifact: its digest plus an extension Node imports as a module. */
export function cacheFileName(key: string, digest: string): string {
  const ext = path.posix.extname(key).toLowerCase();
  // .ts/.mts run by type stripping, .cjs stays CommonJS, .sql is a Flink SQL script (the job loader runs it as the SQL job); anything else is an ES module (bundles)
  return `${digest}${ext === '.ts' || ext === '.mts' || ext === '.cjs' || ext === '.sql' ? ext : '.mjs'}`;
}

async function readCapped(store: ObjectStore, key: string, uri: string, maxBytes: number): Promise<Buffer> {
  let stream;
  try {
    stream = await store.open(key);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MR_ERR_STORAGE_NOT_FOUND') throw new RuntimeError('MR_ERR_JOB_LOAD', `job artifact ${uri} does not exist; upload it again (npx millrace artifacts upload) or fix spec.source.artifact.uri`, { subject: uri });
    throw new RuntimeError('MR_ERR_JOB_LOAD', `downloading job artifact ${uri} failed: ${(err as Error).message}`, { subject: uri, cause: err });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) {
      stream.destroy();
      throw new RuntimeError('MR_ERR_JOB_LOAD', `job artifact ${uri} is larger than ${maxBytes} bytes`, { subject: uri });
    }
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/**
 * The URL to load for a job reference: an s3:// artifact becomes a verified local copy (see the
 * file comment); anything else is returned as the loader would resolve it.
 */
export async function materializeJob(ref: string, options: FetchArtifactOptions = {}): Promise<string> {
  if (!/^s3:\/\//i.test(ref)) return resolveJobUrl(ref);
  const { base, sha256: pin, entry } = parseJobUrl(ref);
  const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(base);
  if (!m) throw new RuntimeError('MR_ERR_JOB_URL_REFUSED', `job artifact ${base}: expected s3://<bucket>/<key>`, { subject: base });
  if (!pin) throw new RuntimeError('MR_ERR_JOB_URL_REFUSED', `job artifact ${base}: an s3:// artifact must be pinned by its digest; append #sha256=<64 hex digits> (the operator does this for Deployments)`, { subject: base });
  const [, bucket = '', key = ''] = m;
  const dir = options.cacheDir ?? defaultArtifactCacheDir();
  const file = path.join(dir, cacheFileName(key, pin));
  const local = () => formatJobUrl({ base: pathToFileURL(file).href, sha256: pin, ...(entry ? { entry } : {}) });
  try {
    if (sha256(await readFile(file)) === pin) return local();
  } catch {
    // not cached yet
  }
  const store = (options.openBucket ?? ((b: string) => openObjectStore(`s3://${b}/`, { env: options.env ?? process.env })))(bucket);
  let bytes: Buffer;
  try {
    bytes = await readCapped(store, key, base, options.maxBytes ?? MAX_ARTIFACT_BYTES);
  } finally {
    store.close();
  }
  const actual = sha256(bytes);
  if (actual !== pin) throw new RuntimeError('MR_ERR_JOB_DIGEST_MISMATCH', `job artifact ${base} has sha256 ${actual}, not the pinned ${pin}; the file was replaced after the Deployment resolved it: change the Deployment's spec to resolve it again`, { subject: base });
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
  return local();
}
