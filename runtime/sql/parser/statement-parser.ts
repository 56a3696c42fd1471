// Statements of a Flink SQL script: DDL (CREATE/DROP TABLE, VIEW, FUNCTION, DATABASE, CATALOG),
// INSERT INTO/OVERWRITE, statement sets (EXECUTE STATEMENT SET BEGIN ... END and
// BEGIN STATEMENT SET; ... END;), SET/RESET, EXPLAIN, SHOW, DESCRIBE, USE and queries.
import { SqlError } from '../errors.ts';
import type { SqlProblem } from '../errors.ts';
import type { ColumnDef, CreateFunction, CreateTable, CreateView, Insert, LikeOption, Name, Pos, Show, Statement, TableOption } from './ast.ts';
import { Cursor } from './cursor.ts';
import { parseExpr } from './expression-parser.ts';
import { tokenize } from './lexer.ts';
import { identifierList, isQueryStart, parseQuery } from './query-parser.ts';
import { parseType } from './type-parser.ts';

/** A statement with the text it was parsed from (for EXPLAIN, view definitions and messages). */
export interface ParsedStatement {
  statement: Statement;
  text: string;
}

/**
 * Parses a script of `;`-separated statements. All statements are read even after an error, so
 * one run reports every broken statement; the SqlError thrown lists them in `problems`.
 */
export function parseScript(source: string): ParsedStatement[] {
  const c = new Cursor(source, tokenize(source));
  const out: ParsedStatement[] = [];
  const problems: SqlProblem[] = [];
  let first: SqlError | undefined;
  for (;;) {
    while (c.acceptOp(';')) { /* empty statements */ }
    if (c.atEnd()) break;
    const start = c.peek().start;
    const inStatementSet = c.isWord('BEGIN');
    try {
      const statement = c.isWord('BEGIN') ? parseBeginStatementSet(c) : parseStatement(c);
      if (!c.atEnd() && !c.isOp(';')) c.fail("';' or the end of the input");
      out.push({ statement, text: source.slice(start, c.previous().end) });
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
      first ??= e;
      problems.push(...e.problems);
      skipToStatementEnd(c, inStatementSet);
    }
  }
  if (first !== undefined) {
    const p = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    throw new SqlError('MR_ERR_SQL_PARSE', p.message + more, p, problems);
  }
  return out;
}

export function parseStatements(source: string): Statement[] {
  return parseScript(source).map((s) => s.statement);
}

/** Parses exactly one statement (a trailing `;` is allowed). */
export function parseStatement(c: Cursor): Statement {
  const t = c.peek();
  if (t.kind === 'word') {
    switch (t.upper) {
      case 'CREATE': return parseCreate(c);
      case 'DROP': return parseDrop(c);
      case 'INSERT': return parseInsert(c);
      case 'EXECUTE': return parseExecute(c);
      case 'SET': return parseSet(c);
      case 'RESET': {
        const pos = c.pos();
        c.next();
        return c.peek().kind === 'string' ? { kind: 'reset', key: c.string(), pos } : { kind: 'reset', pos };
      }
      case 'EXPLAIN': return parseExplain(c);
      case 'SHOW': return parseShow(c);
      case 'DESCRIBE': case 'DESC': {
        const pos = c.pos();
        c.next();
        const extended = c.acceptWords('EXTENDED');
        return { kind: 'describe', extended, name: parseName(c, 'a table or view name'), pos };
      }
      case 'USE': {
        const pos = c.pos();
        c.next();
        const catalog = c.acceptWords('CATALOG');
        return { kind: 'use', catalog, name: parseName(c, catalog ? 'a catalog name' : 'a database name'), pos };
      }
      default: break;
    }
  }
  if (isQueryStart(c, true)) {
    const pos = c.pos();
    return { kind: 'queryStatement', query: parseQuery(c), pos };
  }
  return c.fail('a statement (CREATE, DROP, INSERT, SELECT, SET, EXPLAIN, SHOW, DESCRIBE, ...)');
}

/** Error recovery: skips to the `;` that ends the broken statement (the `END;` of a statement set). */
function skipToStatementEnd(c: Cursor, inStatementSet: boolean): void {
  let depth = 0;
  while (!c.atEnd()) {
    if (c.isOp('(')) depth++;
    else if (c.isOp(')')) depth = Math.max(0, depth - 1);
    else if (depth === 0 && inStatementSet && c.isWord('END') && (c.isOp(';', 1) || c.peek(1).kind === 'eof')) { c.next(); return; }
    else if (c.isOp(';') && depth === 0 && !inStatementSet) return;
    c.next();
  }
}

function parseName(c: Cursor, what: string): Name {
  const pos = c.pos();
  return { parts: c.compoundIdentifier(what), pos };
}

function parseCreate(c: Cursor): Statement {
  const pos = c.pos();
  c.expectWords('CREATE');
  const temporary = c.acceptWords('TEMPORARY');
  const system = temporary && c.acceptWords('SYSTEM');
  if (c.acceptWords('TABLE')) return parseCreateTable(c, pos, temporary);
  if (c.acceptWords('VIEW')) return parseCreateView(c, pos, temporary);
  if (c.acceptWords('FUNCTION')) return parseCreateFunction(c, pos, temporary, system);
  const which = c.acceptWords('DATABASE') ? 'createDatabase' : c.acceptWords('CATALOG') ? 'createCatalog' : undefined;
  if (which === undefined) return c.fail('TABLE, VIEW, FUNCTION, DATABASE or CATALOG after CREATE');
  const ifNotExists = c.acceptWords('IF', 'NOT', 'EXISTS');
  const name = parseName(c, 'a name');
  const comment = c.acceptWords('COMMENT') ? c.string('a comment') : undefined;
  const options = c.acceptWords('WITH') ? parseOptions(c) : [];
  return comment === undefined ? { kind: which, ifNotExists, name, options, pos } : { kind: which, ifNotExists, name, options, comment, pos };
}

function parseCreateTable(c: Cursor, pos: Pos, temporary: boolean): CreateTable {
  const ifNotExists = c.acceptWords('IF', 'NOT', 'EXISTS');
  const table: CreateTable = { kind: 'createTable', temporary, ifNotExists, name: parseName(c, 'a table name'), columns: [], partitionedBy: [], options: [], pos };
  if (c.acceptOp('(')) {
    do parseTableElement(c, table);
    while (c.acceptOp(','));
    c.expectOp(')');
  }
  if (c.acceptWords('COMMENT')) table.comment = c.string('a comment');
  if (c.acceptWords('PARTITIONED', 'BY')) {
    c.expectOp('(');
    table.partitionedBy = identifierList(c, 'a partition column');
    c.expectOp(')');
  }
  if (c.acceptWords('WITH')) table.options = parseOptions(c);
  if (c.isWord('LIKE')) {
    const likePos = c.pos();
    c.next();
    const name = parseName(c, 'the name of the table to copy');
    const options: LikeOption[] = [];
    if (c.acceptOp('(')) {
      while (!c.acceptOp(')')) {
        const mode = c.peek();
        if (!c.isAnyWord(['INCLUDING', 'EXCLUDING', 'OVERWRITING'])) c.fail("INCLUDING, EXCLUDING, OVERWRITING or ')'");
        c.next();
        const what = c.peek();
        if (!c.isAnyWord(['ALL', 'CONSTRAINTS', 'GENERATED', 'METADATA', 'OPTIONS', 'PARTITIONS', 'WATERMARKS'])) c.fail('ALL, CONSTRAINTS, GENERATED, METADATA, OPTIONS, PARTITIONS or WATERMARKS');
        c.next();
        options.push({ mode: mode.upper as LikeOption['mode'], what: what.upper as LikeOption['what'] });
      }
    }
    table.like = { name, options, pos: likePos };
  }
  if (c.acceptWords('AS')) table.asQuery = parseQuery(c);
  if (table.columns.length === 0 && table.like === undefined && table.asQuery === undefined) c.failAt(table.name.pos, `table ${table.name.parts.join('.')} has no columns: expected a column list, LIKE or AS SELECT`);
  return table;
}

const NOT_ENFORCED_HINT = "Flink does not own the data, so the only supported mode is NOT ENFORCED: write PRIMARY KEY (...) NOT ENFORCED";

function expectNotEnforced(c: Cursor): void {
  if (c.acceptWords('NOT', 'ENFORCED')) return;
  if (c.isWord('ENFORCED')) c.failAt(c.pos(), `ENFORCED primary keys are not supported: ${NOT_ENFORCED_HINT}`);
  c.fail('NOT ENFORCED', `: ${NOT_ENFORCED_HINT}`);
}

function parseTableElement(c: Cursor, table: CreateTable): void {
  const pos = c.pos();
  if (c.isWord('WATERMARK') && c.isWord('FOR', 1)) {
    c.next(); c.next();
    if (table.watermark !== undefined) c.failAt(pos, 'a table can have only one WATERMARK');
    const column = c.compoundIdentifier('the time attribute column').join('.');
    c.expectWords('AS');
    table.watermark = { column, expr: parseExpr(c), pos };
    return;
  }
  if (c.isWord('CONSTRAINT') || c.isWord('PRIMARY')) {
    let constraintName: string | undefined;
    if (c.acceptWords('CONSTRAINT')) constraintName = c.identifier('a constraint name');
    c.expectWords('PRIMARY', 'KEY');
    c.expectOp('(');
    const columns = identifierList(c, 'a column name');
    c.expectOp(')');
    expectNotEnforced(c);
    if (table.primaryKey !== undefined) c.failAt(pos, 'a table can have only one PRIMARY KEY');
    table.primaryKey = constraintName === undefined ? { columns, pos } : { constraintName, columns, pos };
    return;
  }
  const name = c.identifier('a column name, WATERMARK or PRIMARY KEY');
  if (table.columns.some((col) => col.name === name)) c.failAt(pos, `column '${name}' is defined twice`);
  if (c.acceptWords('AS')) {
    const expr = parseExpr(c);
    const col: ColumnDef = { kind: 'computed', name, expr, pos };
    if (c.acceptWords('COMMENT')) col.comment = c.string('a comment');
    table.columns.push(col);
    return;
  }
  const type = parseType(c);
  let col: ColumnDef;
  if (c.acceptWords('METADATA')) {
    col = { kind: 'metadata', name, type, virtual: false, pos };
    if (c.acceptWords('FROM')) col.from = c.string('a metadata key');
    if (c.acceptWords('VIRTUAL')) col.virtual = true;
  } else {
    col = { kind: 'physical', name, type, primaryKey: false, pos };
    if (c.isWord('PRIMARY') || c.isWord('CONSTRAINT')) {
      const keyPos = c.pos();
      if (c.acceptWords('CONSTRAINT')) c.identifier('a constraint name');
      c.expectWords('PRIMARY', 'KEY');
      expectNotEnforced(c);
      if (table.primaryKey !== undefined) c.failAt(keyPos, 'a table can have only one PRIMARY KEY');
      col.primaryKey = true;
      table.primaryKey = { columns: [name], pos: keyPos };
    }
  }
  if (c.acceptWords('COMMENT')) col.comment = c.string('a comment');
  table.columns.push(col);
}

/** `('key' = 'value', ...)`. */
export function parseOptions(c: Cursor): TableOption[] {
  c.expectOp('(');
  const options: TableOption[] = [];
  if (c.acceptOp(')')) return options;
  do {
    const pos = c.pos();
    const key = c.string("an option key in quotes, such as 'connector'");
    if (options.some((o) => o.key === key)) c.failAt(pos, `option '${key}' is given twice`);
    c.expectOp('=');
    const value = c.string(`the value of option '${key}' in quotes`);
    options.push({ key, value, pos });
  } while (c.acceptOp(','));
  c.expectOp(')');
  return options;
}

function parseCreateView(c: Cursor, pos: Pos, temporary: boolean): CreateView {
  const ifNotExists = c.acceptWords('IF', 'NOT', 'EXISTS');
  const name = parseName(c, 'a view name');
  let columns: string[] | undefined;
  if (c.acceptOp('(')) {
    columns = identifierList(c, 'a column name');
    c.expectOp(')');
  }
  const comment = c.acceptWords('COMMENT') ? c.string('a comment') : undefined;
  c.expectWords('AS');
  const start = c.peek().start;
  const query = parseQuery(c);
  const view: CreateView = { kind: 'createView', temporary, ifNotExists, name, query, queryText: c.source.slice(start, c.previous().end), pos };
  if (columns !== undefined) view.columns = columns;
  if (comment !== undefined) view.comment = comment;
  return view;
}

function parseCreateFunction(c: Cursor, pos: Pos, temporary: boolean, system: boolean): CreateFunction {
  const ifNotExists = c.acceptWords('IF', 'NOT', 'EXISTS');
  const name = parseName(c, 'a function name');
  c.expectWords('AS');
  const identifier = c.string("the function's implementation in quotes ('module.ts#export' with LANGUAGE JAVASCRIPT)");
  const fn: CreateFunction = { kind: 'createFunction', temporary, system, ifNotExists, name, identifier, using: [], pos };
  if (c.acceptWords('LANGUAGE')) {
    const lang = c.peek();
    if (!c.isAnyWord(['JAVA', 'SCALA', 'PYTHON', 'JAVASCRIPT'])) c.fail('JAVA, SCALA, PYTHON or JAVASCRIPT after LANGUAGE');
    c.next();
    fn.language = lang.upper as CreateFunction['language'];
  }
  const usingPos = c.pos();
  if (c.acceptWords('USING')) {
    fn.usingPos = usingPos;
    do {
      const kind = c.peek();
      if (!c.isAnyWord(['JAR', 'FILE', 'ARCHIVE'])) c.fail('JAR, FILE or ARCHIVE after USING');
      c.next();
      fn.using.push({ kind: kind.upper as 'JAR' | 'FILE' | 'ARCHIVE', uri: c.string('a resource location') });
    } while (c.acceptOp(','));
  }
  return fn;
}

function parseDrop(c: Cursor): Statement {
  const pos = c.pos();
  c.expectWords('DROP');
  const temporary = c.acceptWords('TEMPORARY');
  const system = temporary && c.acceptWords('SYSTEM');
  const t = c.peek();
  if (!c.isAnyWord(['TABLE', 'VIEW', 'FUNCTION', 'DATABASE', 'CATALOG'])) c.fail('TABLE, VIEW, FUNCTION, DATABASE or CATALOG after DROP');
  c.next();
  const ifExists = c.acceptWords('IF', 'EXISTS');
  const name = parseName(c, 'a name');
  let cascade = false;
  if (c.acceptWords('CASCADE')) cascade = true;
  else c.acceptWords('RESTRICT');
  return { kind: 'drop', object: t.upper as 'TABLE', temporary, system, ifExists, name, cascade, pos };
}

function parseInsert(c: Cursor): Insert {
  const pos = c.pos();
  c.expectWords('INSERT');
  let overwrite = false;
  if (c.acceptWords('OVERWRITE')) overwrite = true;
  else c.expectWords('INTO');
  const target = parseName(c, 'the table to insert into');
  let partition: TableOption[] = [];
  if (c.isWord('PARTITION')) {
    c.next();
    c.expectOp('(');
    partition = [];
    do {
      const ppos = c.pos();
      const key = c.identifier('a partition column');
      c.expectOp('=');
      const v = c.peek();
      if (v.kind !== 'string' && v.kind !== 'number') c.fail('a literal partition value');
      c.next();
      partition.push({ key, value: v.value, pos: ppos });
    } while (c.acceptOp(','));
    c.expectOp(')');
  }
  let columns: string[] | undefined;
  if (c.isOp('(') && !isQueryStart(c, true)) {
    c.next();
    columns = identifierList(c, 'a column name');
    c.expectOp(')');
  }
  const query = parseQuery(c);
  const insert: Insert = { kind: 'insert', overwrite, target, partition, query, pos };
  if (columns !== undefined) insert.columns = columns;
  return insert;
}

/** `EXECUTE STATEMENT SET BEGIN INSERT ...; INSERT ...; END` or `EXECUTE INSERT ...`. */
function parseExecute(c: Cursor): Statement {
  const pos = c.pos();
  c.expectWords('EXECUTE');
  if (c.isWord('INSERT')) return parseInsert(c);
  c.expectWords('STATEMENT', 'SET');
  c.expectWords('BEGIN');
  const inserts = parseInsertsUntilEnd(c);
  return { kind: 'statementSet', syntax: 'EXECUTE', inserts, pos };
}

/** The SQL client's `BEGIN STATEMENT SET; INSERT ...; INSERT ...; END;`. */
function parseBeginStatementSet(c: Cursor): Statement {
  const pos = c.pos();
  c.expectWords('BEGIN', 'STATEMENT', 'SET');
  c.expectOp(';');
  const inserts = parseInsertsUntilEnd(c);
  return { kind: 'statementSet', syntax: 'BEGIN', inserts, pos };
}

function parseInsertsUntilEnd(c: Cursor): Insert[] {
  const inserts: Insert[] = [];
  for (;;) {
    while (c.acceptOp(';')) { /* separators */ }
    if (c.acceptWords('END')) return inserts;
    if (!c.isWord('INSERT')) c.fail('INSERT or END in a statement set (only INSERT statements can be in a statement set)');
    inserts.push(parseInsert(c));
    if (!c.isOp(';') && !c.isWord('END')) c.fail("';' or END");
  }
}

/** `SET`, `SET 'key' = 'value'` (unquoted keys and values are accepted as the SQL client does). */
function parseSet(c: Cursor): Statement {
  const pos = c.pos();
  c.expectWords('SET');
  if (c.atEnd() || c.isOp(';')) return { kind: 'set', pos };
  const keyTok = c.peek();
  let key: string;
  if (keyTok.kind === 'string') key = c.string();
  else {
    const start = keyTok.start;
    while (!c.atEnd() && !c.isOp('=') && !c.isOp(';')) c.next();
    key = c.source.slice(start, c.previous().end).trim();
    if (key.length === 0) c.fail("a configuration key such as 'table.exec.state.ttl'");
  }
  c.expectOp('=');
  const valueTok = c.peek();
  let value: string;
  if (valueTok.kind === 'string') value = c.string();
  else {
    const start = valueTok.start;
    while (!c.atEnd() && !c.isOp(';')) c.next();
    value = c.source.slice(start, c.previous().end).trim();
    if (value.length === 0) c.fail(`a value for '${key}'`);
  }
  return { kind: 'set', key, value, pos };
}

const EXPLAIN_DETAILS = ['ESTIMATED_COST', 'CHANGELOG_MODE', 'PLAN_ADVICE', 'JSON_EXECUTION_PLAN'];

function parseExplain(c: Cursor): Statement {
  const pos = c.pos();
  c.expectWords('EXPLAIN');
  const details: string[] = [];
  if (c.acceptWords('PLAN', 'FOR')) { /* the classic form */ } else if (c.isAnyWord(EXPLAIN_DETAILS)) {
    do {
      if (!c.isAnyWord(EXPLAIN_DETAILS)) c.fail(EXPLAIN_DETAILS.join(', '));
      details.push(c.next().upper);
    } while (c.acceptOp(','));
  }
  const statement = c.isWord('EXECUTE') ? parseExecute(c) : c.isWord('INSERT') ? parseInsert(c) : undefined;
  if (statement !== undefined) return { kind: 'explain', details, statement, pos };
  if (!isQueryStart(c, true)) c.fail('a query, INSERT or statement set to explain');
  const qpos = c.pos();
  return { kind: 'explain', details, statement: { kind: 'queryStatement', query: parseQuery(c), pos: qpos }, pos };
}

function parseShow(c: Cursor): Show {
  const pos = c.pos();
  c.expectWords('SHOW');
  let show: Show;
  const simple = (what: Show['what']): Show => ({ kind: 'show', what, pos });
  if (c.acceptWords('TABLES')) show = simple('TABLES');
  else if (c.acceptWords('VIEWS')) show = simple('VIEWS');
  else if (c.acceptWords('FUNCTIONS')) show = simple('FUNCTIONS');
  else if (c.acceptWords('USER', 'FUNCTIONS')) show = simple('USER FUNCTIONS');
  else if (c.acceptWords('CATALOGS')) show = simple('CATALOGS');
  else if (c.acceptWords('DATABASES')) show = simple('DATABASES');
  else if (c.acceptWords('CURRENT', 'CATALOG')) show = simple('CURRENT CATALOG');
  else if (c.acceptWords('CURRENT', 'DATABASE')) show = simple('CURRENT DATABASE');
  else if (c.acceptWords('JARS')) show = simple('JARS');
  else if (c.acceptWords('MODULES')) show = simple('MODULES');
  else if (c.acceptWords('COLUMNS')) {
    if (!c.acceptWords('FROM')) c.expectWords('IN');
    show = { kind: 'show', what: 'COLUMNS', name: parseName(c, 'a table name'), pos };
  } else if (c.acceptWords('CREATE', 'TABLE')) show = { kind: 'show', what: 'CREATE TABLE', name: parseName(c, 'a table name'), pos };
  else if (c.acceptWords('CREATE', 'VIEW')) show = { kind: 'show', what: 'CREATE VIEW', name: parseName(c, 'a view name'), pos };
  else return c.fail('TABLES, VIEWS, FUNCTIONS, USER FUNCTIONS, CATALOGS, DATABASES, CURRENT CATALOG, CURRENT DATABASE, COLUMNS or CREATE TABLE after SHOW');
  if ((show.what === 'TABLES' || show.what === 'VIEWS') && (c.acceptWords('FROM') || c.acceptWords('IN'))) show.name = parseName(c, 'a database name');
  const negated = c.acceptWords('NOT');
  if (c.acceptWords('LIKE')) show.like = { negated, pattern: c.string('a LIKE pattern') };
  else if (negated) c.fail('LIKE after NOT');
  return show;
}
