// User-defined table functions (LATERAL TABLE) in SQL, run in-process: the rows equal rows computed
// here from the input independently of the engine, and a function returning an array's elements
// gives what CROSS JOIN UNNEST / LEFT JOIN UNNEST ON TRUE give on the same table.
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { applied, jsonTable, sortedRows } from '../execution/join-test-tables.ts';
import { UDF_DIR } from './udf-modules.ts';

const FNS = `CREATE FUNCTION split_words AS 'fns.ts#split_words' LANGUAGE JAVASCRIPT;
CREATE TEMPORARY FUNCTION elements AS 'fns.ts#elements' LANGUAGE JAVASCRIPT;
CREATE FUNCTION upto AS 'fns.ts#upto' LANGUAGE JAVASCRIPT;
CREATE FUNCTION shout AS 'fns.ts#shout' LANGUAGE JAVASCRIPT;`;

const lines = [
  { id: 1, s: 'the quick brown fox', xs: ['a', 'b'] },
  { id: 2, s: '', xs: [] },
  { id: 3, s: null, xs: null },
  { id: 4, s: 'jumps  over', xs: ['c'] },
];

async function sinks(sql: string): Promise<Map<string, string[]>> {
  const { sinks: out } = await runSqlFile(sql, { collectSinks: true, parallelism: 1, baseDir: UDF_DIR });
  return new Map(out.map((s) => [s.table, applied(s.changelog)]));
}

const words = (s: string | null): string[] => (s ?? '').split(' ').filter((w) => w !== '');

describe('LATERAL TABLE with a user-defined table function (LANGUAGE JAVASCRIPT)', () => {
  test('comma / CROSS JOIN / JOIN ON TRUE / LEFT JOIN ON TRUE, AS T(a, b), equal to rows computed from the input', async () => {
    const sql = `${jsonTable('lines', 'id INT, s STRING, xs ARRAY<STRING>', lines)};
${FNS}
CREATE TABLE comma_out (id INT, word STRING, len INT) WITH ('connector' = 'blackhole');
CREATE TABLE cross_out (id INT, w STRING, n INT) WITH ('connector' = 'blackhole');
CREATE TABLE inner_out (id INT, w STRING) WITH ('connector' = 'blackhole');
CREATE TABLE left_out (id INT, w STRING, n INT) WITH ('connector' = 'blackhole');
CREATE TABLE atomic_out (id INT, k INT) WITH ('connector' = 'blackhole');
INSERT INTO comma_out SELECT id, word, length FROM lines, LATERAL TABLE(split_words(s));
INSERT INTO cross_out SELECT id, shout(w), n FROM lines CROSS JOIN LATERAL TABLE(split_words(s)) AS T(w, n) WHERE n > 3;
INSERT INTO inner_out SELECT id, T.w FROM lines JOIN LATERAL TABLE(split_words(s)) AS T(w, n) ON TRUE;
INSERT INTO left_out SELECT id, w, n FROM lines LEFT JOIN LATERAL TABLE(split_words(s)) AS T(w, n) ON TRUE;
INSERT INTO atomic_out SELECT id, f0 FROM lines, LATERAL TABLE(upto(id));`;
    const out = await sinks(sql);
    const split = lines.flatMap((l) => words(l.s).map((w) => [l.id, w, w.length]));
    expect(out.get('comma_out')).toEqual(sortedRows(split));
    expect(out.get('cross_out')).toEqual(sortedRows(split.filter((r) => (r[2] as number) > 3).map(([id, w, n]) => [id, (w as string).toUpperCase(), n])));
    expect(out.get('inner_out')).toEqual(sortedRows(split.map(([id, w]) => [id, w])));
    expect(out.get('left_out')).toEqual(sortedRows(lines.flatMap((l) => (words(l.s).length === 0 ? [[l.id, null, null]] : words(l.s).map((w): unknown[] => [l.id, w, w.length])))));
    expect(out.get('atomic_out')).toEqual(sortedRows(lines.flatMap((l) => Array.from({ length: l.id }, (_, i) => [l.id, i + 1]))));
  });

  test('a function giving an array\'s elements equals CROSS JOIN UNNEST and LEFT JOIN UNNEST ON TRUE', async () => {
    const sql = `${jsonTable('lines', 'id INT, s STRING, xs ARRAY<STRING>', lines)};
${FNS}
CREATE TABLE f_cross (id INT, x STRING) WITH ('connector' = 'blackhole');
CREATE TABLE u_cross (id INT, x STRING) WITH ('connector' = 'blackhole');
CREATE TABLE f_left (id INT, x STRING) WITH ('connector' = 'blackhole');
CREATE TABLE u_left (id INT, x STRING) WITH ('connector' = 'blackhole');
INSERT INTO f_cross SELECT id, x FROM lines, LATERAL TABLE(elements(xs));
INSERT INTO u_cross SELECT id, x FROM lines CROSS JOIN UNNEST(xs) AS u (x);
INSERT INTO f_left SELECT id, x FROM lines LEFT JOIN LATERAL TABLE(elements(xs)) ON TRUE;
INSERT INTO u_left SELECT id, x FROM lines LEFT JOIN UNNEST(xs) AS u (x) ON TRUE;`;
    const out = await sinks(sql);
    expect(out.get('f_cross')).toEqual(out.get('u_cross'));
    expect(out.get('f_left')).toEqual(out.get('u_left'));
    expect(out.get('f_cross')).toEqual(sortedRows([[1, 'a'], [1, 'b'], [4, 'c']]));
  });

  test('over an updating input the row kinds pass through: the words of the latest text per key remain', async () => {
    const edits = [{ k: 1, s: 'a b' }, { k: 2, s: 'c' }, { k: 1, s: 'd e f' }, { k: 2, s: 'g' }];
    const sql = `${jsonTable('edits', 'k INT, s STRING', edits)};
${FNS}
CREATE TABLE out_words (k INT, w STRING) WITH ('connector' = 'blackhole');
INSERT INTO out_words SELECT k, w FROM (SELECT k, LAST_VALUE(s) AS s FROM edits GROUP BY k), LATERAL TABLE(split_words(s)) AS T(w, n);`;
    const { sinks: out } = await runSqlFile(sql, { collectSinks: true, parallelism: 1, baseDir: UDF_DIR });
    const changelog = out[0]!.changelog;
    expect(changelog.some((r) => r.kind === '-U' || r.kind === '-D')).toBe(true);
    expect(applied(changelog)).toEqual(sortedRows([[1, 'd'], [1, 'e'], [1, 'f'], [2, 'g']]));
  });

  test('wrong uses are errors at the call with line and column, naming the fix', async () => {
    const base = `${jsonTable('lines', 'id INT, s STRING, xs ARRAY<STRING>', lines)};\n${FNS}\nCREATE TABLE o (id INT, w STRING) WITH ('connector' = 'blackhole');\n`;
    const err = async (q: string) => runSqlFile(`${base}${q}`, { collectSinks: true, parallelism: 1, baseDir: UDF_DIR }).then(() => undefined, (e: unknown) => e as Error & { code: string; line: number });
    expect(await err('INSERT INTO o SELECT id, split_words(s) FROM lines')).toMatchObject({ code: 'MR_ERR_SQL_VALIDATE', line: 7, column: 26, message: expect.stringContaining("function 'split_words' is a table function: call it in FROM t, LATERAL TABLE(split_words(...))") });
    expect(await err('INSERT INTO o SELECT id, w FROM lines, LATERAL TABLE(shout(s)) AS T(w)')).toMatchObject({ code: 'MR_ERR_SQL_VALIDATE', message: expect.stringContaining("function 'shout' is a scalar function") });
    expect(await err('INSERT INTO o SELECT id, w FROM lines LEFT JOIN LATERAL TABLE(split_words(s)) AS T(w, n) ON n > 2')).toMatchObject({ code: 'MR_ERR_SQL_VALIDATE', message: expect.stringContaining('supports only ON TRUE') });
    expect(await err('INSERT INTO o SELECT id, w FROM lines, LATERAL TABLE(split_words(s)) AS T(w)')).toMatchObject({ code: 'MR_ERR_SQL_VALIDATE', message: expect.stringContaining('returns 2 columns (word, length), whereas alias list has 1') });
    expect(await err('INSERT INTO o SELECT id, w FROM lines, LATERAL TABLE(nothing(s)) AS T(w)')).toMatchObject({ code: 'MR_ERR_SQL_VALIDATE', message: expect.stringContaining('No match found for table function nothing') });
  });
});
