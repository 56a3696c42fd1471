// Loads a job module: a file path, a file: URL or an http(s) artifact URL (downloaded once into a
// local cache, then imported). The module's default export (or `job`) is the JobDefinition.

import { createHash } from 'node:crypto';
import { mkdir, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobDefinition } from './environment.ts';

export class JobLoadError extends Error {
  readonly code = 'MR_ERR_JOB_LOAD';
}

const cache = new Map<string, Promise<JobDefinition>>();

export function resolveJobUrl(ref: string, cwd = process.cwd()): string {
  if (/^(file|https?):\/\//.test(ref)) return ref;
  return pathToFileURL(path.resolve(cwd, ref)).href;
}

async function localCopy(url: string): Promise<string> {
  if (url.startsWith('file://')) return url;
  const ext = path.extname(new URL(url).pathname) || '.js';
  const dir = path.join(os.tmpdir(), 'millrace-artifacts');
  const file = path.join(dir, createHash('sha256').update(url).digest('hex').slice(0, 16) + ext);
  try {
    await access(file);
  } catch {
    const res = await fetch(url);
    if (!res.ok) throw new JobLoadError(`MR_ERR_JOB_LOAD: downloading ${url} failed with HTTP ${res.status}; check the artifact URL`);
    await mkdir(dir, { recursive: true });
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
  }
  return pathToFileURL(file).href;
}

export function loadJob(url: string): Promise<JobDefinition> {
  let p = cache.get(url);
  if (!p) {
    p = (async () => {
      let mod: Record<string, unknown>;
      const local = await localCopy(url);
      try {
        mod = (await import(local)) as Record<string, unknown>;
      } catch (err) {
        throw new JobLoadError(`MR_ERR_JOB_LOAD: cannot import job module ${url}: ${(err as Error).message}`);
      }
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
