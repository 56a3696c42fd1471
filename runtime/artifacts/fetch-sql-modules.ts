// A pod's SQL function modules (the pins the operator put into MILLRACE_SQL_MODULES, see
// runtime/sql/udf/udf-modules.ts), downloaded with the pod's storage credentials and verified
// against their sha256 before the job graph is built: the JobManager and every TaskManager call
// this at start, so the synchronous build finds each module's verified copy on local disk.
import { RuntimeError } from '../errors/runtime-error.ts';
import { pinnedModules } from '../sql/udf/udf-modules.ts';
import { defaultArtifactCacheDir, materializeJob } from './fetch-artifact.ts';
import type { FetchArtifactOptions } from './fetch-artifact.ts';

/** Fetches every pinned module (in parallel); how many there were. A missing object or a digest mismatch fails naming the module. */
export async function fetchSqlModules(env: Record<string, string | undefined> = process.env, options: FetchArtifactOptions = {}): Promise<number> {
  const pins = pinnedModules(env, options.cacheDir ?? defaultArtifactCacheDir());
  await Promise.all([...pins].map(async ([ref, pin]) => {
    try {
      await materializeJob(pin.uri, { env, ...options });
    } catch (err) {
      const code = (err as { code?: string }).code === 'MR_ERR_JOB_DIGEST_MISMATCH' ? 'MR_ERR_JOB_DIGEST_MISMATCH' : 'MR_ERR_JOB_LOAD';
      throw new RuntimeError(code, `SQL function module '${ref}': ${(err as Error).message}`, { subject: pin.uri, cause: err });
    }
  }));
  return pins.size;
}
