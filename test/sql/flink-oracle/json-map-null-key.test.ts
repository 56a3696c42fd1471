// 'json.map-null-key.mode' / 'json.map-null-key.literal' against Flink SQL 1.20 (the oracle jar,
// bench/flink-sql): the same INSERT of MAPs with NULL keys (top level and nested in an ARRAY and a
// ROW) into a json filesystem table on both sides. DROP and LITERAL write the same records; FAIL
// (the default) fails the job on both with Flink's message; an unknown mode is refused by both.
import { jest } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { ensureOracleJar, runFlinkStatements } from './oracle.ts';

const columns = 'id INT, m MAP<STRING, INT>, arr ARRAY<MAP<STRING, STRING>>, r ROW<im MAP<STRING, BIGINT>>';
const values = `VALUES
  (1, MAP[CAST(NULL AS STRING), 2, 'a', 1], ARRAY[MAP['k', 'w', CAST(NULL AS STRING), 'v']], ROW(MAP[CAST(NULL AS STRING), CAST(7 AS BIGINT)])),
  (2, MAP['b', 3], CAST(NULL AS ARRAY<MAP<STRING, STRING>>), ROW(MAP['x', CAST(8 AS BIGINT)]))`;

function statements(dir: string, options: string): string[] {
  return [
    `CREATE TABLE out_t (${columns}) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json'${options})`,
    `INSERT INTO out_t ${values}`,
  ];
}

/** The records written under `dir`, parsed, ordered by id (entries of an object in any order). */
function written(dir: string): unknown[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l !== ''))
    .map((l) => JSON.parse(l) as { id: number }).sort((a, b) => a.id - b.id);
}

async function millraceError(sql: string[]): Promise<string> {
  try {
    await runSqlFile(sql.map((s) => `${s};`).join('\n'));
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

describe("json format 'map-null-key.mode' as Flink 1.20 writes it", () => {
  jest.setTimeout(600_000);
  let jar: string;
  beforeAll(() => {
    jar = ensureOracleJar();
  });

  test.each([
    ['DROP', ", 'json.map-null-key.mode' = 'DROP'"],
    ['LITERAL, default literal', ", 'json.map-null-key.mode' = 'LITERAL'"],
    ['LITERAL with a literal', ", 'json.map-null-key.mode' = 'LITERAL', 'json.map-null-key.literal' = 'N/A'"],
  ])('%s: the same records', async (_name, options) => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'millrace-json-null-key-'));
    await runFlinkStatements(statements(path.join(workDir, 'flink'), options), workDir, jar);
    await runSqlFile(statements(path.join(workDir, 'millrace'), options).map((s) => `${s};`).join('\n'));
    const flink = written(path.join(workDir, 'flink'));
    expect(flink).toHaveLength(2);
    expect(written(path.join(workDir, 'millrace'))).toEqual(flink);
  });

  test('FAIL, the default: both fail the job with Flink\'s message', async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'millrace-json-null-key-'));
    const message = "JSON format doesn't support to serialize map data with null keys. You can drop null key entries or encode null in literals by specifying map-null-key.mode option";
    await expect(runFlinkStatements(statements(path.join(workDir, 'flink'), ''), workDir, jar)).rejects.toThrow(/serialize map data with null keys/);
    expect(await millraceError(statements(path.join(workDir, 'millrace'), ''))).toContain(message);
    expect(await millraceError(statements(path.join(workDir, 'millrace-fail'), ", 'json.map-null-key.mode' = 'FAIL'"))).toContain(message);
  });

  test('an unknown mode: both refuse the table, naming the option', async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'millrace-json-null-key-'));
    const options = ", 'json.map-null-key.mode' = 'IGNORE'";
    await expect(runFlinkStatements(statements(path.join(workDir, 'flink'), options), workDir, jar)).rejects.toThrow(/map-null-key\.mode/);
    expect(await millraceError(statements(path.join(workDir, 'millrace'), options))).toMatch(/option 'json\.map-null-key\.mode': expected one of 'FAIL', 'DROP', 'LITERAL', got 'IGNORE'/);
  });
});
