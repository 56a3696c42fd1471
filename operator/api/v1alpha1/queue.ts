// Queue: a partition of a namespace's CU; queues never borrow from each other.
import { z } from 'zod';
import { ageColumn, computeUnits, conditionsList, objectSchema, observedGeneration, readyColumn } from './meta.ts';
import type { KindDefinition } from './meta.ts';

export const QUEUE_PHASES = ['Pending', 'Active', 'QuotaRejected'] as const;
export const DEFAULT_QUEUE = 'default-queue';

export const queueSpecSchema = z.object({
  cu: computeUnits('Compute units reserved for this queue; the sum over the queues of a namespace may not exceed its quota. The default-queue is sized by the operator to what the other queues leave; 0 admits nothing.', 0),
}).describe('Desired state of the Queue.');

export const queueStatusSchema = z.object({
  observedGeneration: observedGeneration().optional(),
  conditions: conditionsList().optional(),
  phase: z.enum(QUEUE_PHASES).optional().describe('Pending, Active, or QuotaRejected (spec.cu is more than the namespace quota leaves beside the other queues; the last accepted size, status.acceptedCU, stays in force).'),
  priorityClassName: z.string().optional().describe('PriorityClass that marks the pods of this queue; the queue ResourceQuota is scoped to it.'),
  acceptedCU: z.number().optional().describe('CU in force: the size of the queue ResourceQuota, which admission uses. Equals spec.cu once a change is accepted; a refused change (phase QuotaRejected) leaves the last accepted size in force and every other queue as it was.'),
  usedCU: z.number().optional().describe('CU held by admitted deployments of this queue.'),
  queuedDeployments: z.number().int().optional().describe('Deployments waiting in phase Queued for capacity.'),
}).describe('Observed state of the Queue.');

export const queueSchema = objectSchema('Queue', 'A Millrace resource queue: a slice of the namespace quota, enforced by a ResourceQuota scoped to the queue PriorityClass.', queueSpecSchema, queueStatusSchema);
export type Queue = z.infer<typeof queueSchema>;
export type QueueStatus = z.infer<typeof queueStatusSchema>;

export const queueKind: KindDefinition = {
  kind: 'Queue', plural: 'queues', singular: 'queue', shortNames: ['mq'], scope: 'Namespaced',
  description: queueSchema.description ?? '',
  spec: queueSpecSchema, status: queueStatusSchema,
  rootRules: [{ rule: 'self.metadata.name.size() <= 40', message: 'metadata.name may have at most 40 characters (it names the queue PriorityClass and ResourceQuota)' }],
  printerColumns: [
    { name: 'CU', type: 'number', jsonPath: '.spec.cu', description: 'CU of the queue.' },
    { name: 'Used', type: 'number', jsonPath: '.status.usedCU', description: 'CU held by admitted deployments.' },
    { name: 'Queued', type: 'integer', jsonPath: '.status.queuedDeployments', description: 'Deployments waiting for capacity.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase.' },
    readyColumn, ageColumn,
  ],
};
