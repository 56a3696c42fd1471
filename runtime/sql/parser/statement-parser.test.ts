import { SqlError } from '../errors.ts';
import { typeToString } from '../types/data-type.ts';
import type { CreateTable, Insert, Statement } from './ast.ts';
import { parseScript, parseStatements } from './index.ts';

function one(sql: string): Statement {
  const s = parseStatements(sql);
  expect(s).toHaveLength(1);
  return s[0]!;
}

function parseError(sql: string): SqlError {
  try {
    parseStatements(sql);
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error(`expected a parse error for: ${sql}`);
}

describe('CREATE TABLE', () => {
  const ddl = `CREATE TEMPORARY TABLE IF NOT EXISTS orders (
  id BIGINT NOT NULL,
  buyer ROW<name STRING, age INT>,
  tags ARRAY<STRING>,
  attrs MAP<STRING, DECIMAL(10, 2)>,
  ts TIMESTAMP(3),
  ltz TIMESTAMP_LTZ(3),
  total AS price * qty,
  part INT METADATA FROM 'partition' VIRTUAL,
  headers MAP<STRING, BYTES> METADATA,
  \`value\` VARCHAR(10) COMMENT 'a quoted name',
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED
) COMMENT 'orders' PARTITIONED BY (part) WITH (
  'connector' = 'kafka',
  'topic' = 'it''s'
)`;

  it('reads physical, computed and metadata columns, the watermark, the key and the options', () => {
    const t = one(ddl) as CreateTable;
    expect(t.kind).toBe('createTable');
    expect(t.temporary).toBe(true);
    expect(t.ifNotExists).toBe(true);
    expect(t.columns.map((c) => `${c.kind}:${c.name}`)).toEqual([
      'physical:id', 'physical:buyer', 'physical:tags', 'physical:attrs', 'physical:ts', 'physical:ltz',
      'computed:total', 'metadata:part', 'metadata:headers', 'physical:value',
    ]);
    const types = t.columns.filter((c) => c.kind !== 'computed').map((c) => typeToString((c as { type: { type: Parameters<typeof typeToString>[0] } }).type.type));
    expect(types).toEqual(['BIGINT NOT NULL', 'ROW<`name` STRING, `age` INT>', 'ARRAY<STRING>', 'MAP<STRING, DECIMAL(10, 2)>', 'TIMESTAMP(3)', 'TIMESTAMP_LTZ(3)', 'INT', 'MAP<STRING, BYTES>', 'VARCHAR(10)']);
    const part = t.columns[7]!;
    expect(part.kind === 'metadata' && part.from === 'partition' && part.virtual).toBe(true);
    expect(t.watermark?.column).toBe('ts');
    expect(t.watermark?.pos).toEqual({ line: 12, column: 3 });
    expect(t.primaryKey).toEqual({ constraintName: 'pk', columns: ['id'], pos: { line: 13, column: 3 } });
    expect(t.partitionedBy).toEqual(['part']);
    expect(t.comment).toBe('orders');
    expect(t.options.map((o) => [o.key, o.value])).toEqual([['connector', 'kafka'], ['topic', "it's"]]);
  });

  it('reads a column-level primary key and LIKE with its options', () => {
    const t = one("CREATE TABLE t2 (id INT PRIMARY KEY NOT ENFORCED) WITH ('connector' = 'print') LIKE orders (EXCLUDING ALL INCLUDING WATERMARKS OVERWRITING OPTIONS)") as CreateTable;
    expect(t.primaryKey?.columns).toEqual(['id']);
    expect(t.like?.name.parts).toEqual(['orders']);
    expect(t.like?.options).toEqual([{ mode: 'EXCLUDING', what: 'ALL' }, { mode: 'INCLUDING', what: 'WATERMARKS' }, { mode: 'OVERWRITING', what: 'OPTIONS' }]);
  });

  it('refuses an enforced primary key as Flink does', () => {
    const e = parseError('CREATE TABLE t (id INT, PRIMARY KEY (id))');
    expect(e.code).toBe('MR_ERR_SQL_PARSE');
    expect(e.message).toContain('NOT ENFORCED');
    expect([e.line, e.column]).toEqual([1, 41]);
  });

  it('refuses a duplicate option key and names it', () => {
    const e = parseError("CREATE TABLE t (a INT) WITH ('connector' = 'x',\n 'connector' = 'y')");
    expect(e.message).toBe("MR_ERR_SQL_PARSE: line 2, column 2: option 'connector' is given twice");
  });
});

describe('other statements', () => {
  it('reads views, functions, drops, SET, RESET, SHOW, DESCRIBE, USE and EXPLAIN', () => {
    const s = parseStatements(`
      CREATE TEMPORARY VIEW v (a, b) AS SELECT x, y FROM t;
      CREATE FUNCTION lower_case AS 'udfs/strings.ts#lowerCase' LANGUAGE JAVASCRIPT;
      CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS f AS 'com.example.F';
      DROP TEMPORARY VIEW IF EXISTS v;
      DROP TABLE cat.db.t;
      SET 'table.exec.state.ttl' = '1 h';
      SET;
      RESET 'table.exec.state.ttl';
      SHOW TABLES;
      SHOW USER FUNCTIONS;
      SHOW VIEWS LIKE 'v%';
      DESCRIBE t;
      DESC EXTENDED t;
      USE CATALOG c;
      EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT * FROM t;
      EXPLAIN PLAN FOR INSERT INTO s SELECT * FROM t;
    `);
    expect(s.map((x) => x.kind)).toEqual(['createView', 'createFunction', 'createFunction', 'drop', 'drop', 'set', 'set', 'reset', 'show', 'show', 'show', 'describe', 'describe', 'use', 'explain', 'explain']);
    const [view, fn, sysFn, drop1, drop2, set1, set0] = s;
    expect(view).toMatchObject({ temporary: true, columns: ['a', 'b'], queryText: 'SELECT x, y FROM t' });
    expect(fn).toMatchObject({ identifier: 'udfs/strings.ts#lowerCase', language: 'JAVASCRIPT', temporary: false });
    expect(sysFn).toMatchObject({ temporary: true, system: true, ifNotExists: true });
    expect(drop1).toMatchObject({ object: 'VIEW', temporary: true, ifExists: true });
    expect(drop2).toMatchObject({ object: 'TABLE', name: { parts: ['cat', 'db', 't'] } });
    expect(set1).toMatchObject({ key: 'table.exec.state.ttl', value: '1 h' });
    expect(set0).toEqual({ kind: 'set', pos: { line: 8, column: 7 } });
    expect(s[10]).toMatchObject({ what: 'VIEWS', like: { negated: false, pattern: 'v%' } });
    expect(s[14]).toMatchObject({ details: ['CHANGELOG_MODE', 'ESTIMATED_COST'], statement: { kind: 'queryStatement' } });
    expect(s[15]).toMatchObject({ statement: { kind: 'insert' } });
  });

  it('reads INSERT INTO with columns, INSERT OVERWRITE with a static partition', () => {
    const [a, b] = parseStatements("INSERT INTO s (a, b) SELECT x, y FROM t; INSERT OVERWRITE s PARTITION (dt = '2020-01-01') SELECT * FROM t") as Insert[];
    expect(a).toMatchObject({ overwrite: false, columns: ['a', 'b'] });
    expect(b).toMatchObject({ overwrite: true, partition: [{ key: 'dt', value: '2020-01-01' }] });
  });

  it('reads both statement set syntaxes', () => {
    const s = parseScript(`EXECUTE STATEMENT SET BEGIN
  INSERT INTO a SELECT * FROM t;
  INSERT INTO b SELECT * FROM t;
END;
BEGIN STATEMENT SET;
INSERT INTO a SELECT * FROM t;
INSERT INTO b SELECT * FROM t;
END;
SELECT 1`);
    expect(s.map((x) => x.statement.kind)).toEqual(['statementSet', 'statementSet', 'queryStatement']);
    expect(s[0]!.statement).toMatchObject({ syntax: 'EXECUTE', inserts: [{ target: { parts: ['a'] } }, { target: { parts: ['b'] } }] });
    expect(s[1]!.statement).toMatchObject({ syntax: 'BEGIN', inserts: [{ pos: { line: 6, column: 1 } }, { pos: { line: 7, column: 1 } }] });
    expect(s[2]!.text).toBe('SELECT 1');
  });

  it('refuses a non-INSERT statement inside a statement set', () => {
    const e = parseError('BEGIN STATEMENT SET;\nSELECT 1;\nEND;');
    expect(e.message).toBe('MR_ERR_SQL_PARSE: line 2, column 1: expected INSERT or END in a statement set (only INSERT statements can be in a statement set) but found \'SELECT\'');
  });
});

describe('errors', () => {
  it('name the line, the column, what was expected and what was found', () => {
    const e = parseError('INSERT INTO s\nSELECT a, b\nFROM t WHERE (a > 1\nGROUP BY a');
    expect(e.code).toBe('MR_ERR_SQL_PARSE');
    expect(e.message).toBe("MR_ERR_SQL_PARSE: line 4, column 1: expected ')' but found 'GROUP'");
    expect([e.line, e.column]).toEqual([4, 1]);
  });

  it('suggest quoting a reserved keyword used as a name', () => {
    const e = parseError('SELECT value FROM t');
    expect(e.message).toBe("MR_ERR_SQL_PARSE: line 1, column 8: expected an expression but found 'value' ('value' is a reserved keyword: quote it as `value` to use it as a name)");
  });

  it('report every broken statement of a script, not only the first', () => {
    const e = parseError('SELECT 1 FROM;\nCREATE TABLE t (a INT);\nSELECT (1;\nDROP SCHEMA x');
    expect(e.problems.map((p) => [p.line, p.column])).toEqual([[1, 14], [3, 10], [4, 6]]);
    expect(e.message).toContain('(and 2 more problems)');
  });

  it('report unclosed strings and comments where they start', () => {
    expect(parseError("SELECT 'abc FROM t").message).toBe("MR_ERR_SQL_PARSE: line 1, column 8: string literal is not closed: expected '");
    expect(parseError('SELECT 1 /* never closed').column).toBe(10);
  });

  it('say what follows an incomplete clause', () => {
    expect(parseError('SELECT a FROM t ORDER a').message).toBe("MR_ERR_SQL_PARSE: line 1, column 23: expected 'BY' but found 'a'");
    expect(parseError('SELECT a FROM t JOIN u').message).toBe('MR_ERR_SQL_PARSE: line 1, column 23: expected ON or USING after INNER JOIN but found the end of the input');
    expect(parseError('CREATE TABLE t (a INT) WITH (connector = \'x\')').message).toBe("MR_ERR_SQL_PARSE: line 1, column 30: expected an option key in quotes, such as 'connector' but found 'connector'");
  });
});
