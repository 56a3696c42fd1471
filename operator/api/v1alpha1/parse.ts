// Parses objects read from the API server with the same zod schemas the CRDs are generated
// from, so defaults are applied identically and a bad object names its field.
import type { z } from 'zod';
import { MillraceError } from '../../errors.ts';

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Returns the parsed object or throws MR_ERR_INVALID_RESOURCE naming each bad field. */
export function parseResource<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new MillraceError('MR_ERR_INVALID_RESOURCE', `${what} is invalid: ${formatIssues(result.error)}; fix these fields and apply again`);
}
