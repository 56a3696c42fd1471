// Request schemas of the TaskManager's routes, all /internal/* (called by its JobManager only).
// A deployment descriptor is checked before it reaches a slot worker.

import { z } from 'zod';
import { stateFileEntrySchema } from '../storage/snapshot-metadata.ts';

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"');
const count = z.number().int().min(0);
const address = z.string().max(300).regex(/^[^\s/]+:\d{1,5}$/, 'host:port');

const subtaskRestore = z.object({
  storageUri: z.string().min(1).max(4096),
  dir: z.string().max(4096),
  checkpointId: z.number().int().min(1),
  files: z.record(z.string().max(256), z.array(stateFileEntrySchema)),
});

export const deployBody = z.object({
  jobId: id,
  attempt: count,
  jobUrl: z.string().min(1).max(4096),
  params: z.record(z.string().max(256), z.string().max(65536)),
  parallelism: z.number().int().min(1).max(32768),
  vertexId: z.string().min(1).max(256),
  subtaskIndex: count,
  locations: z.record(z.string().max(256), z.array(address).max(32768)),
  batchMode: z.boolean(),
  latencyTrackingIntervalMs: count,
  restored: z.record(z.string(), z.array(z.unknown())).optional(),
  restore: subtaskRestore.optional(),
  restoring: z.boolean().optional(),
  startTime: z.number().min(0),
  localRecovery: z.boolean().optional(),
}).refine((d) => d.locations[d.vertexId]?.[d.subtaskIndex] !== undefined, { message: 'locations must name the slot of vertexId/subtaskIndex', path: ['locations'] });

export const cancelBody = z.object({ jobId: z.union([id, z.literal('*')]), attempt: count });

const target = z.object({ storageUri: z.string().min(1).max(4096), dir: z.string().max(4096) });

export const triggerBody = z.object({
  jobId: id, attempt: count, checkpointId: z.number().int().min(1), target, isSavepoint: z.boolean(), drain: z.boolean().optional(),
});

export const notifyCompleteBody = z.object({ jobId: id, attempt: count, checkpointId: z.number().int().min(1), stopAfter: z.boolean().optional() });
export const notifyAbortedBody = z.object({ jobId: id, attempt: count, checkpointId: z.number().int().min(1) });

/** Warm-up of a standby's slots: the job module imported and its graph built before any deployment. */
export const prepareBody = z.object({
  jobUrl: z.string().min(1).max(4096),
  params: z.record(z.string().max(256), z.string().max(65536)),
  parallelism: z.number().int().min(1).max(32768),
});
