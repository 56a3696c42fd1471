// Validation and EXPLAIN of a SQL draft, in the console process, with the same code the operator
// runs before it creates pods (runtime/sql/session/validate-script.ts): problems with line and
// column, and for each INSERT (or statement set) the plan Flink's EXPLAIN would print.
import { SqlError } from '../../../runtime/sql/errors.ts';
import { parseScript } from '../../../runtime/sql/parser/index.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import { validateScript, type ScriptValidation } from '../../../runtime/sql/session/validate-script.ts';

export interface SqlPlan { line: number; column: number; statement: string; plan: string }

export function validateSqlDraft(text: string): ScriptValidation {
  return validateScript(text);
}

/** EXPLAIN of every INSERT and statement set of a script that validates; [] when it does not. */
export function explainSqlDraft(text: string): { validation: ScriptValidation; plans: SqlPlan[] } {
  const validation = validateScript(text);
  if (!validation.ok) return { validation, plans: [] };
  const session = new SqlSession();
  const plans: SqlPlan[] = [];
  for (const s of parseScript(text)) {
    const kind = s.statement.kind;
    if (kind !== 'insert' && kind !== 'statementSet') { session.execute(s); continue; }
    try {
      const explained = parseScript(`EXPLAIN ${s.text}`)[0];
      const r = explained ? session.execute(explained) : undefined;
      if (r?.kind === 'explain') plans.push({ ...s.statement.pos, statement: s.text, plan: r.text });
    } catch (e) {
      // the statement validated; a failing EXPLAIN is shown as its message rather than hiding the rest
      if (!(e instanceof SqlError)) throw e;
      plans.push({ ...s.statement.pos, statement: s.text, plan: `EXPLAIN failed: ${e.message}` });
    }
  }
  return { validation, plans };
}
