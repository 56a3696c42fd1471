// Where checkpoints and savepoints go when nothing else is said: an explicit URI first, then
// MILLRACE_CHECKPOINT_STORAGE, then the workspace bucket (MILLRACE_S3_BUCKET, as the test S3
// environment and pods export it), else the embedded default, a local directory. Pure.
import path from 'node:path';

export const STORAGE_ENV = 'MILLRACE_CHECKPOINT_STORAGE';

export function resolveStorageUri(explicit: string | undefined, env: Record<string, string | undefined>, homeDir: string): string {
  const given = explicit?.trim() || env[STORAGE_ENV]?.trim();
  if (given) return given;
  const bucket = env.MILLRACE_S3_BUCKET?.trim();
  if (bucket) return `s3://${bucket}/${(env.MILLRACE_S3_PREFIX?.trim() ?? '').replace(/^\/+/, '')}`;
  const stateHome = env.XDG_STATE_HOME?.trim() || path.join(homeDir, '.local', 'state');
  return path.join(stateHome, 'millrace', 'storage');
}
