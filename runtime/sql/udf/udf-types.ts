// A module's declared function types as data: `<module>.types.json`, written next to the module in
// sql-artifacts/ by `millrace artifacts upload --kind sql-artifacts` on the user's machine (where
// loading the user's own module is fine) and read by the operator, which checks a Deployment's
// script before any pod exists without ever executing tenant code (docs/architecture.md, "UDF
// types without tenant code"). The file names the module's sha256, so a module replaced without
// its types is noticed; the pods load the real module and take its own declarations.
//
//   { "format": "millrace.sql-udf-types/v1", "module": { "sha256": "<hex>", "size": 1234 },
//     "functions": { "tenfold": { "kind": "scalar", "result": "BIGINT" },
//                    "weighted_avg": { "kind": "aggregate", "result": "DOUBLE", "retract": true, "merge": false } } }
import { z } from 'zod';

export const UDF_TYPES_FORMAT = 'millrace.sql-udf-types/v1';
/** The types file's name next to its module. */
export const typesFileOf = (moduleKey: string): string => `${moduleKey}.types.json`;
/** Files whose types are worth describing (JavaScript or TypeScript modules). */
export const isUdfModuleFile = (name: string): boolean => /\.(m?js|cjs|m?ts)$/i.test(name);
/** A types file is small; anything larger is not one. */
export const MAX_TYPES_BYTES = 256 * 1024;

const functionTypesSchema = z.object({
  kind: z.enum(['scalar', 'table', 'aggregate']),
  result: z.string().min(1).max(2000),
  retract: z.boolean().optional(),
  merge: z.boolean().optional(),
});
export type FunctionTypes = z.infer<typeof functionTypesSchema>;

const moduleTypesSchema = z.object({
  format: z.literal(UDF_TYPES_FORMAT),
  module: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative().optional() }),
  functions: z.record(z.string().regex(/^[A-Za-z_$][\w$]*$/), functionTypesSchema),
});
export type ModuleTypes = z.infer<typeof moduleTypesSchema>;

export type ParsedTypes = { ok: true; types: ModuleTypes } | { ok: false; why: string };

/** The types file's content, checked; `why` says what is wrong in words a user can act on. */
export function parseModuleTypes(text: string): ParsedTypes {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, why: `it is not JSON (${(err as Error).message})` };
  }
  const r = moduleTypesSchema.safeParse(json);
  if (!r.success) return { ok: false, why: r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  return { ok: true, types: r.data };
}

export function formatModuleTypes(types: ModuleTypes): string {
  return `${JSON.stringify(types, null, 2)}\n`;
}
