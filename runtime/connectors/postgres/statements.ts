// SQL text of the connector's statements (Flink's PostgresDialect): quoted identifiers, numbered
// parameters, one statement for many rows. PostgreSQL takes at most 65,535 parameters per
// statement, so callers cut batches with `rowsPerStatement`.

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `table-name` may be `schema.table`; each part is quoted. */
export function quoteTableName(name: string): string {
  return name.split('.').map(quoteIdentifier).join('.');
}

const MAX_PARAMS = 65_535;

export function rowsPerStatement(columnsPerRow: number): number {
  return Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, columnsPerRow)));
}

function valuesList(rows: number, width: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`);
  return out.join(', ');
}

/** Append: `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)`. */
export function insertStatement(table: string, columns: readonly string[], rows: number): string {
  return `INSERT INTO ${quoteTableName(table)} (${columns.map(quoteIdentifier).join(', ')}) VALUES ${valuesList(rows, columns.length)}`;
}

/** Upsert by key: rows that exist are updated in place; a table whose columns are all key columns does nothing on conflict. */
export function upsertStatement(table: string, columns: readonly string[], key: readonly string[], rows: number): string {
  const rest = columns.filter((c) => !key.includes(c));
  const action = rest.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${rest.map((c) => `${quoteIdentifier(c)} = EXCLUDED.${quoteIdentifier(c)}`).join(', ')}`;
  return `${insertStatement(table, columns, rows)} ON CONFLICT (${key.map(quoteIdentifier).join(', ')}) ${action}`;
}

/** `DELETE FROM t WHERE (k1, k2) IN (($1, $2), ($3, $4))`. */
export function deleteStatement(table: string, key: readonly string[], rows: number): string {
  return `DELETE FROM ${quoteTableName(table)} WHERE (${key.map(quoteIdentifier).join(', ')}) IN (${valuesList(rows, key.length)})`;
}

/** A lookup join's probe: rows whose key columns equal the parameters. */
export function lookupStatement(table: string, columns: readonly string[], key: readonly string[]): string {
  return `SELECT ${columns.map(quoteIdentifier).join(', ')} FROM ${quoteTableName(table)} WHERE ${key.map((k, i) => `${quoteIdentifier(k)} = $${i + 1}`).join(' AND ')}`;
}

/** A scan, optionally over one split `column BETWEEN $1 AND $2`, optionally in key order. */
export function scanStatement(table: string, columns: readonly string[], options: { splitColumn?: string; orderBy?: readonly string[] } = {}): string {
  const where = options.splitColumn ? ` WHERE ${quoteIdentifier(options.splitColumn)} BETWEEN $1 AND $2` : '';
  const order = options.orderBy?.length ? ` ORDER BY ${options.orderBy.map(quoteIdentifier).join(', ')}` : '';
  return `SELECT ${columns.map(quoteIdentifier).join(', ')} FROM ${quoteTableName(table)}${where}${order}`;
}
