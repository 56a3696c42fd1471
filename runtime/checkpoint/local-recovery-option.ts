// The job setting that turns local recovery on, named as in Flink: `state.backend.local-recovery`
// (a job parameter: `millrace run --local-recovery` or `--set state.backend.local-recovery=true`,
// a Deployment's spec.configuration). Off by default, as in Flink: it costs a second copy of every
// checkpoint on the TaskManagers' disks.

import { RuntimeError } from '../errors/runtime-error.ts';

export const LOCAL_RECOVERY_KEY = 'state.backend.local-recovery';

/** Whether the job keeps and restores from local copies of its checkpoints. */
export function localRecoveryOf(params: Readonly<Record<string, string>>): boolean {
  const value = params[LOCAL_RECOVERY_KEY];
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new RuntimeError('MR_ERR_SUBMIT', `${LOCAL_RECOVERY_KEY} must be true or false, got '${value}'`);
}
