// Reads a YAML pipeline into a validated Pipeline. Every problem names its field
// (`steps[1].aggregates[0].field: ...`), so the operator can put the message in a condition.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { pipelineSchema } from './schema.ts';
import type { Pipeline } from './schema.ts';

export type PipelineErrorCode = 'MR_ERR_PIPELINE_INVALID' | 'MR_ERR_PIPELINE_YAML' | 'MR_ERR_PIPELINE_PARAM' | 'MR_ERR_PIPELINE_FILE';

export interface PipelineIssue {
  /** Field path as a person writes it, for example `steps[1].size`; `(root)` for the whole document. */
  path: string;
  message: string;
}

export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly issues: PipelineIssue[];
  constructor(code: PipelineErrorCode, message: string, issues: PipelineIssue[] = []) {
    super(`${code}: ${message}`);
    this.name = 'PipelineError';
    this.code = code;
    this.issues = issues;
  }
}

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(root)';
}

function issuesOf(error: z.ZodError): PipelineIssue[] {
  return error.issues.map((i) => ({ path: fieldPath(i.path), message: i.message }));
}

/** Validates an already parsed object (for example from a test or another format). */
export function validatePipeline(value: unknown): Pipeline {
  const r = pipelineSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = issuesOf(r.error);
  throw new PipelineError('MR_ERR_PIPELINE_INVALID', `pipeline is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

export function parsePipeline(text: string): Pipeline {
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    // yaml's first line already says where: "... at line 3, column 7:".
    const detail = (first.message.split('\n')[0] ?? first.message).replace(/:$/, '');
    throw new PipelineError('MR_ERR_PIPELINE_YAML', `pipeline is not valid YAML: ${detail}`, [{ path: '(root)', message: `not valid YAML: ${detail}` }]);
  }
  return validatePipeline(doc.toJS());
}

export function loadPipelineFile(file: string): Pipeline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PipelineError('MR_ERR_PIPELINE_FILE', `cannot read pipeline file ${file}: ${(err as Error).message}; check the job parameter 'pipeline'`);
  }
  return parsePipeline(text);
}
