// `millrace sql` without -f: the interactive SQL client as a person uses it, a child process
// reading statements from its stdin (a pipe here) and answering on stdout.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../runtime/bin/millrace.ts', import.meta.url));

const SRC = `CREATE TABLE src (
  a INT,
  b STRING
) WITH ('connector' = 'datagen', 'number-of-rows' = '5',
  'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '5');`;

function client(input: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'sql', ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('millrace sql (interactive client)', () => {
  test('multi-line statements; a SELECT shows its rows in each result mode; an error names line and column and the client goes on', () => {
    const r = client(`${SRC}
SELECT a, a * 10 AS t
  FROM src
  WHERE a <> 2;
SET 'sql-client.execution.result-mode' = 'changelog';
SELECT a FROM src WHERE a >= 4;
SET 'sql-client.execution.result-mode' = 'tableau';
SELECT a, UPPER('x') AS u FROM src WHERE a = 5;
SELECT a,
  nope FROM src;
SET 'sql-client.execution.result-mode' = 'cards';
SHOW TABLES;
QUIT;
SHOW TABLES;
`);
    expect(r.stderr).not.toContain('MR_ERR');
    expect(r.status).toBe(0);
    const out = r.stdout;
    // table mode (Flink's default): the result, materialized
    expect(out).toContain(['+---+----+', '| a |  t |', '+---+----+', '| 1 | 10 |', '| 3 | 30 |', '| 4 | 40 |', '| 5 | 50 |', '+---+----+', '4 rows in set'].join('\n'));
    // changelog mode: each change with its op
    expect(out).toContain(['+----+---+', '| op | a |', '+----+---+', '| +I | 4 |', '| +I | 5 |', '+----+---+', '2 changes received'].join('\n'));
    // tableau: fixed widths, the total
    expect(out).toContain(['| op |           a |                              u |', '+----+-------------+--------------------------------+', '| +I |           5 |                              X |'].join('\n'));
    expect(out).toContain('Received a total of 1 row');
    // errors: code, line and column within the statement; the client carries on
    expect(out).toContain("[ERROR] Could not execute SQL statement. Reason:\nMR_ERR_SQL_VALIDATE: line 2, column 3: Column 'nope' not found in any table");
    expect(out).toContain("'sql-client.execution.result-mode' is one of 'table', 'changelog', 'tableau', not 'cards'");
    // SHOW after the errors ran; QUIT ended the session (the SHOW after it did not run)
    expect(out.split('| table name |').length).toBe(2);
    expect(out).toContain('[INFO] Exiting Millrace SQL CLI Client...');
  });

  test('DESCRIBE, EXPLAIN, HELP; an INSERT runs as a job (waited for with table.dml-sync); a statement set writes two tables in one job; SHOW JOBS lists them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-client-'));
    const r = client(`${SRC}
DESCRIBE src;
EXPLAIN SELECT a FROM src WHERE a > 1;
HELP;
CREATE TABLE evens (a INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/evens', 'format' = 'csv');
CREATE TABLE odds (a INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/odds', 'format' = 'csv');
SET 'table.dml-sync' = 'true';
INSERT INTO evens SELECT a FROM src WHERE MOD(a, 2) = 0;
BEGIN STATEMENT SET;
INSERT INTO evens SELECT a * 100 FROM src WHERE MOD(a, 2) = 0;
INSERT INTO odds SELECT a FROM src WHERE MOD(a, 2) = 1;
END;
SHOW JOBS;
`);
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/\|\s*name\s*\|\s*type\s*\|\s*null\s*\|/);
    expect(out).toContain('== Optimized Logical Plan ==');
    expect(out).toContain('QUIT\t\tQuits the SQL CLI client.');
    expect(out).toContain('[INFO] Begin a statement set.');
    expect(out.split('[INFO] Add SQL update statement to the statement set.').length).toBe(3);
    expect(out.split('[INFO] Complete execution of the SQL update statement').length).toBe(3);
    expect(out.match(/\| [0-9a-f]{32} \| .* \| FINISHED \|/g)).toHaveLength(2);
    const rows = (t: string) => readdirSync(path.join(dir, t)).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(dir, t, f), 'utf8').split('\n').filter((l) => l !== '')).sort();
    expect(rows('evens')).toEqual(['2', '200', '4', '400']);
    expect(rows('odds')).toEqual(['1', '3', '5']);
  });

  test('an INSERT into an unbounded source runs in the background: SHOW JOBS lists it RUNNING, STOP JOB WITH SAVEPOINT ends it with a savepoint the next INSERT starts from, STOP JOB ends that one', async () => {
    const savepoints = mkdtempSync(path.join(tmpdir(), 'millrace-sql-client-savepoints-'));
    const child = spawn(process.execPath, [BIN, 'sql'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const waitOut = async (re: RegExp) => {
      const deadline = Date.now() + 30_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`${re} not printed within 30 s:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return re.exec(out)!;
    };
    try {
      child.stdin.write(`CREATE TABLE endless (a BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20', 'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '1000000000');
CREATE TABLE sink (a BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT a FROM endless;
SHOW JOBS;
`);
      const first = (await waitOut(/Job ID: ([0-9a-f]{32})/))[1]!;
      await waitOut(new RegExp(`\\| ${first} \\| INSERT INTO sink SELECT a FROM endless \\| RUNNING`));
      child.stdin.write(`SET 'execution.checkpointing.savepoint-dir' = '${savepoints}';\nSTOP JOB '${first}' WITH SAVEPOINT;\n`);
      const savepoint = (await waitOut(new RegExp(`\\| (${savepoints}/savepoint-${first.slice(0, 6)}-[0-9a-f]+/) +\\|`)))[1]!;
      expect(readdirSync(savepoint)).toContain('_metadata');
      child.stdin.write(`SET 'execution.savepoint.path' = '${savepoint}';\nINSERT INTO sink SELECT a FROM endless;\nSHOW JOBS;\n`);
      const id = (await waitOut(new RegExp(`Job ID: (?!${first})([0-9a-f]{32})`)))[1]!;
      await waitOut(new RegExp(`\\| ${id} \\| INSERT INTO sink SELECT a FROM endless \\| RUNNING`));
      child.stdin.end(`STOP JOB '${id}';\nSTOP JOB 'nope';\nSHOW JOBS;\n`);
      expect(await exited).toBe(0);
      expect(out).toMatch(new RegExp(`\\| ${first} \\| INSERT INTO sink SELECT a FROM endless \\| FINISHED`));
      expect(out).toMatch(new RegExp(`\\| ${id} \\| INSERT INTO sink SELECT a FROM endless \\| CANCELED`));
      expect(out).toContain("MR_ERR_SQL_VALIDATE: no job 'nope' was started by this client (SHOW JOBS lists them)");
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  test('Ctrl-C stops a SELECT on an unbounded source, shows what arrived, and the client goes on', async () => {
    const child = spawn(process.execPath, [BIN, 'sql'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      child.stdin.write(`CREATE TABLE endless (a BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '50', 'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '1000000000');
SET 'sql-client.execution.result-mode' = 'tableau';
SELECT a FROM endless;
`);
      const deadline = Date.now() + 30_000;
      while (!/\| \+I \|\s+5 \|/.test(out)) {
        if (Date.now() > deadline) throw new Error(`no rows within 30 s:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGINT');
      child.stdin.end('SHOW TABLES;\nQUIT;\n');
      expect(await exited).toBe(0);
      expect(out).toContain('[INFO] Query stopped (Ctrl-C); the rows received so far:');
      expect(out).toMatch(/Received a total of \d+ rows/);
      expect(out).toContain('| endless    |');
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  test('with -f, a SELECT of the script prints its rows as they arrive (tableau), as Flink\'s client does', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-client-'));
    writeFileSync(path.join(dir, 'select.sql'), `${SRC}\nSELECT a, a * 2 AS b FROM src WHERE a > 3;\n`);
    const r = spawnSync(process.execPath, [BIN, 'sql', '-f', path.join(dir, 'select.sql')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(['| op |           a |           b |', '+----+-------------+-------------+', '| +I |           4 |           8 |', '| +I |           5 |          10 |', '+----+-------------+-------------+', 'Received a total of 2 rows'].join('\n'));
  });

  test('-i runs an init script before the first statement; a failing init script stops the client naming it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-client-'));
    writeFileSync(path.join(dir, 'init.sql'), `${SRC}\nSET 'sql-client.execution.result-mode' = 'changelog';\n`);
    const r = client('SELECT a FROM src WHERE a = 2;\n', '-i', path.join(dir, 'init.sql'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`[INFO] Executed the init script ${path.join(dir, 'init.sql')}.`);
    expect(r.stdout).toContain(['| op | a |', '+----+---+', '| +I | 2 |'].join('\n'));
    writeFileSync(path.join(dir, 'bad.sql'), 'CREATE TABLE broken (a INT) WITH (;\n');
    const bad = client('SHOW TABLES;\n', '-i', path.join(dir, 'bad.sql'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/\[ERROR\] Could not execute SQL statement. Reason:\nMR_ERR_SQL_PARSE: line 1, column 35/);
    expect(bad.stderr).toContain(`MR_ERR_CLI: the init script '${path.join(dir, 'bad.sql')}' had 1 failing statement`);
  });
});
