// Loads a job module: a file path, a file: URL or an http(s) artifact URL pinned by its sha256
// (`https://host/job.js#sha256=<64 hex>`; downloaded once into a local cache, verified, then
// imported). The module's default export (or `job`) is the JobDefinition.
//
// What may load (checkJobUrl): never data:, blob: or other schemes that carry or fetch code, never
// an unpinned http(s) URL; and in a cluster (a Deployment key is configured) only the job the
// Deployment configures, so neither a REST caller nor an HA record can make a JobManager or a
// TaskManager run other code.

import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RuntimeError } from '../errors/runtime-error.ts';
import type { JobDefinition } from '../api/environment.ts';
import { pickJobExport } from './entry.ts';
import { parseJobUrl } from './job-url.ts';

/** Kept for callers that test `instanceof`; its code is MR_ERR_JOB_LOAD. */
export class JobLoadError extends RuntimeError {
  constructor(message: string) {
    super('MR_ERR_JOB_LOAD', message);
  }
}

export interface JobLoadPolicy {
  /**
   * Set in a cluster (a Deployment key is configured): the resolved URL of the only job module
   * that loads; undefined there means no job is configured and nothing loads.
   */
  readonly configuredJob?: string;
  /** true when configuredJob applies (the key is present), even if it is undefined */
  readonly locked?: boolean;
}

/** Artifacts larger than this are not downloaded. */
export const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

const cache = new Map<string, Promise<JobDefinition>>();

/** A CLI argument as a URL: URLs (any scheme, so refusals name them) stay, paths become file: URLs. */
export function resolveJobUrl(ref: string, cwd = process.cwd()): string {
  if (/^[a-z][a-z0-9+.-]+:/i.test(ref)) return ref;
  return pathToFileURL(path.resolve(cwd, ref)).href;
}

/** The sha256 pinned in a URL's fragment (`#sha256=<hex>`), if any. */
export function pinnedSha256(url: string): string | undefined {
  const m = /#(?:.*&)?sha256=([0-9a-fA-F]{64})(?:&|$)/.exec(url);
  return m?.[1]?.toLowerCase();
}

/** Refuses, with MR_ERR_JOB_URL_REFUSED, what must never load; see the file comment. */
export function checkJobUrl(url: string, policy: JobLoadPolicy = {}): void {
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'file' && scheme !== 'http' && scheme !== 'https') {
    throw new RuntimeError('MR_ERR_JOB_URL_REFUSED', `job module ${url.slice(0, 80)}${url.length > 80 ? '…' : ''}: only file paths, file: URLs and sha256-pinned http(s) URLs are loaded, not ${scheme ?? 'this'}: URLs`, { subject: url.slice(0, 200) });
  }
  if (scheme !== 'file' && !pinnedSha256(url)) {
    throw new RuntimeError('MR_ERR_JOB_URL_REFUSED', `job module ${url}: an http(s) artifact must be pinned by its digest; append #sha256=<64 hex digits of the file's sha256>`, { subject: url });
  }
  if (policy.locked) {
    if (policy.configuredJob === undefined) throw new RuntimeError('MR_ERR_JOB_URL_REFUSED', `job module ${url}: this process has no configured job and loads none (start it with --job)`, { subject: url });
    if (url !== policy.configuredJob) throw new RuntimeError('MR_ERR_JOB_URL_REFUSED', `job module ${url}: this process loads only its Deployment's configured job ${policy.configuredJob}`, { subject: url });
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new JobLoadError(`MR_ERR_JOB_LOAD: downloading ${url} failed with HTTP ${res.status}; check the artifact URL`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > MAX_ARTIFACT_BYTES) throw new JobLoadError(`MR_ERR_JOB_LOAD: ${url} is larger than ${MAX_ARTIFACT_BYTES} bytes`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/** A file: URL of the module's verified bytes. */
async function localCopy(url: string): Promise<string> {
  const pin = pinnedSha256(url);
  const bare = url.replace(/#.*$/, '');
  if (bare.startsWith('file:')) {
    if (pin) {
      const actual = sha256(await readFile(fileURLToPath(bare)));
      if (actual !== pin) throw new RuntimeError('MR_ERR_JOB_DIGEST_MISMATCH', `job module ${bare} has sha256 ${actual}, not the pinned ${pin}`, { subject: bare });
    }
    return bare;
  }
  const ext = path.extname(new URL(bare).pathname) || '.js';
  const dir = path.join(os.tmpdir(), 'millrace-artifacts');
  // named by the digest: a cached file is the pinned content, whoever wrote it first
  const file = path.join(dir, `${pin}${ext}`);
  try {
    await access(file);
    if (sha256(await readFile(file)) === pin) return pathToFileURL(file).href;
  } catch {
    // not cached yet
  }
  const bytes = await download(bare);
  const actual = sha256(bytes);
  if (actual !== pin) throw new RuntimeError('MR_ERR_JOB_DIGEST_MISMATCH', `job artifact ${bare} has sha256 ${actual}, not the pinned ${pin}; the file changed or the pin is wrong`, { subject: bare });
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
  return pathToFileURL(file).href;
}

export function loadJob(url: string, policy: JobLoadPolicy = {}): Promise<JobDefinition> {
  try {
    checkJobUrl(url, policy);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  let p = cache.get(url);
  if (!p) {
    p = (async () => {
      let mod: Record<string, unknown>;
      const local = await localCopy(url);
      // a Flink SQL script (`millrace run job.sql`, a Deployment's .sql artifact) runs as the SQL job
      if (new URL(local).pathname.toLowerCase().endsWith('.sql')) {
        try {
          return (await import('../sql/physical/sql-job.ts')).sqlScriptJob(fileURLToPath(local));
        } catch (err) {
          throw new JobLoadError(`MR_ERR_JOB_LOAD: cannot read the SQL script ${url}: ${(err as Error).message}`);
        }
      }
      try {
        mod = (await import(local)) as Record<string, unknown>;
      } catch (err) {
        throw new JobLoadError(`MR_ERR_JOB_LOAD: cannot import job module ${url}: ${(err as Error).message}`);
      }
      // #entry=<export> (spec.source.artifact.entry) names the export; runtime/artifacts/entry.ts
      const entry = parseJobUrl(url).entry;
      if (entry !== undefined) return pickJobExport(mod, url.replace(/#.*$/, ''), entry);
      const job = (mod.default ?? mod.job) as JobDefinition | undefined;
      if (!job || typeof job.build !== 'function') {
        throw new JobLoadError(`MR_ERR_JOB_LOAD: ${url} must export default defineJob({ name, build(env, params) })`);
      }
      return job;
    })();
    cache.set(url, p);
    p.catch(() => cache.delete(url));
  }
  return p;
}
