import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileProjection } from '../codegen/expression-codegen.ts';
import { SqlSession } from '../session/sql-session.ts';
import { UdfLoader } from './udf-loader.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'millrace-udf-'));
writeFileSync(path.join(dir, 'fns.ts'), `
export const shout = { result: 'STRING', eval: (s: string | null, times: number) => s === null ? 'nothing' : s.toUpperCase() + '!'.repeat(times) };
export function half(n: number | null): number | undefined { return n === null ? undefined : n / 2; }
half.resultType = 'DOUBLE';
export const bad_type = { result: 'WHOLE NUMBER', eval: () => 1 };
export const untyped = (n: number) => n;
`);

/** The first SELECT's projection, compiled as a job would compile it, applied to one row. */
function run(session: SqlSession, script: string, row: unknown[]): unknown[] {
  const results = session.executeScript(script);
  const q = results.find((r) => r.kind === 'query');
  if (q?.kind !== 'query' || q.tree.optimized.kind !== 'Project') throw new Error('expected a projection');
  return compileProjection(q.tree.optimized.exprs)(row);
}

describe('user-defined functions from TypeScript modules (CREATE FUNCTION ... LANGUAGE JAVASCRIPT)', () => {
  const table = "CREATE TABLE t (s STRING, n INT) WITH ('connector' = 'datagen');";

  test('an object with result and eval, and a function with resultType: declared types, called with NULLs, undefined read as NULL', () => {
    const session = new SqlSession({ udfTypes: new UdfLoader({ baseDir: dir }).typeResolver });
    const out = run(session, `${table}
CREATE FUNCTION shout AS 'fns.ts#shout' LANGUAGE JAVASCRIPT;
CREATE TEMPORARY SYSTEM FUNCTION half AS './fns.ts#half' LANGUAGE JAVASCRIPT;
SELECT shout(s, n), half(n), shout(CAST(NULL AS STRING), 1), half(CAST(NULL AS INT)) FROM t;`, ['hey', 3]);
    expect(out).toEqual(['HEY!!!', 1.5, 'nothing', null]);
  });

  test('a bad declaration or module is an error at the call, with line and column, naming the fix', () => {
    const session = new SqlSession({ udfTypes: new UdfLoader({ baseDir: dir }).typeResolver });
    session.executeScript(`${table}
CREATE FUNCTION bad_type AS 'fns.ts#bad_type' LANGUAGE JAVASCRIPT;
CREATE FUNCTION untyped AS 'fns.ts#untyped' LANGUAGE JAVASCRIPT;
CREATE FUNCTION nowhere AS 'fns.ts#nowhere' LANGUAGE JAVASCRIPT;
CREATE FUNCTION missing AS 'missing.ts#f' LANGUAGE JAVASCRIPT;`);
    const err = (sql: string) => { try { session.executeScript(sql); return undefined; } catch (e) { return e as Error & { code: string; line: number; column: number }; } };
    expect(err('SELECT n,\n  bad_type() FROM t')).toMatchObject({ code: 'MR_ERR_SQL_VALIDATE', line: 2, column: 3, message: expect.stringContaining("its result type 'WHOLE NUMBER' is not a Flink SQL type") });
    expect(err('SELECT untyped(n) FROM t')?.message).toContain("declare its result type, as { result: 'BIGINT', eval(...) { ... } }");
    expect(err('SELECT nowhere(n) FROM t')?.message).toMatch(/has no export 'nowhere' .*\(it exports bad_type, half, shout, untyped\)/);
    expect(err('SELECT missing(n) FROM t')?.message).toContain(`cannot load ${path.join(dir, 'missing.ts')}`);
  });

  test('in a cluster nothing loads from the pod\'s file system, only modules the operator pinned: the call names where modules belong', () => {
    const session = new SqlSession({ udfTypes: new UdfLoader({ baseDir: dir, localModules: false }).typeResolver });
    session.executeScript(`${table}\nCREATE FUNCTION shout AS 'fns.ts#shout' LANGUAGE JAVASCRIPT;`);
    expect(() => session.executeScript('SELECT shout(s, 1) FROM t')).toThrow(/line 1, column 8: function 'shout' \('fns\.ts#shout'\): module 'fns\.ts' was not pinned for this job; in a Deployment, function modules are files of the workspace bucket's sql-artifacts\/namespaces\/<namespace>\//);
  });
});
