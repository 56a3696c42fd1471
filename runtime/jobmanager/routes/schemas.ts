// Request schemas of every JobManager route (public REST and the /internal/* TaskManager
// protocol). Routes parse with these (errors/http-errors.ts parseRequest), so a malformed request
// is refused with MR_ERR_REQUEST_INVALID naming the field instead of reaching the job master.
// Unknown fields are dropped; sizes are bounded so one request cannot grow memory without limit.

import { z } from 'zod';
import { stateFileEntrySchema } from '../../storage/snapshot-metadata.ts';

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"');
const count = z.number().int().min(0);

export const jobIdParams = z.object({ id });
export const requestIdParams = z.object({ id, requestId: id });
export const disposalIdParams = z.object({ requestId: id });

export const submitBody = z.object({
  jobUrl: z.string().min(1).max(4096).describe('file path, file: URL, or http(s) URL pinned with #sha256=<hex>'),
  params: z.record(z.string().max(256), z.string().max(65536)).optional(),
  parallelism: z.number().int().min(1).max(32768).optional(),
  restartStrategy: z.string().max(256).optional(),
  batchMode: z.boolean().optional(),
  latencyTrackingIntervalMs: count.optional(),
  savepointPath: z.string().min(1).max(4096).optional(),
  allowNonRestoredState: z.boolean().optional(),
  resumeFromLatest: z.boolean().optional(),
});

export const savepointBody = z.object({
  'target-directory': z.string().min(1).max(4096).optional(),
  'cancel-job': z.boolean().optional(),
  formatType: z.string().max(32).optional(),
}).default({});

export const stopBody = z.object({
  targetDirectory: z.string().min(1).max(4096).optional(),
  drain: z.boolean().optional(),
}).default({});

export const disposalBody = z.object({
  'savepoint-path': z.string().min(1, 'the savepoint location is required').max(4096),
});

// --- /internal/* (TaskManagers of this Deployment) ---

const address = z.string().max(300).regex(/^[^\s/]+:\d{1,5}$/, 'host:port');

export const registerBody = z.object({
  id,
  restUrl: z.url({ protocol: /^https?$/ }).max(300),
  slots: z.array(z.object({ index: count, address })).min(1).max(1024),
  cpuCount: z.number().int().min(1).max(4096),
});

const cpu = z.object({ user: z.number().min(0), system: z.number().min(0) });
const taskMetrics = z.looseObject({ vertexId: z.string().max(256), subtaskIndex: count });

export const heartbeatBody = z.object({
  cpu,
  jobs: z.array(z.object({ jobId: id, attempt: count, tasks: z.array(taskMetrics).max(65536) })).max(1024),
});

export const taskStateBody = z.object({
  jobId: id,
  executionId: z.string().max(1024).optional(),
  attempt: count,
  vertexId: z.string().min(1).max(256),
  subtaskIndex: count,
  state: z.enum(['DEPLOYING', 'RUNNING', 'FINISHED', 'FAILED', 'CANCELED']),
  error: z.string().max(65536).optional(),
  metrics: taskMetrics.optional(),
  lastCheckpointId: count.optional(),
});

// the same checks as _metadata gets: plain file names (no ../), sizes, sha256
const stateFileHandle = stateFileEntrySchema.extend({
  operatorUid: z.string().min(1).max(256),
  parallelism: z.number().int().min(1),
  maxParallelism: z.number().int().min(1),
});

export const checkpointAckBody = z.object({
  jobId: id,
  attempt: count,
  checkpointId: z.number().int().min(1),
  vertexId: z.string().min(1).max(256),
  subtaskIndex: count,
  handles: z.array(stateFileHandle).max(1 << 20),
  alignmentMs: z.number().min(0),
  syncMs: z.number().min(0),
  asyncMs: z.number().min(0),
});

export const checkpointDeclineBody = z.object({
  jobId: id,
  attempt: count,
  checkpointId: z.number().int().min(1),
  vertexId: z.string().min(1).max(256),
  subtaskIndex: count,
  reason: z.string().max(65536),
});
