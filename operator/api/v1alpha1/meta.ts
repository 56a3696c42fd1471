// Shared pieces of the millrace.dev/v1alpha1 API: group identity, standard conditions,
// the compute unit, and the object envelope every kind shares.
import { z } from 'zod';

export const GROUP = 'millrace.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const CATEGORY = 'millrace';

/** One CEL rule evaluated by the API server (`x-kubernetes-validations`). */
export interface CelRule {
  rule: string;
  message: string;
  /** A CEL expression for the message, so it can name the offending key or value. */
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** Attaches CEL rules (and a description) to a schema; the CRD generator copies them as-is. */
export function withRules<T extends z.ZodType>(schema: T, description: string, rules: CelRule[]): T {
  return schema.meta({ description, 'x-kubernetes-validations': rules }) as T;
}

/** A DNS-1123 label, the name rule for namespaces, queues and most objects we reference. */
export const dnsLabel = (description: string) =>
  z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).describe(description);

/**
 * Compute units: 1 CU = 1 CPU core + 4 GiB memory + 20 GB ephemeral storage.
 * Fractions are allowed in steps of 0.25 so sizes map to whole millicores and MiB.
 */
export const computeUnits = (description: string, min = 0.25) =>
  z.number().multipleOf(0.25).min(min).max(10000).meta({
    description: `${description} In compute units (1 CU = 1 CPU core, 4 GiB memory, 20 GB local storage); steps of 0.25.`,
    // The API server's multipleOf check truncates fractional factors when the value is a whole
    // number, so the CRD checks the 0.25 grid with CEL instead (see crd-generation/openapi-schema.ts).
    'x-kubernetes-validations': [{ rule: 'double(int(self * 4.0)) == self * 4.0', message: 'compute units come in steps of 0.25 (for example 0.25, 0.5, 1, 1.75)' }],
  });

/** metav1.Condition, as the API conventions define it. */
export const conditionSchema = z.object({
  type: z.string().min(1).max(316).describe('Type of condition in CamelCase, for example Ready.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition: True, False or Unknown.'),
  observedGeneration: z.number().int().min(0).optional().describe('The .metadata.generation the condition was set for.'),
  lastTransitionTime: z.string().describe('Last time the condition changed from one status to another (RFC 3339).'),
  reason: z.string().min(1).max(1024).describe('Machine-readable CamelCase reason for the last transition.'),
  message: z.string().max(32768).describe('Human-readable explanation of the last transition.'),
}).describe('A standard Kubernetes condition (metav1.Condition).');
export type Condition = z.infer<typeof conditionSchema>;

export const conditionsList = () =>
  z.array(conditionSchema).max(16)
    .meta({ description: 'Current state as standard conditions; Ready is always present once reconciled.', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });

export const observedGeneration = () =>
  z.number().int().min(0).describe('The .metadata.generation that the operator last reconciled.');

/** The slice of ObjectMeta the operator reads; the API server validates the rest. */
export const objectMetaSchema = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.union([z.string(), z.date()]).optional(),
  deletionTimestamp: z.union([z.string(), z.date()]).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

/** Wraps spec and status schemas into the full object schema of one kind. */
export function objectSchema<S extends z.ZodType, T extends z.ZodType>(kind: string, description: string, spec: S, status: T) {
  return z.object({
    apiVersion: z.string().describe('APIVersion defines the versioned schema of this representation of an object.'),
    kind: z.string().describe(`Kind is the REST resource this object represents; always ${kind}.`),
    metadata: objectMetaSchema,
    spec,
    status: status.optional(),
  }).describe(description);
}

/** A printer column of `kubectl get`. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

/** Everything the CRD generator and the operator need to know about one kind. */
export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Cluster' | 'Namespaced';
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: PrinterColumn[];
  /** CEL rules on the whole object (they may read metadata.name). */
  rootRules?: CelRule[];
}

export const readyColumn: PrinterColumn = {
  name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Whether the object is reconciled and healthy.',
};
export const ageColumn: PrinterColumn = {
  name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.',
};
