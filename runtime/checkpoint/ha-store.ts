// JobManager high availability through the checkpoint storage (Flink keeps the same in ZooKeeper
// or Kubernetes ConfigMaps): under `flink-jobs/<namespace>/<deployment>/ha/` the JobManager
// records the submitted job (module URL, parameters, parallelism, settings, current attempt,
// state, start time, restarts) and a pointer to its latest completed checkpoint. A JobManager
// started again with the same storage, namespace and deployment finds a job that did not reach a
// terminal state and resumes it (same job id, a new attempt, the same start time, one restart
// more) from its latest completed checkpoint.

import { z } from 'zod';
import { deploymentCheckpointsDir, type DeploymentScope } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { StorageError } from '../storage/errors.ts';

export const haJobSchema = z.object({
  formatVersion: z.literal(1),
  jobId: z.string().min(1),
  name: z.string(),
  jobUrl: z.string().min(1),
  params: z.record(z.string(), z.string()),
  parallelism: z.number().int().min(1),
  restartStrategy: z.string().optional(),
  batchMode: z.boolean(),
  latencyTrackingIntervalMs: z.number().int().min(0),
  /** the attempt deployed last; a resumed job continues with the next one */
  attempt: z.number().int().min(0),
  state: z.string().describe('job state when last written; terminal states are not resumed'),
  /** failovers so far; a resumed job continues the count (metadata written before it existed: 0) */
  restarts: z.number().int().min(0).default(0),
  /** when the job first started (ms since the epoch); a resumed job keeps it, so its REST view does */
  startTime: z.number().int().min(0).optional(),
  /** the snapshot the job was started from, used when no checkpoint completed yet */
  initialRestore: z.object({ path: z.string(), allowNonRestoredState: z.boolean() }).optional(),
  updatedAt: z.number().int(),
});
export type HaJob = z.infer<typeof haJobSchema>;

export const haCheckpointSchema = z.object({
  jobId: z.string(),
  checkpointId: z.number().int().min(1),
  path: z.string(),
  completedAt: z.number().int(),
});
export type HaCheckpointPointer = z.infer<typeof haCheckpointSchema>;

export class HaStore {
  private readonly store: ObjectStore;
  private readonly dir: string;
  /** writes are serialized so an older state never overwrites a newer one */
  private chain: Promise<void> = Promise.resolve();

  constructor(store: ObjectStore, scope: DeploymentScope) {
    this.store = store;
    this.dir = `${deploymentCheckpointsDir(scope)}ha/`;
  }

  get location(): string {
    return `${this.store.description}${this.dir}`;
  }

  private async readJson<T>(name: string, schema: z.ZodType<T>): Promise<T | undefined> {
    let bytes: Buffer;
    try {
      bytes = await this.store.get(`${this.dir}${name}`);
    } catch (err) {
      if (err instanceof StorageError && err.code === 'MR_ERR_STORAGE_NOT_FOUND') return undefined;
      throw err;
    }
    const parsed = schema.safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success) throw new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `HA metadata ${this.location}${name} is not valid: ${parsed.error.issues[0]?.message}; delete it to start the job afresh`, { file: `${this.location}${name}` });
    return parsed.data;
  }

  private write(name: string, value: unknown): Promise<void> {
    const next = this.chain.then(() => this.store.put(`${this.dir}${name}`, Buffer.from(`${JSON.stringify(value, null, 2)}\n`)));
    this.chain = next.catch(() => undefined);
    return next;
  }

  readJob(): Promise<HaJob | undefined> {
    return this.readJson('job.json', haJobSchema);
  }

  writeJob(job: HaJob): Promise<void> {
    return this.write('job.json', job);
  }

  readLatestCheckpoint(): Promise<HaCheckpointPointer | undefined> {
    return this.readJson('latest-checkpoint.json', haCheckpointSchema);
  }

  writeLatestCheckpoint(pointer: HaCheckpointPointer): Promise<void> {
    return this.write('latest-checkpoint.json', pointer);
  }
}
