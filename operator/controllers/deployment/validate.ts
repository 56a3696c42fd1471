// Validation of what the schema cannot check (pure): the job source. An inline pipeline is
// parsed with the runtime's own pipeline schema, so the operator refuses exactly what the
// runtime would, before any pod exists; SQL is checked as its job would build it (sql-source.ts).
import type { DeploymentSpec } from '../../api/v1alpha1/deployment.ts';
import type { ArtifactProblemReason } from './artifact-resolution.ts';
import { parsePipeline, PipelineError } from '../../../runtime/pipeline/parse.ts';
import { validateSqlSource } from './sql-source.ts';
import type { SqlModuleProblemReason } from './sql-modules.ts';
import type { ModuleTypes } from '../../../runtime/sql/udf/udf-types.ts';

export interface SourceProblem {
  reason: 'InvalidSql' | 'InvalidPipeline' | 'SecretNotListed' | 'SecretNotFound' | 'SecretNotAllowed' | 'PodTemplateNotAllowed' | 'ImageNotAllowed' | 'ServiceAccountNotAllowed' | ArtifactProblemReason | SqlModuleProblemReason;
  message: string;
}

/** `udfDeclared`: the declared types of the SQL script's function modules (sql-modules.ts). */
export function validateSource(source: DeploymentSpec['source'], configuration: Record<string, string> = {}, udfDeclared?: ReadonlyMap<string, ModuleTypes>): SourceProblem | undefined {
  if (source.sql !== undefined) return validateSqlSource(source.sql, configuration, udfDeclared);
  if (source.pipeline !== undefined) {
    try {
      parsePipeline(source.pipeline);
    } catch (err) {
      if (!(err instanceof PipelineError)) throw err;
      const fields = err.issues.length ? err.issues.map((i) => `spec.source.pipeline${i.path === '(root)' ? '' : `: ${i.path}`}: ${i.message}`).join('; ') : `spec.source.pipeline: ${err.message}`;
      return { reason: 'InvalidPipeline', message: `${fields}; fix the pipeline and apply again` };
    }
  }
  return undefined;
}
