// Function modules of a Deployment: which modules a script names (parsed, not run), the pins a
// pod gets, the verified download before the build, the loader requiring only the pinned and
// verified copy, and the types file the operator's check uses instead of loading the module.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fetchSqlModules } from '../../artifacts/fetch-sql-modules.ts';
import { LocalObjectStore } from '../../storage/local-object-store.ts';
import { compileProjection } from '../codegen/expression-codegen.ts';
import { SqlSession } from '../session/sql-session.ts';
import { validateSqlJob } from '../physical/sql-job.ts';
import { describeUdfModule, UdfLoader } from './udf-loader.ts';
import { moduleRefOf, pinnedModules, scriptFunctions, SQL_MODULES_ENV } from './udf-modules.ts';
import { formatModuleTypes, parseModuleTypes } from './udf-types.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'millrace-udf-modules-'));
const MODULE = `export const tenfold = { result: 'BIGINT', eval: (n) => n === null ? null : n * 10 };
export const words = { kind: 'table', result: 'ROW<w STRING>', *eval(s) { for (const w of (s ?? '').split(' ')) yield [w]; } };
export const total = { kind: 'aggregate', result: 'BIGINT', createAccumulator: () => ({ s: 0 }), accumulate(a, v) { a.s += v; }, getValue: (a) => a.s };
export const helper = (x) => x;
export const VERSION = 3;
`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const bucketDir = path.join(dir, 'buckets');
const openBucket = (bucket: string) => new LocalObjectStore({ directory: path.join(bucketDir, bucket) });
const KEY = 'sql-artifacts/namespaces/team-a/udf/fns.mjs';
const TABLE = "CREATE TABLE t (id BIGINT, s STRING) WITH ('connector' = 'datagen');";

function projection(session: SqlSession, script: string, row: unknown[]): unknown[] {
  const q = session.executeScript(script).find((r) => r.kind === 'query');
  if (q?.kind !== 'query' || q.tree.optimized.kind !== 'Project') throw new Error('expected a projection');
  return compileProjection(q.tree.optimized.exprs)(row);
}

describe('function modules of a Deployment', () => {
  test('a script\'s JAVASCRIPT functions come from its parse tree; module paths normalize alike on both sides, and leaving the folder is refused', () => {
    expect(scriptFunctions(`${TABLE}\nCREATE FUNCTION tenfold AS './udf/fns.mjs#tenfold' LANGUAGE JAVASCRIPT;\nCREATE FUNCTION j AS 'com.x.J' LANGUAGE JAVA;\nCREATE TEMPORARY SYSTEM FUNCTION w AS 's3://b/p/sql-artifacts/namespaces/a/m.ts#words' LANGUAGE JAVASCRIPT;`)).toEqual([
      { name: 'tenfold', identifier: './udf/fns.mjs#tenfold', module: './udf/fns.mjs', exportName: 'tenfold', line: 2, column: 1 },
      { name: 'w', identifier: 's3://b/p/sql-artifacts/namespaces/a/m.ts#words', module: 's3://b/p/sql-artifacts/namespaces/a/m.ts', exportName: 'words', line: 4, column: 1 },
    ]);
    expect(scriptFunctions('CREATE TABEL x')).toBeUndefined();
    expect(moduleRefOf('./udf/../udf/fns.mjs')).toEqual({ ok: true, ref: 'udf/fns.mjs' });
    expect(moduleRefOf('../other/fns.mjs')).toMatchObject({ ok: false, why: expect.stringContaining("leaves the namespace's sql-artifacts folder") });
    expect(moduleRefOf('/etc/passwd')).toMatchObject({ ok: false });
    expect(moduleRefOf('file:///x.mjs')).toMatchObject({ ok: false });
  });

  test('the types file describes every function export (kinds, result types, retract/merge) with the module\'s sha256, and parses back', () => {
    const file = path.join(dir, 'describe.mjs');
    writeFileSync(file, MODULE);
    const types = describeUdfModule(file);
    expect(types).toEqual({
      format: 'millrace.sql-udf-types/v1', module: { sha256: sha(MODULE), size: Buffer.byteLength(MODULE) },
      functions: { tenfold: { kind: 'scalar', result: 'BIGINT' }, total: { kind: 'aggregate', result: 'BIGINT', retract: false, merge: false }, words: { kind: 'table', result: 'ROW<w STRING>' } },
    });
    expect(parseModuleTypes(formatModuleTypes(types))).toEqual({ ok: true, types });
    expect(parseModuleTypes('{"format":"x"}')).toMatchObject({ ok: false, why: expect.stringContaining('format') });
    const bad = path.join(dir, 'bad.mjs');
    writeFileSync(bad, "export const f = { result: 'WHOLE NUMBER', eval: () => 1 };\n");
    expect(() => describeUdfModule(bad)).toThrow(/export 'f' of .*bad\.mjs: its result type 'WHOLE NUMBER' is not a Flink SQL type/);
  });

  test('with only the declared types (the operator\'s check) the script plans and translates; a wrong export or kind, and a missing retract over updates, are refused at the call', () => {
    const file = path.join(dir, 'declared.mjs');
    writeFileSync(file, MODULE);
    const declared = new Map([['udf/fns.mjs', describeUdfModule(file)]]);
    const fns = "CREATE FUNCTION tenfold AS 'udf/fns.mjs#tenfold' LANGUAGE JAVASCRIPT;\nCREATE FUNCTION words AS 'udf/fns.mjs#words' LANGUAGE JAVASCRIPT;\nCREATE FUNCTION total AS './udf/fns.mjs#total' LANGUAGE JAVASCRIPT;\nCREATE FUNCTION nope AS 'udf/fns.mjs#nope' LANGUAGE JAVASCRIPT;";
    const out = "CREATE TABLE o (id BIGINT, v BIGINT) WITH ('connector' = 'blackhole');\nCREATE TABLE ow (id BIGINT, w STRING) WITH ('connector' = 'blackhole');";
    const ok = validateSqlJob(`${TABLE}\n${fns}\n${out}\nINSERT INTO o SELECT id, tenfold(id) FROM t;\nINSERT INTO ow SELECT id, w FROM t, LATERAL TABLE(words(s));\nINSERT INTO o SELECT id, total(id) FROM t GROUP BY id;`, { udfDeclared: declared });
    expect(ok).toMatchObject({ ok: true, jobs: 3 });
    const bad = validateSqlJob(`${TABLE}\n${fns}\n${out}\nINSERT INTO o SELECT id, nope(id) FROM t;\nINSERT INTO o SELECT id, words(s) FROM t;\nINSERT INTO o SELECT id, total(c) FROM (SELECT id, COUNT(*) AS c FROM t GROUP BY id) GROUP BY id;`, { udfDeclared: declared });
    expect(bad.problems).toEqual([
      expect.objectContaining({ line: 8, column: 26, message: expect.stringContaining("udf/fns.mjs has no function export 'nope' (its types file lists tenfold, total, words)") }),
      expect.objectContaining({ line: 9, column: 26, message: expect.stringContaining("function 'words' is a table function") }),
      expect.objectContaining({ code: 'MR_ERR_SQL_PLAN', message: expect.stringContaining('needs retract(acc, ...args)') }),
    ]);
  });

  test('in a pod: the pinned module is downloaded and verified before the build, the loader requires only that copy; an unpinned module, a replaced object or a tampered copy fail naming it', async () => {
    const cacheDir = path.join(dir, 'cache');
    await openBucket('ws').put(KEY, Buffer.from(MODULE));
    const env = { [SQL_MODULES_ENV]: JSON.stringify({ 'udf/fns.mjs': `s3://ws/${KEY}#sha256=${sha(MODULE)}` }) };
    expect(await fetchSqlModules(env, { cacheDir, openBucket })).toBe(1);
    const pinned = pinnedModules(env, cacheDir);
    const session = new SqlSession({ udfTypes: new UdfLoader({ baseDir: '/nonexistent', localModules: false, pinned }).typeResolver });
    expect(projection(session, `${TABLE}\nCREATE FUNCTION tenfold AS './udf/fns.mjs#tenfold' LANGUAGE JAVASCRIPT;\nSELECT tenfold(id) FROM t;`, [7, 'x'])).toEqual([70]);
    // a module the operator did not pin (not named by the script it checked) does not load
    const other = new SqlSession({ udfTypes: new UdfLoader({ baseDir: dir, localModules: false, pinned }).typeResolver });
    expect(() => other.executeScript(`${TABLE}\nCREATE FUNCTION f AS 'describe.mjs#tenfold' LANGUAGE JAVASCRIPT;\nSELECT f(id) FROM t;`)).toThrow(/line 3, column 8: function 'f' \('describe\.mjs#tenfold'\): module 'describe\.mjs' was not pinned for this job/);
    // the local copy changed after its download: refused when it loads
    writeFileSync(pinned.get('udf/fns.mjs')!.file, MODULE.replace('n * 10', 'n * 11'));
    const tampered = new SqlSession({ udfTypes: new UdfLoader({ baseDir: dir, localModules: false, pinned }).typeResolver });
    expect(() => tampered.executeScript(`${TABLE}\nCREATE FUNCTION tenfold AS 'udf/fns.mjs#tenfold' LANGUAGE JAVASCRIPT;\nSELECT tenfold(id) FROM t;`)).toThrow(expect.objectContaining({ code: 'MR_ERR_JOB_DIGEST_MISMATCH' }));
    // the bucket object replaced after the operator pinned it: the pod does not start
    await openBucket('ws').put(KEY, Buffer.from(MODULE.replace('n * 10', 'n * 12')));
    await expect(fetchSqlModules(env, { cacheDir: path.join(dir, 'cache2'), openBucket })).rejects.toMatchObject({ code: 'MR_ERR_JOB_DIGEST_MISMATCH', message: expect.stringMatching(/^SQL function module 'udf\/fns\.mjs': job artifact s3:\/\/ws\/sql-artifacts\/namespaces\/team-a\/udf\/fns\.mjs has sha256 [0-9a-f]{64}, not the pinned/) });
    await expect(fetchSqlModules({ [SQL_MODULES_ENV]: JSON.stringify({ 'm.mjs': `s3://ws/sql-artifacts/namespaces/team-a/m.mjs#sha256=${sha('x')}` }) }, { cacheDir, openBucket })).rejects.toMatchObject({ code: 'MR_ERR_JOB_LOAD', message: expect.stringContaining("SQL function module 'm.mjs': job artifact s3://ws/sql-artifacts/namespaces/team-a/m.mjs does not exist") });
    expect(() => pinnedModules({ [SQL_MODULES_ENV]: '{"m.mjs":"s3://ws/m.mjs"}' })).toThrow(/module 'm\.mjs' is not pinned as s3:\/\/<bucket>\/<key>#sha256=<hex>/);
    expect(await fetchSqlModules({}, { cacheDir, openBucket })).toBe(0);
  });
});
