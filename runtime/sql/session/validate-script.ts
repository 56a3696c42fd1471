// Checks a SQL script without running it, as the operator does before it creates any pod:
// parse, then execute every statement against a fresh session (DDL builds the catalog, INSERTs
// and queries are planned). Problems come back as data with their line and column, one per
// failing statement, so a person fixes them all in one round.
import { SqlError } from '../errors.ts';
import type { SqlErrorCode } from '../errors.ts';
import { parseScript } from '../parser/index.ts';
import type { ParsedStatement } from '../parser/index.ts';
import type { StatementResult } from './result.ts';
import type { SqlSessionOptions } from './sql-session.ts';
import { SqlSession } from './sql-session.ts';

export interface ValidateScriptOptions extends SqlSessionOptions {
  /**
   * Called with each statement's result; what it throws (a SqlError) is that statement's problem.
   * A deployed job uses it to refuse a SELECT and to build each INSERT's operators (sql-job.ts).
   */
  onResult?: (result: StatementResult) => void;
}

export interface ScriptProblem {
  /** a SqlError's code, or the code of a connector's refusal (MR_ERR_CONNECTOR_OPTIONS, ...) */
  code: SqlErrorCode | `MR_ERR_${string}`;
  message: string;
  line?: number;
  column?: number;
}

export interface ScriptValidation {
  ok: boolean;
  problems: ScriptProblem[];
  /** Statements that parsed, with their kinds: what a job built from the script would run. */
  statements: { kind: string; line: number; column: number }[];
  /** Number of INSERT jobs (an INSERT or a statement set each). */
  jobs: number;
}

/** A coded error of another layer (the connector factory checks options while planning). */
function isCoded(e: unknown): e is Error & { code: `MR_ERR_${string}` } {
  const code: unknown = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && code.startsWith('MR_ERR_');
}

function problemOf(e: SqlError, fallback?: { line: number; column: number }): ScriptProblem {
  const p: ScriptProblem = { code: e.code, message: e.message.replace(/^MR_ERR_[A-Z_]+: (line \d+, column \d+: )?/, '') };
  const line = e.line ?? fallback?.line;
  const column = e.column ?? fallback?.column;
  if (line !== undefined) p.line = line;
  if (column !== undefined) p.column = column;
  return p;
}

export function validateScript(text: string, options: ValidateScriptOptions = {}): ScriptValidation {
  const { onResult, ...sessionOptions } = options;
  let parsed: ParsedStatement[];
  try {
    parsed = parseScript(text);
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return { ok: false, problems: e.problems.map((p) => ({ code: e.code, message: p.message, line: p.line, column: p.column })), statements: [], jobs: 0 };
  }
  const session = new SqlSession(sessionOptions);
  const problems: ScriptProblem[] = [];
  let jobs = 0;
  for (const s of parsed) {
    try {
      const r = session.execute(s);
      onResult?.(r);
      if (r.kind === 'job') jobs++;
    } catch (e) {
      // Planning errors have no position of their own: they belong to the statement.
      if (e instanceof SqlError) problems.push(problemOf(e, s.statement.pos));
      else if (isCoded(e)) problems.push({ code: e.code, message: e.message.replace(/^MR_ERR_[A-Z_]+: /, ''), ...s.statement.pos });
      else throw e;
    }
  }
  if (problems.length === 0 && jobs === 0) {
    problems.push({ code: 'MR_ERR_SQL_VALIDATE', message: 'the script has no INSERT INTO or statement set: there is nothing to run as a job' });
  }
  return { ok: problems.length === 0, problems, statements: parsed.map((s) => ({ kind: s.statement.kind, ...s.statement.pos })), jobs };
}
