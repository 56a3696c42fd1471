// Drafts: versions kept in the (local) object store under drafts/namespaces/<ns>/<draft>/, and
// the checks the editor runs: SQL validation with line and column, EXPLAIN per INSERT, pipelines.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../../runtime/storage/local-object-store.ts';
import { DraftStore } from './draft-store.ts';
import { validatePipelineDraft } from './pipeline-check.ts';
import { draftUdfTypes, explainSqlDraft, validateSqlDraft } from './sql-check.ts';
import type { SqlArtifactFiles } from './sql-check.ts';
import { describeUdfModule } from '../../../runtime/sql/udf/udf-loader.ts';
import { formatModuleTypes } from '../../../runtime/sql/udf/udf-types.ts';

const DDL = "CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10');\nCREATE TABLE snk (id INT, name STRING) WITH ('connector' = 'blackhole');\n";

test('every save is a new numbered version in the bucket layout; the newest is the draft', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drafts-'));
  let now = Date.parse('2026-01-01T00:00:00Z');
  const drafts = new DraftStore(new LocalObjectStore({ directory: dir }), () => now);
  await drafts.save('team-a', 'top-bids', 'sql', 'SELECT 1', 'alice');
  now += 60_000;
  await drafts.save('team-a', 'top-bids', 'sql', 'SELECT 2', 'bob');
  await drafts.save('team-a', 'other', 'pipeline', 'source: {}', 'alice');
  expect(readdirSync(join(dir, 'drafts/namespaces/team-a/top-bids')).sort()).toEqual(['000001.json', '000002.json']);
  expect(await drafts.list('team-a')).toEqual(['other', 'top-bids']);
  expect(await drafts.list('team-b')).toEqual([]);
  expect(await drafts.read('team-a', 'top-bids')).toMatchObject({ version: 2, text: 'SELECT 2', savedBy: 'bob', savedAt: '2026-01-01T00:01:00.000Z', kind: 'sql' });
  expect(await drafts.read('team-a', 'top-bids', 1)).toMatchObject({ version: 1, text: 'SELECT 1', savedBy: 'alice' });
  await expect(drafts.read('team-a', 'top-bids', 7)).rejects.toMatchObject({ code: 'MR_ERR_CONSOLE_NOT_FOUND' });
  await expect(drafts.save('team-a', '../escape', 'sql', 'x', 'alice')).rejects.toMatchObject({ code: 'MR_ERR_CONSOLE_REQUEST_INVALID', message: expect.stringContaining("draft name '../escape'") });
});

test('concurrent saves of one draft each get their own version; none is lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drafts-'));
  const drafts = new DraftStore(new LocalObjectStore({ directory: dir }), () => Date.parse('2026-01-01T00:00:00Z'));
  const saved = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((who) => drafts.save('team-a', 'shared', 'sql', `SELECT '${who}'`, who)));
  expect(saved.map((d) => d.version).sort()).toEqual([1, 2, 3, 4, 5]);
  const texts = await Promise.all([1, 2, 3, 4, 5].map(async (v) => (await drafts.read('team-a', 'shared', v)).text));
  expect(texts.sort()).toEqual(["SELECT 'a'", "SELECT 'b'", "SELECT 'c'", "SELECT 'd'", "SELECT 'e'"]);
});

test('SQL validation gives every problem with its line and column', () => {
  const v = validateSqlDraft(`${DDL}INSERT INTO snk SELECT nope FROM src;`);
  expect(v.ok).toBe(false);
  expect(v.problems).toEqual([{ code: 'MR_ERR_SQL_VALIDATE', message: expect.stringContaining("'nope'"), line: 3, column: 24 }]);
  expect(validateSqlDraft(`${DDL}INSERT INTO snk SELECT id, name FROM src;`).ok).toBe(true);
});

test('EXPLAIN shows the plan of each INSERT, with the filter pushed into the scan', () => {
  const r = explainSqlDraft(`${DDL}INSERT INTO snk SELECT id, UPPER(name) FROM src WHERE id > 3;`);
  expect(r.plans).toHaveLength(1);
  expect(r.plans[0]).toMatchObject({ line: 3, column: 1 });
  expect(r.plans[0]!.plan).toContain('== Optimized Logical Plan ==');
  expect(r.plans[0]!.plan).toContain('filter=[>(id, 3)]');
  expect(explainSqlDraft('INSERT INTO nowhere SELECT 1;').plans).toEqual([]);
});

test('a pipeline draft names the field that is wrong; YAML errors carry line and column', () => {
  const bad = validatePipelineDraft('source:\n  kind: [unclosed\n');
  expect(bad.ok).toBe(false);
  expect(bad.problems[0]).toMatchObject({ code: 'MR_ERR_PIPELINE_YAML', line: expect.any(Number) });
  const invalid = validatePipelineDraft('source: 3\n');
  expect(invalid.ok).toBe(false);
  expect(invalid.problems[0]?.message).toMatch(/^source/);
});

test("a SQL draft's JAVASCRIPT functions are checked with the namespace's sql-artifacts types files, as a Deployment's are", async () => {
  // the files `millrace artifacts upload examples/sql/udf/count-char.ts --kind sql-artifacts --name udf/count-char.ts` writes
  const module = readFileSync(new URL('../../../examples/sql/udf/count-char.ts', import.meta.url));
  const types = formatModuleTypes(describeUdfModule(fileURLToPath(new URL('../../../examples/sql/udf/count-char.ts', import.meta.url))));
  const folder = new Map<string, Buffer>([['udf/count-char.ts', module], ['udf/count-char.ts.types.json', Buffer.from(types)]]);
  const reads: string[] = [];
  const files: SqlArtifactFiles = { bucket: 'ws', prefix: '', read: async (name) => { reads.push(name); return folder.get(name); } };
  const draft = (fn: string, call: string) => `CREATE FUNCTION count_char AS '${fn}' LANGUAGE JAVASCRIPT;\n${DDL}CREATE TABLE counts (n BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO counts SELECT ${call} FROM src;`;

  const ok = await draftUdfTypes(draft('udf/count-char.ts#count_char', "count_char(name, 'a')"), 'team-a', files);
  expect(ok.problems).toEqual([]);
  expect(reads.sort()).toEqual(['udf/count-char.ts', 'udf/count-char.ts.types.json']);
  expect(validateSqlDraft(draft('udf/count-char.ts#count_char', "count_char(name, 'a')"), ok.declared)).toMatchObject({ ok: true, problems: [] });
  // without the types files (what the check did before) the call cannot be typed
  expect(validateSqlDraft(draft('udf/count-char.ts#count_char', "count_char(name, 'a')"))).toMatchObject({ ok: false, problems: [expect.objectContaining({ line: 5 })] });
  expect(explainSqlDraft(draft('udf/count-char.ts#count_char', "count_char(name, 'a')"), ok.declared).plans[0]!.plan).toContain("count_char(name, _UTF-16LE'a')");
  // the declared result type is used: BIGINT does not go into a STRING column, with the INSERT's line
  const wrong = validateSqlDraft(draft('udf/count-char.ts#count_char', "count_char(name, 'a')").replace('counts (n BIGINT)', 'counts (n BOOLEAN)'), ok.declared);
  expect(wrong.ok).toBe(false);
  expect(wrong.problems[0]).toMatchObject({ line: 5 });

  // a module that is not there, a types file missing, or one written for other bytes: the operator's reasons, at the function's line
  const missing = await draftUdfTypes(draft('udf/nope.ts#count_char', '1'), 'team-a', files);
  expect(missing.problems).toEqual([expect.objectContaining({ code: 'MR_ERR_SQL_UDF_TYPES', line: 1, column: 1, message: expect.stringMatching(/^SqlModuleNotFound: the draft: line 1, column 1: function 'count_char'.*npx millrace artifacts upload --kind sql-artifacts --name udf\/nope\.ts <file> -n team-a/) })]);
  folder.delete('udf/count-char.ts.types.json');
  expect((await draftUdfTypes(draft('udf/count-char.ts#count_char', '1'), 'team-a', files)).problems[0]!.message).toMatch(/^SqlModuleTypesMissing: /);
  folder.set('udf/count-char.ts.types.json', Buffer.from(types));
  folder.set('udf/count-char.ts', Buffer.concat([module, Buffer.from('\n// changed\n')]));
  expect((await draftUdfTypes(draft('udf/count-char.ts#count_char', '1'), 'team-a', files)).problems[0]!.message).toMatch(/^SqlModuleTypesInvalid: .*written for another version of the module/);
  // another namespace's folder is refused without reading it
  const foreign = await draftUdfTypes(draft('s3://ws/sql-artifacts/namespaces/team-b/udf/count-char.ts#count_char', '1'), 'team-a', files);
  expect(foreign.problems[0]!.message).toMatch(/^SqlModuleNotAllowed: /);
  // a draft without JAVASCRIPT functions reads nothing
  reads.length = 0;
  expect(await draftUdfTypes(`${DDL}INSERT INTO snk SELECT id, name FROM src;`, 'team-a', files)).toEqual({ problems: [] });
  expect(reads).toEqual([]);
});
