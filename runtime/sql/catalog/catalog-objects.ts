// What the catalog holds: resolved tables (columns with their types, time attributes, watermark,
// primary key, WITH options), views (their query, expanded where they are used), and functions.
// Like Flink's ResolvedCatalogTable: the schema is resolved once, when the table is created.
import type { CreateTable, Expr, Query } from '../parser/ast.ts';
import type { DataType } from '../types/data-type.ts';

export interface ObjectPath {
  catalog: string;
  database: string;
  name: string;
}

export function pathToString(p: ObjectPath): string {
  return `${p.catalog}.${p.database}.${p.name}`;
}

/** Flink prints object identifiers backquoted in plans: `default_catalog`.`default_database`.`t`. */
export function pathToQuotedString(p: ObjectPath): string {
  return [p.catalog, p.database, p.name].map((s) => '`' + s + '`').join('.');
}

export type SchemaColumn =
  | { kind: 'physical'; name: string; type: DataType; comment?: string }
  | { kind: 'computed'; name: string; type: DataType; expr: Expr; exprText: string; comment?: string }
  | { kind: 'metadata'; name: string; type: DataType; key?: string; virtual: boolean; comment?: string };

export interface TableSchema {
  columns: SchemaColumn[];
  watermark?: { column: string; expr: Expr; exprText: string };
  primaryKey?: { name: string; columns: string[] };
}

export interface CatalogTable {
  kind: 'table';
  path: ObjectPath;
  schema: TableSchema;
  options: Record<string, string>;
  partitionKeys: string[];
  comment?: string;
  temporary: boolean;
  /** The statement that created it, for LIKE. */
  ddl?: CreateTable;
  /** Its text as written, for SHOW CREATE TABLE. */
  ddlText?: string;
}

export interface CatalogView {
  kind: 'view';
  path: ObjectPath;
  query: Query;
  queryText: string;
  /** Column names given in CREATE VIEW v (a, b) AS ... */
  columnNames?: string[];
  comment?: string;
  temporary: boolean;
  /** The CREATE VIEW statement as written, for SHOW CREATE VIEW. */
  ddlText?: string;
}

export type CatalogRelation = CatalogTable | CatalogView;

export interface CatalogFunction {
  path: ObjectPath;
  /** `module.ts#export` (LANGUAGE JAVASCRIPT) or a Java class name (kept for messages; Java UDFs cannot run here). */
  identifier: string;
  language: 'JAVA' | 'SCALA' | 'PYTHON' | 'JAVASCRIPT';
  temporary: boolean;
  /** TEMPORARY SYSTEM functions have a one-part name and shadow built-ins. */
  system: boolean;
}
