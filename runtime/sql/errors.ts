// Coded errors of the SQL layer. Every error that points into the SQL text carries the line and
// column (1-based) so the operator can write it to a Deployment's status and a person can find it.
// Callers and tests match on `code`, never on the message text.

export type SqlErrorCode =
  /** The text is not Flink SQL: a token the grammar does not allow where it stands. */
  | 'MR_ERR_SQL_PARSE'
  /** The statement parses but names something unknown or mixes types Flink refuses. */
  | 'MR_ERR_SQL_VALIDATE'
  /** Catalog operations: an object exists already, or does not exist. */
  | 'MR_ERR_SQL_CATALOG'
  /** The planner cannot run the statement as written (for example an update stream into an append-only sink). */
  | 'MR_ERR_SQL_PLAN'
  /** Valid Flink SQL that Millrace does not support yet. */
  | 'MR_ERR_SQL_UNSUPPORTED'
  /** The SQL client could not take a savepoint (STOP JOB ... WITH SAVEPOINT) or restore one ('execution.savepoint.path'). */
  | 'MR_ERR_SQL_SAVEPOINT';

export interface SqlPosition {
  /** 1-based line of the first character. */
  line: number;
  /** 1-based column of the first character (in UTF-16 code units, as editors count). */
  column: number;
}

export interface SqlProblem extends SqlPosition {
  message: string;
}

export class SqlError extends Error {
  readonly code: SqlErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** All problems found (a parse collects one per statement); the first is the message. */
  readonly problems: SqlProblem[];

  constructor(code: SqlErrorCode, message: string, position?: SqlPosition, problems?: SqlProblem[]) {
    super(position === undefined ? `${code}: ${message}` : `${code}: line ${position.line}, column ${position.column}: ${message}`);
    this.name = 'SqlError';
    this.code = code;
    this.line = position?.line;
    this.column = position?.column;
    this.problems = problems ?? (position === undefined ? [] : [{ line: position.line, column: position.column, message }]);
  }
}
