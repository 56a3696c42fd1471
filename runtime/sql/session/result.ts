// What executing a statement gives back to a client (the SQL CLI, the operator's validation,
// the job builder).
import type { PlannedTree } from '../planner/planner.ts';
import type { Statement } from '../parser/ast.ts';

/** Rows of strings with column names, as SHOW, DESCRIBE and SET print them. */
export interface ResultTable {
  columns: string[];
  rows: string[][];
}

export type StatementResult =
  /** DDL, SET, USE ...: done; Flink's client prints "[INFO] Execute statement succeeded." */
  | { kind: 'ok'; statement: Statement; message: string }
  | { kind: 'table'; statement: Statement; table: ResultTable }
  | { kind: 'explain'; statement: Statement; text: string }
  /** INSERT or a statement set: the planned sinks of one job, to be translated and run. */
  | { kind: 'job'; statement: Statement; trees: PlannedTree[]; text: string }
  /** A SELECT: its planned tree, for a client that collects results. */
  | { kind: 'query'; statement: Statement; tree: PlannedTree; text: string };

/** Formats a result table in the SQL client's tableau style. */
export function formatTable(t: ResultTable): string {
  const widths = t.columns.map((c, i) => Math.max(c.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const row = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const body = t.rows.map(row);
  return [line, row(t.columns), line, ...body, line, `${t.rows.length} row${t.rows.length === 1 ? '' : 's'} in set`].join('\n');
}
