// Workspace: an isolated environment with its own compute capacity and object-storage bucket.
import { z } from 'zod';
import { ageColumn, computeUnits, conditionsList, dnsLabel, objectSchema, observedGeneration, readyColumn, withRules } from './meta.ts';
import type { KindDefinition } from './meta.ts';

const dnsSubdomain = (description: string) =>
  z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/).describe(description);

export const WORKSPACE_PHASES = ['Pending', 'Ready', 'StorageUnavailable', 'Terminating'] as const;

export const workspaceStorageSchema = z.object({
  bucket: z.string().min(3).max(63).regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/).describe('S3 bucket that holds artifacts, checkpoints, savepoints and logs of this workspace.'),
  endpoint: z.string().regex(/^https?:\/\//).optional().describe('S3 endpoint URL, for example http://minio.storage:9000; omit for AWS S3.'),
  region: z.string().min(1).default('us-east-1').describe('S3 region.'),
  forcePathStyle: z.boolean().default(true).describe('Address the bucket as <endpoint>/<bucket> (needed by most self-hosted S3 servers).'),
  prefix: z.string().max(256).regex(/^([a-z0-9._-]+\/)*$/).default('').describe('Key prefix inside the bucket under which the workspace layout lives; empty or ending in "/".'),
  secretRef: z.object({
    name: dnsLabel('Name of the Secret with keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'),
    namespace: dnsLabel('Namespace of the Secret (usually the namespace the operator runs in).'),
  }).describe('Secret holding the S3 credentials.'),
  namespaceCredentials: z.object({
    mode: z.enum(['AssumeRole', 'SharedKey']).default('AssumeRole').describe('AssumeRole: the operator keeps the workspace key and gives each namespace short-lived STS credentials limited to its own prefixes, renewed before they expire (AWS S3, MinIO, Ceph RGW). SharedKey: every namespace gets a copy of the workspace key, so jobs of one namespace can read and write every other namespace\'s state; only for an S3 without STS and a single tenant (see docs/security.md).'),
    roleArn: z.string().min(20).max(2048).optional().describe('Role assumed for the namespaces\' credentials; required on AWS S3 (the role must trust the workspace key\'s user and allow the bucket), ignored by MinIO.'),
    stsEndpoint: z.string().regex(/^https?:\/\//).optional().describe('STS endpoint URL; defaults to spec.storage.endpoint (MinIO serves STS there), or the regional AWS STS when that is unset.'),
    durationSeconds: z.number().int().min(900).max(43200).default(3600).describe('Lifetime of each namespace\'s credentials in seconds (900 to 43200; the provider may cap it); they are renewed when half of it has passed.'),
  }).default({ mode: 'AssumeRole', durationSeconds: 3600 }).describe('How the jobs of each namespace get storage credentials.'),
}).describe('Object storage of the workspace.');

/**
 * What the JobManager and TaskManager pods of this workspace run and run as. Set by the cluster
 * admin who owns the Workspace; a Deployment may only choose among what is listed here, because
 * an image is code and a service account is an identity (cloud roles, image pull secrets).
 */
export const workspacePodsSchema = z.object({
  image: z.string().min(1).max(512).optional().describe('Image of the JobManager and TaskManager pods; defaults to the operator\'s image setting.'),
  allowedImages: z.array(z.string().min(1).max(512)).max(32).default([]).describe('Further images a Deployment may choose with spec.image (for example a runtime build under test).'),
  serviceAccountName: dnsSubdomain('Service account of the pods (its token is never mounted); defaults to the namespace\'s default service account.').optional(),
  allowedServiceAccountNames: z.array(dnsSubdomain('A service account name.')).max(32).default([]).describe('Further service accounts a Deployment may choose with spec.podTemplate.serviceAccountName.'),
}).describe('Image and service account of the pods of this workspace, and which others Deployments may choose.');
export type WorkspacePods = z.infer<typeof workspacePodsSchema>;
export const DEFAULT_WORKSPACE_PODS: WorkspacePods = { allowedImages: [], allowedServiceAccountNames: [] };

export const workspaceSpecSchema = z.object({
  capacityCU: computeUnits('Total compute capacity that the namespaces of this workspace may share.'),
  storage: workspaceStorageSchema,
  pods: workspacePodsSchema.default(DEFAULT_WORKSPACE_PODS),
}).describe('Desired state of the Workspace.');

export const workspaceStatusSchema = z.object({
  observedGeneration: observedGeneration().optional(),
  conditions: conditionsList().optional(),
  phase: z.enum(WORKSPACE_PHASES).optional().describe('Pending: not yet checked; Ready: storage reachable and prefixes created; StorageUnavailable: the S3 check failed (see the StorageReady condition); Terminating: deleted, waiting for its namespaces to be deleted first.'),
  capacityCU: z.number().optional().describe('Capacity in CU, copied from spec for kubectl get.'),
  allocatedCU: z.number().optional().describe('Sum of the CU quotas of the namespaces in this workspace.'),
  usedCU: z.number().optional().describe('CU held by running JobManager and TaskManager pods in this workspace.'),
}).describe('Observed state of the Workspace.');

export const workspaceSchema = objectSchema('Workspace', 'A Millrace workspace: compute capacity in CU and an S3 bucket, shared by its namespaces.',
  withRules(workspaceSpecSchema, 'Desired state of the Workspace.', [
    { rule: 'self.storage.bucket == oldSelf.storage.bucket', message: 'storage.bucket is immutable: create a new Workspace to move to another bucket', fieldPath: '.storage.bucket' },
  ]),
  workspaceStatusSchema);
export type Workspace = z.infer<typeof workspaceSchema>;
export type WorkspaceSpec = z.infer<typeof workspaceSpecSchema>;
export type WorkspaceStatus = z.infer<typeof workspaceStatusSchema>;

export const workspaceKind: KindDefinition = {
  kind: 'Workspace', plural: 'workspaces', singular: 'workspace', shortNames: ['mws'], scope: 'Cluster',
  description: 'A Millrace workspace: compute capacity in CU and an S3 bucket, shared by its namespaces.',
  spec: workspaceSchema.shape.spec, status: workspaceStatusSchema,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase.' },
    { name: 'Capacity', type: 'number', jsonPath: '.spec.capacityCU', description: 'Capacity in CU.' },
    { name: 'Allocated', type: 'number', jsonPath: '.status.allocatedCU', description: 'CU given to namespaces as quota.' },
    { name: 'Used', type: 'number', jsonPath: '.status.usedCU', description: 'CU held by running pods.' },
    { name: 'Bucket', type: 'string', jsonPath: '.spec.storage.bucket', description: 'S3 bucket.', priority: 1 },
    readyColumn, ageColumn,
  ],
};
