// A SQL script as a job module (runtime/sql/physical/sql-job.ts) through `millrace run`: a
// JobManager process and two TaskManager processes build the same graph from the script and run it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../runtime/bin/millrace.ts', import.meta.url));
const JOB = fileURLToPath(new URL('../../../runtime/sql/physical/sql-job.ts', import.meta.url));

test('a SQL script runs on a JobManager and TaskManagers and writes the filtered rows (two INSERTs from one shared source)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-job-'));
  const out = path.join(dir, 'out');
  const out2 = path.join(dir, 'out2');
  const script = path.join(dir, 'job.sql');
  writeFileSync(script, `CREATE TABLE src (a INT, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1000', 'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '1000');
CREATE TABLE out (a INT, doubled INT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
CREATE TABLE out2 (a INT, doubled INT) WITH ('connector' = 'filesystem', 'path' = '${out2}', 'format' = 'csv');
INSERT INTO out SELECT a, a * 2 FROM src WHERE MOD(a, 10) = 0;
INSERT INTO out2 SELECT a, a * 2 FROM src WHERE a > 990;`);
  const r = spawnSync(process.execPath, [BIN, 'run', JOB, '--set', `sql.file=${script}`, '--parallelism', '2', '--taskmanagers', '2', '--no-progress',
    '--checkpoint-dir', `file://${path.join(dir, 'checkpoints')}`], { encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toContain('2 TaskManager(s)');
  expect(r.stderr).toMatch(/job sql FINISHED/);
  expect(r.status).toBe(0);
  const lines = (dirPath: string): string[] => readdirSync(dirPath).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(dirPath, f), 'utf8').split('\n').filter((l) => l !== '')).sort();
  const expected = Array.from({ length: 100 }, (_, i) => `${(i + 1) * 10},${(i + 1) * 20}`);
  expect(lines(out)).toEqual(expected.sort());
  // the second INSERT reads the same rows from the one source (source reuse): each row once, none lost
  expect(lines(out2)).toEqual(Array.from({ length: 10 }, (_, i) => `${991 + i},${(991 + i) * 2}`).sort());
}, 150_000);
