import { readNexmarkFile } from '../../../test/sql/nexmark/nexmark-queries.ts';
import { validateScript } from './validate-script.ts';

describe('validating a script before it runs', () => {
  it('accepts a Nexmark job (DDL, views, sink, INSERT)', () => {
    const script = [readNexmarkFile('ddl_gen.sql'), readNexmarkFile('ddl_views.sql'), readNexmarkFile('q5.sql')].join(';\n');
    const v = validateScript(script);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.jobs).toBe(1);
    expect(v.statements.map((s) => s.kind)).toEqual(['createTable', 'createView', 'createView', 'createView', 'createTable', 'insert']);
  });

  it('reports every parse error with its line and column', () => {
    const v = validateScript('CREATE TABLE t (a INT) WITH (\'connector\' = \'x\');\nINSERT INTO t SELECT FROM u;\nINSERT t SELECT 1;');
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => [p.line, p.column, p.code])).toEqual([[2, 22, 'MR_ERR_SQL_PARSE'], [3, 8, 'MR_ERR_SQL_PARSE']]);
    expect(v.problems[0]!.message).toBe("expected an expression but found 'FROM'");
  });

  it('reports validation and planning errors per statement, at the statement when they have no position', () => {
    const v = validateScript(`CREATE TABLE src (a INT, b STRING) WITH ('connector' = 'datagen');
CREATE TABLE out1 (a INT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv');
INSERT INTO out1 SELECT a, COUNT(*) FROM src GROUP BY a;
INSERT INTO out1 SELECT c, 1 FROM src;`);
    expect(v.problems.map((p) => [p.line, p.column, p.code])).toEqual([[3, 1, 'MR_ERR_SQL_PLAN'], [4, 25, 'MR_ERR_SQL_VALIDATE']]);
    expect(v.problems[0]!.message).toContain("doesn't support consuming update changes");
    expect(v.problems[1]!.message).toBe("Column 'c' not found in any table");
  });

  it('says when there is nothing to run', () => {
    expect(validateScript("CREATE TABLE t (a INT) WITH ('connector' = 'x')").problems[0]!.message).toContain('no INSERT INTO');
  });
});
