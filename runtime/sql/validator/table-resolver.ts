// CREATE TABLE → a resolved catalog table, as Flink resolves a table when it is created:
// LIKE merged in, computed columns typed, the watermark column turned into a rowtime attribute,
// primary key columns made NOT NULL, every named column checked to exist.
import type { CatalogTable, SchemaColumn, TableSchema } from '../catalog/catalog-objects.ts';
import type { SessionCatalog } from '../catalog/session-catalog.ts';
import { SqlError } from '../errors.ts';
import type { FunctionRegistry } from '../functions/registry.ts';
import type { CreateTable, LikeOption } from '../parser/ast.ts';
import { unparseExpr } from '../parser/unparse.ts';
import type { DataType } from '../types/data-type.ts';
import { isTimestamp, typeToString, withNullability, withoutTimeAttribute } from '../types/data-type.ts';
import type { UdfTypeResolver } from './expression-converter.ts';
import { convertExpr } from './expression-converter.ts';
import { Scope } from './scope.ts';

export interface ResolveContext {
  catalog: SessionCatalog;
  functions: FunctionRegistry;
  udfTypes?: UdfTypeResolver;
}

type Feature = LikeOption['what'];

function likeMode(options: LikeOption[], what: Exclude<Feature, 'ALL'>): LikeOption['mode'] {
  // Flink's default: INCLUDING ALL OVERWRITING OPTIONS; later options override earlier ones.
  let mode: LikeOption['mode'] = what === 'OPTIONS' ? 'OVERWRITING' : 'INCLUDING';
  for (const o of options) if (o.what === 'ALL' || o.what === what) mode = o.mode;
  return mode;
}

export function resolveCreateTable(ddl: CreateTable, ctx: ResolveContext): CatalogTable {
  const path = ctx.catalog.qualify(ddl.name.parts, ddl.name.pos);
  const fail = (message: string, pos = ddl.pos): never => {
    throw new SqlError('MR_ERR_SQL_VALIDATE', message, pos);
  };
  if (ddl.asQuery !== undefined) throw new SqlError('MR_ERR_SQL_UNSUPPORTED', 'CREATE TABLE ... AS SELECT is not supported yet: create the table, then INSERT INTO it', ddl.pos);

  let columns: SchemaColumn[] = [];
  let options: Record<string, string> = {};
  let watermark: TableSchema['watermark'];
  let primaryKey: TableSchema['primaryKey'];
  let partitionKeys: string[] = [];

  if (ddl.like !== undefined) {
    const source = ctx.catalog.getRelation(ctx.catalog.qualify(ddl.like.name.parts, ddl.like.name.pos));
    if (source === undefined) fail(`Source table '${ddl.like.name.parts.join('.')}' of the LIKE clause not found`, ddl.like.name.pos);
    if (source!.kind !== 'table') fail(`Source '${ddl.like.name.parts.join('.')}' of the LIKE clause is a view; LIKE copies tables only`, ddl.like.name.pos);
    const src = source as CatalogTable;
    const opts = ddl.like.options;
    const generated = likeMode(opts, 'GENERATED') !== 'EXCLUDING';
    const metadata = likeMode(opts, 'METADATA') !== 'EXCLUDING';
    columns = src.schema.columns.filter((c) => c.kind === 'physical' || (c.kind === 'computed' && generated) || (c.kind === 'metadata' && metadata)).map((c) => ({ ...c, type: withoutTimeAttribute(c.type) }) as SchemaColumn);
    if (likeMode(opts, 'WATERMARKS') !== 'EXCLUDING') watermark = src.schema.watermark;
    if (likeMode(opts, 'CONSTRAINTS') !== 'EXCLUDING') primaryKey = src.schema.primaryKey;
    if (likeMode(opts, 'PARTITIONS') !== 'EXCLUDING') partitionKeys = [...src.partitionKeys];
    if (likeMode(opts, 'OPTIONS') !== 'EXCLUDING') options = { ...src.options };
    const includingOptions = likeMode(opts, 'OPTIONS') === 'INCLUDING';
    for (const o of ddl.options) {
      if (includingOptions && o.key in options) fail(`There already exists an option ['${o.key}' -> '${options[o.key]}'] in the base table. You might want to specify EXCLUDING OPTIONS or OVERWRITING OPTIONS.`, o.pos);
    }
  }
  for (const o of ddl.options) options[o.key] = o.value;

  // Physical and metadata columns first: computed columns are typed over them.
  for (const col of ddl.columns) {
    if (columns.some((c) => c.name === col.name)) fail(`A column named '${col.name}' already exists in the ${ddl.like ? 'base table' : 'table'}`, col.pos);
    if (col.kind === 'physical') columns.push(withComment({ kind: 'physical', name: col.name, type: col.type.type }, col.comment));
    else if (col.kind === 'metadata') {
      const c: SchemaColumn = { kind: 'metadata', name: col.name, type: col.type.type, virtual: col.virtual };
      if (col.from !== undefined) c.key = col.from;
      columns.push(withComment(c, col.comment));
    } else columns.push(withComment({ kind: 'computed', name: col.name, type: { root: 'NULL', nullable: true }, expr: col.expr, exprText: unparseExpr(col.expr) }, col.comment));
  }
  const base = columns.filter((c) => c.kind !== 'computed');
  const scope = Scope.of([{ alias: undefined, fields: base.map((c) => ({ name: c.name, type: c.type })) }]);
  for (const c of columns) {
    if (c.kind !== 'computed') continue;
    const rex = convertExpr(c.expr, { scope, functions: ctx.functions, catalog: ctx.catalog, clause: 'a computed column', ...(ctx.udfTypes ? { udfTypes: ctx.udfTypes } : {}) });
    // A computed column keeps a proctime attribute (PROCTIME()); any other time attribute is materialized.
    c.type = rex.type.root === 'TIMESTAMP_LTZ' && rex.type.timeAttribute === 'PROCTIME' ? rex.type : withoutTimeAttribute(rex.type);
  }

  if (ddl.primaryKey !== undefined) {
    primaryKey = { name: ddl.primaryKey.constraintName ?? `PK_${ddl.primaryKey.columns.join('_')}`, columns: ddl.primaryKey.columns };
  }
  if (primaryKey !== undefined) {
    for (const k of primaryKey.columns) {
      const c = columns.find((x) => x.name === k);
      if (c === undefined) fail(`Could not create a PRIMARY KEY '${primaryKey.name}'. Column '${k}' does not exist.`, ddl.primaryKey?.pos);
      if (c!.kind !== 'physical') fail(`Could not create a PRIMARY KEY '${primaryKey.name}'. Column '${k}' is not a physical column.`, ddl.primaryKey?.pos);
      c!.type = withNullability(c!.type, false);
    }
  }

  if (ddl.watermark !== undefined) {
    if (watermark !== undefined && ddl.like !== undefined && likeMode(ddl.like.options, 'WATERMARKS') !== 'OVERWRITING') {
      fail('There already exists a watermark spec in the base table. You might want to specify EXCLUDING WATERMARKS or OVERWRITING WATERMARKS.', ddl.watermark.pos);
    }
    watermark = { column: ddl.watermark.column, expr: ddl.watermark.expr, exprText: unparseExpr(ddl.watermark.expr) };
  }
  if (watermark !== undefined) {
    const wm = watermark;
    const col = columns.find((c) => c.name === wm.column);
    const at = ddl.watermark?.pos ?? ddl.pos;
    if (col === undefined) fail(`The rowtime attribute field '${wm.column}' is not defined in the table schema, at ${ddl.watermark ? 'the WATERMARK clause' : 'the base table'}; columns: ${columns.map((c) => c.name).join(', ')}`, at);
    const t = col!.type;
    if (!isTimestamp(t) || (t as { precision: number }).precision > 3) {
      fail(`Invalid data type of time field for watermark definition. The field must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the time field type is ${typeToString(t)}`, at);
    }
    const allScope = Scope.of([{ alias: undefined, fields: columns.map((c) => ({ name: c.name, type: c.type })) }]);
    const wmRex = convertExpr(wm.expr, { scope: allScope, functions: ctx.functions, catalog: ctx.catalog, clause: 'the WATERMARK clause' });
    if (!isTimestamp(wmRex.type) || wmRex.type.root !== t.root) {
      fail(`Invalid data type of expression for watermark definition. The field must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the watermark expression type is ${typeToString(wmRex.type)}`, at);
    }
    col!.type = { ...t, timeAttribute: 'ROWTIME' } as DataType;
  }

  for (const p of ddl.partitionedBy) partitionKeys.push(p);
  for (const p of partitionKeys) {
    if (!columns.some((c) => c.name === p)) fail(`Partition column '${p}' not defined in the table schema. Available columns: [${columns.map((c) => `'${c.name}'`).join(', ')}]`, ddl.pos);
  }

  const schema: TableSchema = { columns };
  if (watermark !== undefined) schema.watermark = watermark;
  if (primaryKey !== undefined) schema.primaryKey = primaryKey;
  const table: CatalogTable = { kind: 'table', path, schema, options, partitionKeys, temporary: ddl.temporary, ddl };
  if (ddl.comment !== undefined) table.comment = ddl.comment;
  return table;
}

function withComment(c: SchemaColumn, comment: string | undefined): SchemaColumn {
  if (comment !== undefined) c.comment = comment;
  return c;
}
