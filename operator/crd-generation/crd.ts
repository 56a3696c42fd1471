// Builds the CustomResourceDefinition of one kind from its KindDefinition (pure).
import { CATEGORY, GROUP, VERSION } from '../api/v1alpha1/meta.ts';
import type { KindDefinition } from '../api/v1alpha1/meta.ts';
import { toStructuralSchema } from './openapi-schema.ts';

export function buildCrd(def: KindDefinition): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'millrace' },
      annotations: { 'millrace.dev/generated-by': 'operator/crd-generation (npm run crds:generate); do not edit' },
    },
    spec: {
      group: GROUP,
      scope: def.scope,
      names: { kind: def.kind, listKind: `${def.kind}List`, plural: def.plural, singular: def.singular, shortNames: def.shortNames, categories: [CATEGORY] },
      versions: [{
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: def.printerColumns,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: def.description,
            required: ['spec'],
            ...(def.rootRules?.length ? { 'x-kubernetes-validations': def.rootRules } : {}),
            properties: {
              apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
              kind: { type: 'string', description: `Kind is the REST resource this object represents; always ${def.kind}.` },
              metadata: { type: 'object' },
              spec: toStructuralSchema(def.spec),
              status: toStructuralSchema(def.status),
            },
          },
        },
      }],
    },
  };
}
