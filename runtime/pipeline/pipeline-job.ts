// The job module that runs a YAML pipeline: `millrace run runtime/pipeline/pipeline-job.ts
// --set pipeline=<file>` locally, or `millrace jobmanager --job <this> --set pipeline=<file>` in
// a pod (the operator mounts the pipeline from the Deployment's ConfigMap). Every process reads
// the same file and builds the same graph.
import { defineJob } from '../api/environment.ts';
import { buildPipeline } from './compile.ts';
import { loadPipelineFile, PipelineError } from './parse.ts';

/** Job parameter naming the pipeline file. */
export const PIPELINE_PARAM = 'pipeline';

export default defineJob({
  name: 'pipeline',
  build(env, params) {
    const file = params.get(PIPELINE_PARAM, '');
    if (!file) throw new PipelineError('MR_ERR_PIPELINE_PARAM', `the pipeline job needs the parameter '${PIPELINE_PARAM}' naming a YAML pipeline file (--set ${PIPELINE_PARAM}=/path/pipeline.yaml)`);
    buildPipeline(env, loadPipelineFile(file));
  },
});
