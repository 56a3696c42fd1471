// INSERT INTO / OVERWRITE → a Sink over the query's plan. The query's columns must match the
// sink's persisted columns (physical and non-virtual metadata) in number and, up to implicit
// casts, in type; Flink's message names the first incompatible column and both schemas.
import type { CatalogTable } from '../catalog/catalog-objects.ts';
import { pathToString } from '../catalog/catalog-objects.ts';
import { SqlError } from '../errors.ts';
import type { Insert } from '../parser/ast.ts';
import type { LogicalNode } from '../planner/logical-plan.ts';
import type { Rex } from '../planner/rex.ts';
import { inputRef, literal } from '../planner/rex.ts';
import { implicitlyCastable } from '../types/coercion.ts';
import { typeToString, withNullability, withoutTimeAttribute } from '../types/data-type.ts';
import { castTo } from './expression-converter.ts';
import { convertQuery } from './query-converter.ts';
import type { ResolveContext } from './table-resolver.ts';

export function convertInsert(insert: Insert, ctx: ResolveContext): LogicalNode {
  const path = ctx.catalog.qualify(insert.target.parts, insert.target.pos);
  const rel = ctx.catalog.getRelation(path);
  if (rel === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `Object '${insert.target.parts.join('.')}' not found within '${path.catalog}.${path.database}': create the sink table with CREATE TABLE ... WITH ('connector' = ...) first`, insert.target.pos);
  if (rel.kind !== 'table') throw new SqlError('MR_ERR_SQL_VALIDATE', `${pathToString(path)} is a view: INSERT INTO needs a table`, insert.target.pos);
  const table: CatalogTable = rel;
  const query = convertQuery(insert.query, ctx);
  const sinkCols = table.schema.columns.filter((c) => c.kind === 'physical' || (c.kind === 'metadata' && !c.virtual));
  const staticParts = new Map(insert.partition.map((p) => [p.key, p]));
  for (const p of insert.partition) {
    if (!table.partitionKeys.includes(p.key)) throw new SqlError('MR_ERR_SQL_VALIDATE', `'${p.key}' is not a partition column of ${pathToString(path)} (partition columns: ${table.partitionKeys.join(', ') || 'none'})`, p.pos);
  }
  // Which sink column each query column fills.
  let targets: number[];
  if (insert.columns !== undefined) {
    targets = insert.columns.map((name) => {
      const i = sinkCols.findIndex((c) => c.name === name);
      if (i < 0) throw new SqlError('MR_ERR_SQL_VALIDATE', `Unknown target column '${name}' of ${pathToString(path)}`, insert.pos);
      return i;
    });
  } else {
    targets = sinkCols.map((_, i) => i).filter((i) => !staticParts.has(sinkCols[i]!.name));
  }
  const querySchema = `[${query.fields.map((f) => `${f.name}: ${typeToString(withoutTimeAttribute(f.type))}`).join(', ')}]`;
  const sinkSchema = `[${sinkCols.map((c) => `${c.name}: ${typeToString(c.type)}`).join(', ')}]`;
  const mismatch = (cause: string): never => {
    throw new SqlError('MR_ERR_SQL_VALIDATE', `Column types of query result and sink for '${pathToString(path)}' do not match.\nCause: ${cause}\n\nQuery schema: ${querySchema}\nSink schema:  ${sinkSchema}`, insert.query.pos);
  };
  if (targets.length !== query.fields.length) mismatch('Different number of columns.');
  const exprs: Rex[] = sinkCols.map((c) => {
    const k = targets.indexOf(sinkCols.indexOf(c));
    if (k < 0) {
      const part = staticParts.get(c.name);
      if (part !== undefined) return castTo(literal(part.value, { root: 'VARCHAR', length: part.value.length, nullable: false }), c.type);
      return literal(null, withNullability(c.type, true));
    }
    const f = query.fields[k]!;
    if (!implicitlyCastable(withoutTimeAttribute(f.type), c.type)) mismatch(`Incompatible types for sink column '${c.name}' at position ${sinkCols.indexOf(c)}.`);
    return castTo(inputRef(k, f.type), c.type);
  });
  const identity = exprs.every((e, i) => e.kind === 'inputRef' && e.index === i) && exprs.length === query.fields.length;
  const input: LogicalNode = identity ? query : { kind: 'Project', input: query, exprs, fields: sinkCols.map((c, i) => ({ name: c.name, type: exprs[i]!.type })) };
  return { kind: 'Sink', input, table, overwrite: insert.overwrite, fields: sinkCols.map((c, i) => ({ name: c.name, type: input.fields[i]!.type })) };
}
