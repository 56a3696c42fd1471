// Which export of a job module is the job: `entry` when the Deployment names one (an exported
// JobDefinition, or a plain build function `(env, params) => void` named by it), else the
// default export, else `job`.
import type { JobDefinition } from '../api/environment.ts';
import { RuntimeError } from '../errors/runtime-error.ts';

export function pickJobExport(mod: Record<string, unknown>, url: string, entry: string | undefined): JobDefinition {
  if (entry !== undefined) {
    const value = mod[entry];
    if (value && typeof (value as JobDefinition).build === 'function') return value as JobDefinition;
    if (typeof value === 'function') return { name: entry, build: value as JobDefinition['build'] };
    const exported = Object.keys(mod).sort().join(', ') || 'nothing';
    throw new RuntimeError('MR_ERR_JOB_LOAD', `${url}: entry '${entry}' is not an exported job or build function (the module exports ${exported}); fix spec.source.artifact.entry`, { subject: url });
  }
  const job = (mod.default ?? mod.job) as JobDefinition | undefined;
  if (!job || typeof job.build !== 'function') {
    throw new RuntimeError('MR_ERR_JOB_LOAD', `${url} must export default defineJob({ name, build(env, params) })`, { subject: url });
  }
  return job;
}
