// Checks a SQL script without running it, as the operator does before it creates any pod:
// parse, then execute every statement against a fresh session (DDL builds the catalog, INSERTs
// and queries are planned). Problems come back as data with their line and column, one per
// failing statement, so a person fixes them all in one round.
import { SqlError } from '../errors.ts';
import type { SqlErrorCode } from '../errors.ts';
import { parseScript } from '../parser/index.ts';
import type { ParsedStatement } from '../parser/index.ts';
import type { SqlSessionOptions } from './sql-session.ts';
import { SqlSession } from './sql-session.ts';

export interface ScriptProblem {
  code: SqlErrorCode;
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

function problemOf(e: SqlError, fallback?: { line: number; column: number }): ScriptProblem {
  const p: ScriptProblem = { code: e.code, message: e.message.replace(/^MR_ERR_[A-Z_]+: (line \d+, column \d+: )?/, '') };
  const line = e.line ?? fallback?.line;
  const column = e.column ?? fallback?.column;
  if (line !== undefined) p.line = line;
  if (column !== undefined) p.column = column;
  return p;
}

export function validateScript(text: string, options: SqlSessionOptions = {}): ScriptValidation {
  let parsed: ParsedStatement[];
  try {
    parsed = parseScript(text);
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return { ok: false, problems: e.problems.map((p) => ({ code: e.code, message: p.message, line: p.line, column: p.column })), statements: [], jobs: 0 };
  }
  const session = new SqlSession(options);
  const problems: ScriptProblem[] = [];
  let jobs = 0;
  for (const s of parsed) {
    try {
      const r = session.execute(s);
      if (r.kind === 'job') jobs++;
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
      // Planning errors have no position of their own: they belong to the statement.
      problems.push(problemOf(e, s.statement.pos));
    }
  }
  if (problems.length === 0 && jobs === 0) {
    problems.push({ code: 'MR_ERR_SQL_VALIDATE', message: 'the script has no INSERT INTO or statement set: there is nothing to run as a job' });
  }
  return { ok: problems.length === 0, problems, statements: parsed.map((s) => ({ kind: s.statement.kind, ...s.statement.pos })), jobs };
}
