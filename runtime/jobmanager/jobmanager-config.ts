// The JobManager's checkpoint, HA and restore settings from its command line and the JSON file
// named by MILLRACE_CONFIG (the operator's ConfigMap: deployment.{namespace,name},
// checkpoints.{intervalSeconds,retained,tolerableFailures}, restore.{strategy,savepointPath,allowNonRestoredState},
// taskManagers.standby).
// Flags win over the file. Pure: the caller reads the file and the environment.

import os from 'node:os';
import { z } from 'zod';
import { resolveStorageUri } from '../storage/default-location.ts';
import { DEFAULT_CHECKPOINT_SETTINGS, type CheckpointSettings } from '../checkpoint/checkpoint-coordinator.ts';

export const runtimeConfigFileSchema = z.object({
  deployment: z.object({ namespace: z.string().optional(), name: z.string().optional() }).optional(),
  checkpoints: z.object({ intervalSeconds: z.number().min(0).optional(), retained: z.number().int().min(1).optional(), tolerableFailures: z.number().int().min(0).optional() }).optional(),
  // Flink's slotmanager.redundant-taskmanager-num: TaskManagers kept wholly free for failovers
  taskManagers: z.object({ standby: z.number().int().min(0).optional() }).optional(),
  restore: z.object({
    strategy: z.enum(['latestState', 'latestSavepoint', 'savepoint', 'none']).optional(),
    savepointPath: z.string().optional(),
    allowNonRestoredState: z.boolean().optional(),
  }).optional(),
}).passthrough();
export type RuntimeConfigFile = z.infer<typeof runtimeConfigFileSchema>;

export interface JobManagerFlags {
  readonly checkpointStorage?: string;
  readonly namespace?: string;
  readonly deployment?: string;
  readonly checkpointIntervalMs?: number;
  readonly checkpointTimeoutMs?: number;
  readonly minPauseMs?: number;
  readonly checkpointsRetained?: number;
  readonly tolerableFailedCheckpoints?: number;
  readonly fromSavepoint?: string;
  readonly allowNonRestoredState?: boolean;
}

export type RestoreChoice =
  | { readonly kind: 'none' }
  | { readonly kind: 'latestState' }
  | { readonly kind: 'latestSavepoint' }
  | { readonly kind: 'savepoint'; readonly path: string };

export interface JobManagerCheckpointConfig {
  readonly storageUri: string;
  readonly namespace: string;
  readonly deployment: string | undefined;
  readonly settings: CheckpointSettings;
  readonly retained: number;
  readonly restore: RestoreChoice;
  readonly allowNonRestoredState: boolean;
}

export const DEFAULT_RETAINED = 3;

export function parseConfigFile(text: string, file: string): RuntimeConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`MR_ERR_CONFIG: ${file} (MILLRACE_CONFIG) is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = runtimeConfigFileSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`MR_ERR_CONFIG: ${file} (MILLRACE_CONFIG): ${i?.path.join('.') || '(root)'}: ${i?.message}`);
  }
  return parsed.data;
}

export function jobManagerCheckpointConfig(flags: JobManagerFlags, file: RuntimeConfigFile | undefined, env: Record<string, string | undefined>, home = os.homedir()): JobManagerCheckpointConfig {
  const fileInterval = file?.checkpoints?.intervalSeconds;
  const restoreFile = file?.restore;
  let restore: RestoreChoice = { kind: 'none' };
  if (flags.fromSavepoint) restore = { kind: 'savepoint', path: flags.fromSavepoint };
  else if (restoreFile?.strategy === 'savepoint') {
    if (!restoreFile.savepointPath) throw new Error('MR_ERR_CONFIG: restore.strategy is savepoint but restore.savepointPath is missing; set the savepoint location');
    restore = { kind: 'savepoint', path: restoreFile.savepointPath };
  } else if (restoreFile?.strategy === 'latestState') restore = { kind: 'latestState' };
  else if (restoreFile?.strategy === 'latestSavepoint') restore = { kind: 'latestSavepoint' };
  return {
    storageUri: resolveStorageUri(flags.checkpointStorage, env, home),
    namespace: flags.namespace ?? file?.deployment?.namespace ?? 'default',
    deployment: flags.deployment ?? file?.deployment?.name,
    settings: {
      intervalMs: flags.checkpointIntervalMs ?? (fileInterval !== undefined ? fileInterval * 1000 : DEFAULT_CHECKPOINT_SETTINGS.intervalMs),
      timeoutMs: flags.checkpointTimeoutMs ?? DEFAULT_CHECKPOINT_SETTINGS.timeoutMs,
      minPauseMs: flags.minPauseMs ?? DEFAULT_CHECKPOINT_SETTINGS.minPauseMs,
      tolerableFailures: flags.tolerableFailedCheckpoints ?? file?.checkpoints?.tolerableFailures ?? DEFAULT_CHECKPOINT_SETTINGS.tolerableFailures,
    },
    retained: flags.checkpointsRetained ?? file?.checkpoints?.retained ?? DEFAULT_RETAINED,
    restore,
    allowNonRestoredState: flags.allowNonRestoredState ?? restoreFile?.allowNonRestoredState ?? false,
  };
}

/**
 * How many registered TaskManagers the JobManager keeps wholly free, so that the failover after a
 * TaskManager loss deploys at once (Flink's slotmanager.redundant-taskmanager-num, default 0):
 * `--standby-taskmanagers`, else `taskManagers.standby` of the config file.
 */
export function standbyTaskManagersOf(flag: number | undefined, file: RuntimeConfigFile | undefined): number {
  return flag ?? file?.taskManagers?.standby ?? 0;
}
