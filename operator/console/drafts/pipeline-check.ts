// Validation of a YAML pipeline draft with the runtime's own reader (runtime/pipeline/parse.ts):
// every problem names its field path; YAML syntax errors carry their line and column.
import { PipelineError, parsePipeline } from '../../../runtime/pipeline/parse.ts';
import type { ScriptProblem } from '../../../runtime/sql/session/validate-script.ts';

export function validatePipelineDraft(text: string): { ok: boolean; problems: ScriptProblem[] } {
  try {
    parsePipeline(text);
    return { ok: true, problems: [] };
  } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    const at = /at line (\d+), column (\d+)/.exec(e.message);
    return {
      ok: false,
      problems: e.issues.length
        ? e.issues.map((i) => ({ code: e.code, message: `${i.path}: ${i.message}`, ...(at ? { line: Number(at[1]), column: Number(at[2]) } : {}) }))
        : [{ code: e.code, message: e.message.replace(/^MR_ERR_[A-Z_]+: /, '') }],
    };
  }
}
