// Turns a zod schema into a Kubernetes structural OpenAPI v3 schema. zod emits OpenAPI 3.0
// JSON schema; Kubernetes accepts a subset of it, so this pass removes what the API server
// would refuse or what only adds noise.
import { z } from 'zod';

type Json = Record<string, unknown>;

// multipleOf: see computeUnits in api/v1alpha1/meta.ts, which carries an equivalent CEL rule.
const UNSUPPORTED_KEYS = new Set(['$schema', 'id', '$id', 'const', 'multipleOf']);

function clean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const input = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(input)) {
    if (UNSUPPORTED_KEYS.has(key)) continue;
    // zod bounds integers to the safe range; that is not a rule a user needs to read.
    if ((key === 'maximum' && value === Number.MAX_SAFE_INTEGER) || (key === 'minimum' && value === Number.MIN_SAFE_INTEGER)) continue;
    // Structural schemas forbid additionalProperties next to properties; objects prune unknown fields anyway.
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = key === 'properties'
      ? Object.fromEntries(Object.entries(value as Json).map(([name, child]) => [name, clean(child)]))
      : clean(value);
  }
  return out;
}

export function toStructuralSchema(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw' });
  return clean(json) as Json;
}
