// Validation of what the schema cannot check (pure): the job source. An inline pipeline is
// parsed with the runtime's own pipeline schema, so the operator refuses exactly what the
// runtime would, before any pod exists; SQL is refused: Deployments cannot run it yet.
import type { DeploymentSpec } from '../../api/v1alpha1/deployment.ts';
import { parsePipeline, PipelineError } from '../../../runtime/pipeline/parse.ts';

export interface SourceProblem {
  reason: 'SqlNotSupported' | 'InvalidPipeline' | 'PodTemplateNotAllowed' | 'ImageNotAllowed' | 'ServiceAccountNotAllowed';
  message: string;
}

export function validateSource(source: DeploymentSpec['source']): SourceProblem | undefined {
  if (source.sql !== undefined) {
    return { reason: 'SqlNotSupported', message: 'spec.source.sql: Deployments cannot run SQL yet (the SQL engine runs insert-only scripts locally with npx millrace sql -f); express the job as spec.source.pipeline (YAML) or spec.source.artifact (a job module)' };
  }
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
