// JobManager high availability through the checkpoint storage (Flink keeps the same in ZooKeeper
// or Kubernetes ConfigMaps): under `flink-jobs/<namespace>/<deployment>/ha/` the JobManager
// records the submitted job (module URL, parameters, parallelism, settings, current attempt,
// state, start time, restarts) and a pointer to its latest completed checkpoint. A JobManager
// started again with the same storage, namespace and deployment finds a job that did not reach a
// terminal state and resumes it (same job id, a new attempt, the same start time, one restart
// more) from its latest completed checkpoint.

//
// With a Deployment key (a cluster) every record carries `signature`, an HMAC of the rest under
// the key, and a job record must name the Deployment's configured job module: a record written
// by anyone else (a planted record, another Deployment's, a deleted and re-created Deployment's)
// is refused with MR_ERR_HA_RECORD_REFUSED naming the file, and never imported.

import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { DeploymentKey } from '../auth/deployment-key.ts';
import { RuntimeError } from '../errors/runtime-error.ts';
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
  /** the Deployment revision (its pods' spec hash) that wrote the record; another revision never resumes it */
  revision: z.string().optional(),
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

export interface HaTrust {
  /** records are signed with it and must verify */
  readonly key?: DeploymentKey;
  /** a job record must name this job module */
  readonly configuredJob?: string;
  /**
   * The Deployment revision running now (MILLRACE_DEPLOYMENT_REVISION). A record of another
   * revision — the job a stateless upgrade replaced, whose cancellation may not have reached the
   * record — is fenced: not resumed, so the new spec starts instead of the old job.
   */
  readonly revision?: string;
}

/** JSON with sorted keys and no undefined members: what the signature covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const TERMINAL = new Set(['FINISHED', 'CANCELED', 'FAILED']);

export class HaStore {
  private readonly store: ObjectStore;
  private readonly dir: string;
  private readonly trust: HaTrust;
  /** writes are serialized so an older state never overwrites a newer one */
  private chain: Promise<void> = Promise.resolve();

  constructor(store: ObjectStore, scope: DeploymentScope, trust: HaTrust = {}) {
    this.store = store;
    this.trust = trust;
    this.dir = `${deploymentCheckpointsDir(scope)}ha/`;
  }

  /** the revision this JobManager writes into its records */
  get revision(): string | undefined {
    return this.trust.revision;
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
    const file = `${this.location}${name}`;
    let raw: unknown;
    try {
      raw = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new RuntimeError('MR_ERR_HA_RECORD_MALFORMED', `HA record ${file} is not JSON (${(err as Error).message}); delete it to start the job afresh`, { subject: file });
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new RuntimeError('MR_ERR_HA_RECORD_MALFORMED', `HA record ${file} is not a JSON object; delete it to start the job afresh`, { subject: file });
    const { signature, ...unsigned } = raw as Record<string, unknown>;
    if (this.trust.key) {
      const expected = Buffer.from(this.trust.key.mac('ha', canonicalJson(unsigned)), 'hex');
      const given = typeof signature === 'string' && /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new RuntimeError('MR_ERR_HA_RECORD_REFUSED', `HA record ${file} is ${signature === undefined ? 'not signed' : 'not signed with this Deployment\'s key'}; it was not written by this Deployment's JobManager and is not imported`, { subject: file });
      }
    }
    const parsed = schema.safeParse(unsigned);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new RuntimeError('MR_ERR_HA_RECORD_MALFORMED', `HA record ${file} is not valid: ${i?.path.join('.') || '(root)'}: ${i?.message}; delete it to start the job afresh`, { subject: file });
    }
    return parsed.data;
  }

  private write(name: string, value: unknown): Promise<void> {
    const plain = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    const record = this.trust.key ? { ...plain, signature: this.trust.key.mac('ha', canonicalJson(plain)) } : plain;
    const next = this.chain.then(() => this.store.put(`${this.dir}${name}`, Buffer.from(`${JSON.stringify(record, null, 2)}\n`)));
    this.chain = next.catch(() => undefined);
    return next;
  }

  async readJob(): Promise<HaJob | undefined> {
    const job = await this.readJson('job.json', haJobSchema);
    const revision = this.trust.revision;
    if (job && revision !== undefined && job.revision !== revision && !TERMINAL.has(job.state)) {
      throw new RuntimeError('MR_ERR_HA_RECORD_REFUSED', `HA record ${this.location}job.json is of job ${job.jobId} of Deployment revision ${job.revision ?? '(none)'}, not of this revision ${revision} (a replaced spec); it is not resumed, the configured job starts`, { subject: `${this.location}job.json` });
    }
    const want = this.trust.configuredJob;
    if (job && want !== undefined && job.jobUrl !== want) {
      throw new RuntimeError('MR_ERR_HA_RECORD_REFUSED', `HA record ${this.location}job.json names job module ${job.jobUrl}, not this Deployment's configured ${want}; it is not imported`, { subject: `${this.location}job.json` });
    }
    return job;
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
