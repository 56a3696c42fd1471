// How the SQL client shows a query's rows, per Flink's `sql-client.execution.result-mode`:
// - tableau: rows printed as they arrive, in a frame with fixed column widths and the row kind
//   in an `op` column, then "Received a total of N rows";
// - changelog: every change with its `op`, in one table when the query ends;
// - table: the result with the changelog applied (a -U/-D removes the row it retracts), in one
//   table when the query ends.
// Flink's table and changelog modes are full-screen views; this client prints them once the query
// ends (a bounded source finished, or Ctrl-C). Pure: the client writes what these return.
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import { javaString } from '../../connectors/table/print.ts';
import type { Field } from '../planner/logical-plan.ts';
import type { DataType } from '../types/data-type.ts';

export const RESULT_MODES = ['table', 'changelog', 'tableau'] as const;
export type ResultMode = (typeof RESULT_MODES)[number];
export const RESULT_MODE_KEY = 'sql-client.execution.result-mode';
/** Flink's option: wider values are cut and end with "..." in the tableau view. */
export const MAX_COLUMN_WIDTH_KEY = 'sql-client.display.max-column-width';
export const DEFAULT_MAX_COLUMN_WIDTH = 30;

/** A value as Flink's client shows it: NULL as <NULL>, everything else as Java's toString. */
export function cell(type: DataType, v: unknown): string {
  return v === null || v === undefined ? '<NULL>' : javaString(type, v);
}

/** The width Flink's tableau gives a column of this type (before the name and the cap). */
function typeWidth(type: DataType, max: number): number {
  switch (type.root) {
    case 'BOOLEAN': return 5;
    case 'TINYINT': return 4;
    case 'SMALLINT': return 6;
    case 'INTEGER': return 11;
    case 'BIGINT': return 20;
    case 'DATE': return 10;
    case 'TIME': return 8;
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return 23;
    default: return max;
  }
}

const clip = (s: string, w: number): string => (s.length <= w ? s : `${s.slice(0, Math.max(0, w - 3))}...`);

/** Streaming tableau: header once, a line per row as it arrives, footer at the end. */
export class TableauView {
  private readonly fields: readonly Field[];
  private readonly widths: number[];
  private readonly border: string;
  private count = 0;

  constructor(fields: readonly Field[], maxWidth = DEFAULT_MAX_COLUMN_WIDTH) {
    this.fields = fields;
    this.widths = [2, ...fields.map((f) => Math.max(f.name.length, typeWidth(f.type, maxWidth)))];
    this.border = `+${this.widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  }

  private line(cells: string[]): string {
    return `| ${cells.map((c, i) => clip(c, this.widths[i]!).padStart(this.widths[i]!)).join(' | ')} |`;
  }

  header(): string {
    return [this.border, this.line(['op', ...this.fields.map((f) => f.name)]), this.border].join('\n');
  }

  row(r: ChangelogRow): string {
    this.count++;
    return this.line([r.kind, ...this.fields.map((f, i) => cell(f.type, r.values[i]))]);
  }

  footer(): string {
    return this.count === 0 ? 'Empty set' : `${this.border}\nReceived a total of ${this.count} row${this.count === 1 ? '' : 's'}`;
  }
}

function boxed(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const border = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [border, line(columns), border, ...rows.map(line), border].join('\n');
}

/** The changelog view: every change in arrival order, with its op. */
export function changelogView(fields: readonly Field[], rows: readonly ChangelogRow[]): string {
  if (rows.length === 0) return 'Empty set';
  const body = rows.map((r) => [r.kind, ...fields.map((f, i) => cell(f.type, r.values[i]))]);
  return `${boxed(['op', ...fields.map((f) => f.name)], body)}\n${rows.length} change${rows.length === 1 ? '' : 's'} received`;
}

/** The changelog applied: +I/+U add a row, -U/-D remove one equal row (Flink's materialized table). */
export function materialize(fields: readonly Field[], rows: readonly ChangelogRow[]): string[][] {
  const table: string[][] = [];
  for (const r of rows) {
    const shown = fields.map((f, i) => cell(f.type, r.values[i]));
    if (r.kind === '+I' || r.kind === '+U') table.push(shown);
    else {
      const at = table.findIndex((t) => t.every((c, i) => c === shown[i]));
      if (at >= 0) table.splice(at, 1);
    }
  }
  return table;
}

/** The table view: the materialized result. */
export function tableView(fields: readonly Field[], rows: readonly ChangelogRow[]): string {
  const table = materialize(fields, rows);
  if (table.length === 0) return 'Empty set';
  return `${boxed(fields.map((f) => f.name), table)}\n${table.length} row${table.length === 1 ? '' : 's'} in set`;
}
