import { SqlError } from '../errors.ts';
import { formatTable } from './result.ts';
import type { StatementResult } from './result.ts';
import { SqlSession } from './sql-session.ts';

const ORDERS = `CREATE TABLE orders (
  order_id BIGINT,
  price DECIMAL(10, 2),
  qty INT,
  buyer ROW<name STRING, city STRING>,
  ts TIMESTAMP(3),
  total AS price * qty,
  proc AS PROCTIME(),
  part INT METADATA FROM 'partition' VIRTUAL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH ('connector' = 'datagen')`;

function last(results: StatementResult[]): StatementResult {
  return results[results.length - 1]!;
}

function error(f: () => unknown): SqlError {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected an SqlError');
}

describe('SQL session', () => {
  it('describes a table as Flink does: types, nullability, key, computed and metadata columns, watermark', () => {
    const s = new SqlSession();
    const r = last(s.executeScript(`${ORDERS}; DESCRIBE orders`));
    if (r.kind !== 'table') throw new Error(r.kind);
    expect(r.table.rows).toEqual([
      ['order_id', 'BIGINT', 'FALSE', 'PRI(order_id)', '', ''],
      ['price', 'DECIMAL(10, 2)', 'TRUE', '', '', ''],
      ['qty', 'INT', 'TRUE', '', '', ''],
      ['buyer', 'ROW<`name` STRING, `city` STRING>', 'TRUE', '', '', ''],
      ['ts', 'TIMESTAMP(3) *ROWTIME*', 'TRUE', '', '', '`ts` - INTERVAL \'5\' SECOND'],
      ['total', 'DECIMAL(20, 2)', 'TRUE', '', 'AS `price` * `qty`', ''],
      ['proc', 'TIMESTAMP_LTZ(3) *PROCTIME*', 'FALSE', '', 'AS PROCTIME()', ''],
      ['part', 'INT', 'TRUE', '', "METADATA FROM 'partition' VIRTUAL", ''],
    ]);
    expect(formatTable(r.table).split('\n')[1]).toMatch(/^\| name +\| type +\| null +\| key +\| extras +\| watermark +\|$/);
  });

  it('lists tables, views and functions, and keeps SET values', () => {
    const s = new SqlSession();
    const results = s.executeScript(`${ORDERS};
      CREATE VIEW big AS SELECT order_id, total FROM orders WHERE total > 100;
      CREATE TEMPORARY FUNCTION shout AS 'udfs/text.ts#shout' LANGUAGE JAVASCRIPT;
      SET 'table.exec.state.ttl' = '1 h';
      SHOW TABLES; SHOW VIEWS; SHOW USER FUNCTIONS; SET; SHOW FUNCTIONS LIKE 'coun%'; DESCRIBE big`);
    const tables = results.filter((r) => r.kind === 'table').map((r) => (r.kind === 'table' ? r.table.rows : []));
    expect(tables[0]).toEqual([['big'], ['orders']]);
    expect(tables[1]).toEqual([['big']]);
    expect(tables[2]).toEqual([['shout']]);
    expect(tables[3]).toEqual([['table.exec.state.ttl', '1 h']]);
    expect(tables[4]).toEqual([['count']]);
    expect(tables[5]!.map((r) => r.slice(0, 3))).toEqual([['order_id', 'BIGINT', 'FALSE'], ['total', 'DECIMAL(20, 2)', 'TRUE']]);
    expect(s.config.get('table.exec.state.ttl')).toBe('1 h');
  });

  it('copies a table with LIKE, overwriting options by default', () => {
    const s = new SqlSession();
    s.executeScript(`${ORDERS}; CREATE TABLE orders_copy WITH ('connector' = 'print') LIKE orders (EXCLUDING CONSTRAINTS)`);
    const t = s.catalog.getRelation(s.catalog.qualify(['orders_copy']));
    if (t?.kind !== 'table') throw new Error('no table');
    expect(t.options).toEqual({ connector: 'print' });
    expect(t.schema.primaryKey).toBeUndefined();
    expect(t.schema.watermark?.column).toBe('ts');
    expect(t.schema.columns.map((c) => c.name)).toEqual(['order_id', 'price', 'qty', 'buyer', 'ts', 'total', 'proc', 'part']);
  });

  it('refuses bad DDL with Flink-like messages and positions', () => {
    const s = new SqlSession();
    let e = error(() => s.executeScript("CREATE TABLE t (a INT, WATERMARK FOR a AS a - INTERVAL '1' SECOND) WITH ('connector' = 'x')"));
    expect(e.code).toBe('MR_ERR_SQL_VALIDATE');
    expect(e.message).toContain("Invalid data type of time field for watermark definition. The field must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the time field type is INT");
    expect([e.line, e.column]).toEqual([1, 24]);
    e = error(() => s.executeScript("CREATE TABLE t (a INT, PRIMARY KEY (b) NOT ENFORCED) WITH ('connector' = 'x')"));
    expect(e.message).toContain("Could not create a PRIMARY KEY 'PK_b'. Column 'b' does not exist.");
    e = error(() => s.executeScript("CREATE TABLE t (a INT, c AS a + nope) WITH ('connector' = 'x')"));
    expect(e.message).toBe("MR_ERR_SQL_VALIDATE: line 1, column 33: Column 'nope' not found in any table");
    s.executeScript("CREATE TABLE t (a INT) WITH ('connector' = 'x')");
    e = error(() => s.executeScript("CREATE TABLE t (a INT) WITH ('connector' = 'x')"));
    expect(e.code).toBe('MR_ERR_SQL_CATALOG');
    expect(e.message).toContain("Table 'default_catalog.default_database.t' already exists");
  });

  it('refuses a Java function at planning time and asks for a JavaScript one', () => {
    const s = new SqlSession();
    s.executeScript(`${ORDERS}; CREATE FUNCTION f AS 'com.example.F'; CREATE TABLE out1 (x INT) WITH ('connector' = 'blackhole')`);
    const e = error(() => s.executeScript('INSERT INTO out1 SELECT f(qty) FROM orders'));
    expect(e.code).toBe('MR_ERR_SQL_UNSUPPORTED');
    expect(e.message).toContain("LANGUAGE JAVASCRIPT");
    expect(error(() => s.executeScript("CREATE FUNCTION g AS 'nohash.ts' LANGUAGE JAVASCRIPT")).message).toContain("'module.ts#export'");
  });

  it('refuses USING JAR/FILE on a JAVASCRIPT function, naming the clause and where modules come from', () => {
    const s = new SqlSession();
    const e = error(() => s.executeScript("CREATE FUNCTION tenfold AS 'udf/fns.mjs#tenfold' LANGUAGE JAVASCRIPT\n  USING JAR 's3://bucket/udf.jar', FILE 'extra.js'"));
    expect(e.code).toBe('MR_ERR_SQL_UNSUPPORTED');
    expect(e.message).toContain("line 2, column 3");
    expect(e.message).toContain("LANGUAGE JAVASCRIPT does not take USING JAR 's3://bucket/udf.jar', FILE 'extra.js'");
    expect(e.message).toContain('npx millrace artifacts upload <file> --kind sql-artifacts');
    expect(e.message).toContain('remove the USING clause');
    // a Java function keeps its USING (it is refused when called, as above); the refused one was not registered
    s.executeScript("CREATE FUNCTION j AS 'com.example.J' USING JAR 'j.jar'");
    const shown = s.executeScript('SHOW USER FUNCTIONS').at(-1)!;
    expect(shown.kind === 'table' ? shown.table.rows : []).toEqual([['j']]);
  });
});

describe('SHOW CREATE and INSERT OVERWRITE', () => {
  it('shows a table or view as it was created', () => {
    const s = new SqlSession();
    const results = s.executeScript(`${ORDERS}; CREATE VIEW v AS SELECT order_id FROM orders; SHOW CREATE TABLE orders; SHOW CREATE VIEW v`);
    const [t, v] = results.slice(-2).map((r) => (r.kind === 'table' ? r.table.rows[0]![0] : ''));
    expect(t).toBe(ORDERS);
    expect(v).toBe('CREATE VIEW v AS SELECT order_id FROM orders');
    expect(error(() => s.executeScript('SHOW CREATE TABLE v')).message).toContain('Table with identifier v does not exist');
  });

  it('refuses INSERT OVERWRITE in streaming mode and allows it in batch mode', () => {
    const s = new SqlSession();
    s.executeScript(`${ORDERS}; CREATE TABLE out2 (id BIGINT) WITH ('connector' = 'blackhole')`);
    const e = error(() => s.executeScript('INSERT OVERWRITE out2 SELECT order_id FROM orders'));
    expect(e.code).toBe('MR_ERR_SQL_PLAN');
    s.executeScript("SET 'execution.runtime-mode' = 'batch'");
    expect(last(s.executeScript('INSERT OVERWRITE out2 SELECT order_id FROM orders')).kind).toBe('job');
  });
});
