// Prepares one SQL file for both engines of sql:compare. Flink's copy: every generated table
// (nexmark, datagen) reads a JSON-lines file of the rows Millrace's connector generates (same
// columns, computed columns and WATERMARK, only the WITH clause changes), and every INSERT target
// writes to the oracle's `millrace-collect` sink. Millrace's copy: the same statements, the
// Nexmark table bounded to the same events and seed; datagen tables read the same file (their
// random timestamps depend on the start time, so one generation feeds both).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorRegistry, TableDescriptor } from '../../../runtime/connectors/factory/index.ts';
import { parseScript } from '../../../runtime/sql/parser/index.ts';
import type { CreateTable } from '../../../runtime/sql/parser/index.ts';
import type { RowField } from '../../../runtime/sql/types/data-type.ts';
import { materializeTable } from './materialize.ts';
import { nexmarkPlaceholders, nexmarkSideInput, replaceWithClause, substitutePlaceholders } from './sql-text.ts';

export interface PrepareOptions {
  readonly events: number;
  readonly seed: number;
  /** directory for the event files and the oracle's outputs */
  readonly workDir: string;
}

export interface SinkTable {
  readonly table: string;
  readonly columns: readonly RowField[];
  readonly primaryKey: readonly string[];
  /** the oracle writes `<prefix>.changelog.jsonl` and `<prefix>.final.jsonl` */
  readonly prefix: string;
}

export interface PreparedRun {
  readonly flinkStatements: string[];
  readonly millraceSql: string;
  readonly sinks: SinkTable[];
  readonly inputs: Array<{ table: string; file: string; rows: number }>;
}

const tableName = (t: CreateTable): string => t.name.parts.join('.');
const fileName = (name: string): string => name.replace(/[^A-Za-z0-9_.-]/g, '_');

function physicalColumns(t: CreateTable): RowField[] {
  return t.columns.flatMap((c) => (c.kind === 'physical' ? [{ name: c.name, type: c.type.type }] : []));
}

export async function prepareRun(sqlText: string, registry: ConnectorRegistry, o: PrepareOptions): Promise<PreparedRun> {
  const sql = substitutePlaceholders(sqlText, nexmarkPlaceholders(o.events, o.workDir));
  if (sql.includes(`${o.workDir}/data/side_input.txt`)) {
    mkdirSync(path.join(o.workDir, 'data'), { recursive: true });
    writeFileSync(path.join(o.workDir, 'data', 'side_input.txt'), nexmarkSideInput());
  }
  const parsed = parseScript(sql);
  const targets = new Set<string>();
  for (const { statement: s } of parsed) {
    if (s.kind === 'insert') targets.add(s.target.parts.join('.'));
    if (s.kind === 'statementSet') for (const i of s.inserts) targets.add(i.target.parts.join('.'));
  }
  const flinkStatements: string[] = [];
  const millrace: string[] = [];
  const sinks: SinkTable[] = [];
  const inputs: PreparedRun['inputs'] = [];
  for (const { statement: s, text } of parsed) {
    if (s.kind === 'statementSet' && s.syntax === 'BEGIN') {
      flinkStatements.push(text.replace(/^\s*BEGIN\s+STATEMENT\s+SET\s*;/i, 'EXECUTE STATEMENT SET BEGIN ').replace(/;?\s*$/, ''));
      millrace.push(text);
      continue;
    }
    if (s.kind !== 'createTable') {
      flinkStatements.push(text);
      millrace.push(text);
      continue;
    }
    const name = tableName(s);
    const options = Object.fromEntries(s.options.map((x) => [x.key, x.value]));
    const columns = physicalColumns(s);
    if (targets.has(name)) {
      const prefix = path.join(o.workDir, `sink-${fileName(name)}`);
      sinks.push({ table: name, columns, primaryKey: s.primaryKey?.columns ?? columns.filter((c) => s.columns.some((d) => d.kind === 'physical' && d.name === c.name && d.primaryKey)).map((c) => c.name), prefix });
      flinkStatements.push(replaceWithClause(text, { connector: 'millrace-collect', path: prefix }));
      millrace.push(text);
    } else if (options.connector === 'nexmark' || options.connector === 'datagen') {
      const generated = options.connector === 'nexmark'
        ? { ...options, 'events.num': String(o.events), seed: String(o.seed) }
        : { ...options, ...(options['number-of-rows'] === undefined ? { 'number-of-rows': String(o.events) } : {}), seed: String(o.seed) };
      const descriptor: TableDescriptor = { name, columns, options: generated };
      const file = path.join(o.workDir, `input-${fileName(name)}.jsonl`);
      const rows = await materializeTable(registry, descriptor, file);
      inputs.push({ table: name, file, rows });
      const fromFile = { connector: 'filesystem', path: file, format: 'json' };
      flinkStatements.push(replaceWithClause(text, fromFile));
      millrace.push(replaceWithClause(text, options.connector === 'nexmark' ? generated : fromFile));
    } else {
      flinkStatements.push(text);
      millrace.push(text);
    }
  }
  if (sinks.length === 0) throw new Error('MR_ERR_ORACLE_SQL: the SQL file has no INSERT INTO a table it creates; sql:compare compares what INSERTs write');
  return { flinkStatements, millraceSql: millrace.map((t) => t.replace(/;?\s*$/, ';')).join('\n\n'), sinks, inputs };
}
