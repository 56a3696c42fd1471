// A SQL session as Flink's TableEnvironment / SQL client has one: a catalog, a configuration
// (SET), the function registry. It executes statements one by one: DDL changes the catalog,
// SHOW/DESCRIBE/SET answer with tables, EXPLAIN with text, INSERT/statement sets and queries
// with planned trees for the physical translation.
import type { CatalogFunction } from '../catalog/catalog-objects.ts';
import { SessionCatalog } from '../catalog/session-catalog.ts';
import { SqlError } from '../errors.ts';
import { FunctionRegistry } from '../functions/registry.ts';
import type { Statement } from '../parser/ast.ts';
import type { ParsedStatement } from '../parser/index.ts';
import { parseScript } from '../parser/index.ts';
import type { ConnectorCapabilities } from '../planner/changelog.ts';
import type { PlannerOptions } from '../planner/planner.ts';
import { explainStatement, planInserts, planQuery } from '../planner/planner.ts';
import type { UdfTypeResolver } from '../validator/expression-converter.ts';
import { convertQuery } from '../validator/query-converter.ts';
import type { ResolveContext } from '../validator/table-resolver.ts';
import { resolveCreateTable } from '../validator/table-resolver.ts';
import { describeRelation } from './describe.ts';
import type { StatementResult } from './result.ts';

export interface SqlSessionOptions {
  capabilities?: ConnectorCapabilities;
  udfTypes?: UdfTypeResolver;
  /** Initial configuration (e.g. from the Deployment's configuration). */
  config?: Record<string, string>;
}

const OK = '[INFO] Execute statement succeeded.';

export class SqlSession {
  readonly catalog = new SessionCatalog();
  readonly functions = new FunctionRegistry();
  readonly config: Map<string, string>;
  private readonly options: SqlSessionOptions;

  constructor(options: SqlSessionOptions = {}) {
    this.options = options;
    this.config = new Map(Object.entries(options.config ?? {}));
  }

  get context(): ResolveContext {
    const ctx: ResolveContext = { catalog: this.catalog, functions: this.functions };
    if (this.options.udfTypes) ctx.udfTypes = this.options.udfTypes;
    return ctx;
  }

  private get plannerOptions(): PlannerOptions {
    return { ...(this.options.capabilities ? { capabilities: this.options.capabilities } : {}), config: this.config };
  }

  /** Parses and executes a script; stops at the first failing statement (as `sql-client -f` does). */
  executeScript(text: string): StatementResult[] {
    return parseScript(text).map((s) => this.execute(s));
  }

  execute(parsed: ParsedStatement): StatementResult {
    const s = parsed.statement;
    const ok = (message = OK): StatementResult => ({ kind: 'ok', statement: s, message });
    const ctx = this.context;
    switch (s.kind) {
      case 'createTable':
        this.catalog.createRelation({ ...resolveCreateTable(s, ctx), ddlText: parsed.text }, s.ifNotExists, s.pos);
        return ok();
      case 'createView': {
        // Flink validates a view's query when it is created.
        const plan = convertQuery(s.query, ctx);
        if (s.columns !== undefined && s.columns.length !== plan.fields.length) {
          throw new SqlError('MR_ERR_SQL_VALIDATE', `VIEW definition and input fields not match:\n\tDef fields: [${s.columns.join(', ')}].\n\tInput fields: [${plan.fields.map((f) => f.name).join(', ')}].`, s.pos);
        }
        const path = this.catalog.qualify(s.name.parts, s.name.pos);
        const view = { kind: 'view' as const, path, query: s.query, queryText: s.queryText, temporary: s.temporary, ddlText: parsed.text, ...(s.columns ? { columnNames: s.columns } : {}), ...(s.comment !== undefined ? { comment: s.comment } : {}) };
        this.catalog.createRelation(view, s.ifNotExists, s.pos);
        return ok();
      }
      case 'createFunction': {
        const path = s.system ? { catalog: '', database: '', name: s.name.parts[s.name.parts.length - 1]! } : this.catalog.qualify(s.name.parts, s.name.pos);
        if (s.system && s.name.parts.length > 1) throw new SqlError('MR_ERR_SQL_VALIDATE', 'a TEMPORARY SYSTEM function has a one-part name', s.name.pos);
        if (s.language === 'JAVASCRIPT' && !/^[^#]+#[A-Za-z_$][\w$]*$/.test(s.identifier)) {
          throw new SqlError('MR_ERR_SQL_VALIDATE', `a JAVASCRIPT function is named as 'module.ts#export' (a module path and the exported function), not '${s.identifier}'`, s.pos);
        }
        if (s.language === 'JAVASCRIPT' && s.using.length > 0) {
          // Flink's USING JAR ships a Java jar; a JAVASCRIPT module is found by its path alone
          throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `CREATE FUNCTION ${s.name.parts.join('.')} ... LANGUAGE JAVASCRIPT does not take USING ${s.using.map((u) => `${u.kind} '${u.uri}'`).join(', ')}: the module is named in AS '${s.identifier}' (a path relative to the script, or in a Deployment to sql-artifacts/namespaces/<namespace>/, uploaded with \`npx millrace artifacts upload <file> --kind sql-artifacts\`); remove the USING clause`, s.usingPos ?? s.pos);
        }
        const fn: CatalogFunction = { path, identifier: s.identifier, language: s.language ?? 'JAVA', temporary: s.temporary, system: s.system };
        this.catalog.createFunction(fn, s.ifNotExists, s.pos);
        return ok();
      }
      case 'createDatabase': this.catalog.createDatabase(s.name.parts, s.ifNotExists, s.pos); return ok();
      case 'createCatalog': this.catalog.createCatalog(s.name.parts.join('.'), s.ifNotExists, s.pos); return ok();
      case 'drop': {
        if (s.object === 'TABLE' || s.object === 'VIEW') this.catalog.dropRelation(s.object === 'TABLE' ? 'table' : 'view', this.catalog.qualify(s.name.parts, s.name.pos), s.temporary, s.ifExists, s.pos);
        else if (s.object === 'FUNCTION') {
          const path = s.system ? { catalog: '', database: '', name: s.name.parts[s.name.parts.length - 1]! } : this.catalog.qualify(s.name.parts, s.name.pos);
          this.catalog.dropFunction(path, s.temporary, s.system, s.ifExists, s.pos);
        } else throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `DROP ${s.object} is not supported`, s.pos);
        return ok();
      }
      case 'set':
        if (s.key === undefined) return { kind: 'table', statement: s, table: { columns: ['key', 'value'], rows: [...this.config].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v]) } };
        this.config.set(s.key, s.value!);
        return ok('[INFO] Execute statement succeeded.');
      case 'reset':
        if (s.key === undefined) this.config.clear();
        else this.config.delete(s.key);
        return ok();
      case 'use':
        if (s.catalog) this.catalog.useCatalog(s.name.parts.join('.'), s.pos);
        else this.catalog.useDatabase(s.name.parts, s.pos);
        return ok();
      case 'show': return { kind: 'table', statement: s, table: this.show(s) };
      case 'describe': {
        const rel = this.catalog.getRelation(this.catalog.qualify(s.name.parts, s.name.pos));
        if (rel === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `Tables or views with the identifier '${s.name.parts.join('.')}' doesn't exist.`, s.name.pos);
        return { kind: 'table', statement: s, table: describeRelation(rel, rel.kind === 'view' ? convertQuery(rel.query, ctx).fields : undefined) };
      }
      case 'explain': return { kind: 'explain', statement: s, text: explainStatement(s.statement, s.details, ctx, this.plannerOptions) };
      case 'insert':
        this.checkOverwrite([s]);
        return { kind: 'job', statement: s, trees: planInserts([s], ctx, this.plannerOptions), text: parsed.text };
      case 'statementSet':
        if (s.inserts.length === 0) throw new SqlError('MR_ERR_SQL_VALIDATE', 'the statement set holds no INSERT', s.pos);
        this.checkOverwrite(s.inserts);
        return { kind: 'job', statement: s, trees: planInserts(s.inserts, ctx, this.plannerOptions), text: parsed.text };
      case 'queryStatement': return { kind: 'query', statement: s, tree: planQuery(s.query, ctx, this.plannerOptions), text: parsed.text };
    }
  }

  /** Flink overwrites only in batch mode (`SET 'execution.runtime-mode' = 'batch'`). */
  private checkOverwrite(inserts: readonly Extract<Statement, { kind: 'insert' }>[]): void {
    const batch = (this.config.get('execution.runtime-mode') ?? 'streaming').toLowerCase() === 'batch';
    const o = inserts.find((i) => i.overwrite);
    if (o !== undefined && !batch) {
      throw new SqlError('MR_ERR_SQL_PLAN', "INSERT OVERWRITE is not supported in streaming mode: use INSERT INTO, or SET 'execution.runtime-mode' = 'batch'", o.pos);
    }
  }

  private show(s: Extract<Statement, { kind: 'show' }>): { columns: string[]; rows: string[][] } {
    const like = (names: string[]): string[] => {
      if (s.like === undefined) return names;
      const re = new RegExp(`^${s.like.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*').replaceAll('_', '.')}$`);
      return names.filter((n) => re.test(n) !== s.like!.negated);
    };
    const one = (column: string, names: string[]) => ({ columns: [column], rows: like(names).map((n) => [n]) });
    switch (s.what) {
      case 'TABLES': return one('table name', this.catalog.listRelations());
      case 'VIEWS': return one('view name', this.catalog.listRelations('view'));
      case 'FUNCTIONS': return one('function name', [...this.functions.names(), ...this.catalog.listUserFunctions()].sort());
      case 'USER FUNCTIONS': return one('function name', this.catalog.listUserFunctions());
      case 'CATALOGS': return one('catalog name', this.catalog.listCatalogs());
      case 'DATABASES': return one('database name', this.catalog.listDatabases());
      case 'CURRENT CATALOG': return one('current catalog name', [this.catalog.currentCatalog]);
      case 'CURRENT DATABASE': return one('current database name', [this.catalog.currentDatabase]);
      case 'COLUMNS': {
        const rel = this.catalog.getRelation(this.catalog.qualify(s.name!.parts, s.name!.pos));
        if (rel === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `Tables or views with the identifier '${s.name!.parts.join('.')}' doesn't exist.`, s.name!.pos);
        const t = describeRelation(rel, rel.kind === 'view' ? convertQuery(rel.query, this.context).fields : undefined);
        return { columns: t.columns, rows: t.rows.filter((r) => like([r[0]!]).length > 0) };
      }
      case 'CREATE TABLE': case 'CREATE VIEW': {
        const rel = this.catalog.getRelation(this.catalog.qualify(s.name!.parts, s.name!.pos));
        const want = s.what === 'CREATE TABLE' ? 'table' : 'view';
        if (rel === undefined || rel.kind !== want) throw new SqlError('MR_ERR_SQL_VALIDATE', `Could not execute SHOW ${s.what}. ${want === 'table' ? 'Table' : 'View'} with identifier ${s.name!.parts.join('.')} does not exist.`, s.name!.pos);
        return { columns: ['result'], rows: [[rel.ddlText ?? '']] };
      }
      default: throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `SHOW ${s.what} is not supported yet`, s.pos);
    }
  }
}
