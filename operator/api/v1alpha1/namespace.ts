// Namespace: the unit of isolation inside a workspace, backed by a Kubernetes namespace of the same name.
import { z } from 'zod';
import { ageColumn, computeUnits, conditionsList, dnsLabel, objectSchema, observedGeneration, readyColumn, withRules } from './meta.ts';
import type { KindDefinition } from './meta.ts';

export const NAMESPACE_PHASES = ['Pending', 'Active', 'QuotaRejected', 'Terminating'] as const;
export const MEMBER_ROLES = ['viewer', 'editor', 'owner'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const memberSchema = withRules(z.object({
  kind: z.enum(['User', 'Group', 'ServiceAccount']).describe('Kind of subject: User, Group or ServiceAccount.'),
  name: z.string().min(1).max(253).describe('Name of the user, group or service account.'),
  namespace: z.string().max(63).optional().describe('Namespace of the service account; only for kind ServiceAccount (defaults to this namespace).'),
  role: z.enum(MEMBER_ROLES).describe('Granted role: viewer (read), editor (read and write deployments), owner (editor plus members and queues).'),
}), 'A member of the namespace and the role granted to it.', [
  { rule: "!has(self.__namespace__) || self.kind == 'ServiceAccount'", message: 'namespace may be set only for members of kind ServiceAccount', fieldPath: '.namespace' },
]);
export type Member = z.infer<typeof memberSchema>;

export const namespaceSpecSchema = withRules(z.object({
  workspace: dnsLabel('Name of the Workspace this namespace belongs to; immutable.'),
  quotaCU: computeUnits('Compute quota of the namespace; the sum over namespaces may not exceed the workspace capacity.'),
  members: z.array(memberSchema).max(256).default([]).describe('Users, groups and service accounts granted a role in this namespace.'),
}), 'Desired state of the Namespace.', [
  { rule: 'self.workspace == oldSelf.workspace', message: 'workspace is immutable: create a new Namespace in the other workspace', fieldPath: '.workspace' },
]);

export const namespaceStatusSchema = z.object({
  observedGeneration: observedGeneration().optional(),
  conditions: conditionsList().optional(),
  phase: z.enum(NAMESPACE_PHASES).optional().describe('Pending, Active, QuotaRejected (spec.quotaCU is more than the workspace leaves beside its other namespaces; the last accepted quota, status.acceptedQuotaCU, stays in force) or Terminating.'),
  kubernetesNamespace: z.string().optional().describe('The Kubernetes namespace that backs this Namespace.'),
  acceptedQuotaCU: z.number().optional().describe('Quota in force: the size of the namespace ResourceQuota, against which its queues are sized. Equals spec.quotaCU once a change is accepted; a refused change (phase QuotaRejected) leaves the last accepted quota in force and every other namespace as it was.'),
  allocatedCU: z.number().optional().describe('Sum of the CU of the queues of this namespace.'),
  usedCU: z.number().optional().describe('CU held by running pods in this namespace.'),
}).describe('Observed state of the Namespace.');

export const namespaceSchema = objectSchema('Namespace', 'A Millrace namespace: deployments, queues and members inside a workspace, backed by a Kubernetes namespace of the same name.', namespaceSpecSchema, namespaceStatusSchema);
export type Namespace = z.infer<typeof namespaceSchema>;
export type NamespaceSpec = z.infer<typeof namespaceSpecSchema>;
export type NamespaceStatus = z.infer<typeof namespaceStatusSchema>;

export const namespaceKind: KindDefinition = {
  // Plural is not "namespaces": the API server reads /apis/<group>/<version>/namespaces/<name> as a
  // namespace path for every group, so a custom resource with that plural cannot be addressed.
  kind: 'Namespace', plural: 'millracenamespaces', singular: 'millracenamespace', shortNames: ['mns'], scope: 'Cluster',
  description: namespaceSchema.description ?? '',
  spec: namespaceSpecSchema, status: namespaceStatusSchema,
  rootRules: [{ rule: "self.metadata.name.size() <= 40 && self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')", message: 'metadata.name must be a DNS label of at most 40 characters: it names the Kubernetes namespace and the queue PriorityClasses' }],
  printerColumns: [
    { name: 'Workspace', type: 'string', jsonPath: '.spec.workspace', description: 'Owning workspace.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase.' },
    { name: 'Quota', type: 'number', jsonPath: '.spec.quotaCU', description: 'Quota in CU.' },
    { name: 'Used', type: 'number', jsonPath: '.status.usedCU', description: 'CU held by running pods.' },
    readyColumn, ageColumn,
  ],
};
