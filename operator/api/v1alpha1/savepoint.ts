// Savepoint: a portable, user-triggered snapshot of a job's state.
import { z } from 'zod';
import { ageColumn, conditionsList, dnsLabel, objectSchema, observedGeneration, readyColumn, withRules } from './meta.ts';
import type { KindDefinition } from './meta.ts';

export const SAVEPOINT_PHASES = ['Pending', 'InProgress', 'Completed', 'Failed'] as const;
export type SavepointPhase = (typeof SAVEPOINT_PHASES)[number];
export const SAVEPOINT_ORIGINS = ['userRequest', 'suspend', 'upgrade', 'periodic'] as const;

export const savepointSpecSchema = withRules(z.object({
  deployment: dnsLabel('Name of the Deployment (same namespace) whose running job is snapshotted.'),
  origin: z.enum(SAVEPOINT_ORIGINS).default('userRequest').describe('Why the savepoint exists: userRequest (taken when this object is created), suspend or upgrade (recorded by the operator after a stateful suspend or upgrade; never triggered), periodic (created by the operator on the interval of the Deployment\'s spec.savepoints, taken like userRequest, deleted with its files by the history limits).'),
  disposeOnDelete: z.boolean().default(false).describe('Delete the savepoint files from storage when this object is deleted: by the deployment\'s JobManager when one runs, otherwise by the operator from the workspace bucket (only under <prefix>flink-savepoints/<namespace>/<deployment>/). While the files cannot be deleted the object stays, with a Disposed condition saying why; set this to false to keep the files and let the object go.'),
  formatType: z.enum(['canonical', 'native']).default('canonical').describe('canonical: relocatable and portable across versions; native: faster, tied to the state backend.'),
}), 'Desired state of the Savepoint.', [
  { rule: 'self.deployment == oldSelf.deployment', message: 'deployment is immutable: create a new Savepoint', fieldPath: '.deployment' },
]);

export const savepointStatusSchema = z.object({
  observedGeneration: observedGeneration().optional(),
  conditions: conditionsList().optional(),
  phase: z.enum(SAVEPOINT_PHASES).optional().describe('Pending, InProgress, Completed or Failed.'),
  jobId: z.string().optional().describe('Job the savepoint was taken of.'),
  triggerId: z.string().optional().describe('Trigger id returned by the JobManager REST API.'),
  path: z.string().optional().describe('Storage path of the completed savepoint.'),
  triggeredAt: z.string().optional().describe('When the savepoint was triggered (RFC 3339).'),
  completedAt: z.string().optional().describe('When the savepoint completed or failed (RFC 3339).'),
  failureReason: z.string().optional().describe('Why the savepoint failed.'),
  disposalRequestId: z.string().optional().describe('Request id of the disposal of the files at the JobManager, while the object is being deleted.'),
}).describe('Observed state of the Savepoint.');

export const savepointSchema = objectSchema('Savepoint', 'A Millrace savepoint: a portable snapshot of the state of a running deployment.', savepointSpecSchema, savepointStatusSchema);
export type Savepoint = z.infer<typeof savepointSchema>;
export type SavepointStatus = z.infer<typeof savepointStatusSchema>;

export const savepointKind: KindDefinition = {
  kind: 'Savepoint', plural: 'savepoints', singular: 'savepoint', shortNames: ['msp'], scope: 'Namespaced',
  description: savepointSchema.description ?? '',
  spec: savepointSpecSchema, status: savepointStatusSchema,
  printerColumns: [
    { name: 'Deployment', type: 'string', jsonPath: '.spec.deployment', description: 'Snapshotted deployment.' },
    { name: 'Origin', type: 'string', jsonPath: '.spec.origin', description: 'Why it was taken.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase.' },
    { name: 'Path', type: 'string', jsonPath: '.status.path', description: 'Storage path.', priority: 1 },
    readyColumn, ageColumn,
  ],
};
