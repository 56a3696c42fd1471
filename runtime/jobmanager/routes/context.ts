// What the JobManager's route modules need from it: the jobs, the TaskManager registry, the
// submission entry point, and a signed client for calls to TaskManagers.

import type { Logger } from 'pino';
import type { SignedFetch } from '../../auth/signed-fetch.ts';
import { RuntimeError } from '../../errors/runtime-error.ts';
import type { JobMaster } from '../job-master.ts';
import type { ResourceManager } from '../resource-manager.ts';
import type { SubmitRequest } from '../submit-request.ts';

export interface JobManagerRouteContext {
  readonly jobs: Map<string, JobMaster>;
  readonly rm: ResourceManager;
  readonly log: Logger;
  /** signed calls to this Deployment's TaskManagers */
  readonly call: SignedFetch;
  /** false in a cluster: the JobManager runs only the job its Deployment configures */
  readonly submissionsAllowed: boolean;
  submit(req: SubmitRequest): Promise<JobMaster>;
  readonly env?: Record<string, string | undefined>;
}

export function jobOf(ctx: JobManagerRouteContext, id: string): JobMaster {
  const j = ctx.jobs.get(id);
  if (!j) throw new RuntimeError('MR_ERR_JOB_NOT_FOUND', `no job with id ${id}; list jobs with GET /jobs`);
  return j;
}
