// What a module's table and aggregate exports must look like, as the loader checks them when a
// query first calls the function, and what a table function's eval may return.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { T } from '../../../runtime/sql/types/data-type.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import { tableUdf } from '../../../runtime/sql/udf/udf-kinds.ts';
import { UdfLoader } from '../../../runtime/sql/udf/udf-loader.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'millrace-udf-shapes-'));
writeFileSync(path.join(dir, 'shapes.ts'), `
export const no_accumulate = { kind: 'aggregate', result: 'BIGINT', createAccumulator: () => ({ n: 0 }), getValue: (a: { n: number }) => a.n };
export const typo = { kind: 'tabel', result: 'INT', eval: () => [] };
export const untyped_table = { kind: 'table', eval: () => [] };
export const no_eval = { kind: 'table', result: 'INT' };
`);

const err = (script: string): (Error & { code?: string; line?: number; column?: number }) | undefined => {
  const session = new SqlSession({ udfTypes: new UdfLoader({ baseDir: dir }).typeResolver });
  try {
    session.executeScript(`CREATE TABLE t (s STRING, n INT) WITH ('connector' = 'datagen');
CREATE FUNCTION no_accumulate AS 'shapes.ts#no_accumulate' LANGUAGE JAVASCRIPT;
CREATE FUNCTION typo AS 'shapes.ts#typo' LANGUAGE JAVASCRIPT;
CREATE FUNCTION untyped_table AS 'shapes.ts#untyped_table' LANGUAGE JAVASCRIPT;
CREATE FUNCTION no_eval AS 'shapes.ts#no_eval' LANGUAGE JAVASCRIPT;
${script}`);
    return undefined;
  } catch (e) {
    return e as Error & { code?: string };
  }
};

describe('table and aggregate function modules', () => {
  test('a missing method, an unknown kind or an undeclared result type is an error at the call naming the fix', () => {
    expect(err('SELECT no_accumulate(n) FROM t')).toMatchObject({ code: 'MR_ERR_SQL_VALIDATE', line: 6, column: 8, message: expect.stringContaining('an aggregate function needs createAccumulator(), accumulate(acc, ...args) and getValue(acc); accumulate missing') });
    expect(err('SELECT typo(n) FROM t')?.message).toContain("kind 'tabel' is not a function kind; write kind: 'scalar', 'table' or 'aggregate'");
    expect(err('SELECT x FROM t, LATERAL TABLE(untyped_table(n)) AS T(x)')?.message).toContain("declare its result type, as { kind: 'table', result: 'ROW<word STRING, length INT>', ... }");
    expect(err('SELECT x FROM t, LATERAL TABLE(no_eval(n)) AS T(x)')?.message).toContain('a table function needs eval(...args) returning or yielding its rows');
  });

  test('eval may return an array or yield; rows are arrays or objects by field name; NULL rows are skipped; other results are refused', () => {
    const rowType = { root: 'ROW', nullable: true, fields: [{ name: 'a', type: T.int() }, { name: 'b', type: T.varchar(10) }] } as never;
    const gen = tableUdf({ *eval(n: number) { yield [n, 'x']; yield null; yield { b: 'y', a: n + 1 }; yield [n + 2]; } }, rowType, 'f');
    expect(gen([1])).toEqual([[1, 'x'], [2, 'y'], [3, null]]);
    expect(tableUdf({ eval: () => undefined }, rowType, 'f')([])).toEqual([]);
    expect(tableUdf({ eval: (n: number) => [n, n] }, T.int(), 'f')([7])).toEqual([[7], [7]]);
    expect(() => tableUdf({ eval: () => 5 }, rowType, "function 'f'")([])).toThrow("MR_ERR_SQL_UDF: function 'f': eval must return or yield its rows (an iterable such as an array or a generator), not number");
    expect(() => tableUdf({ eval: () => ['abc'] }, rowType, "function 'f'")([])).toThrow("MR_ERR_SQL_UDF: function 'f': a row of its result (a, b) must be an array of the field values or an object by field name, not string");
  });
});
