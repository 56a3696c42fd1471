// `millrace sql -f`: the CLI as a user runs it (a child process), output as the SQL client prints it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../runtime/bin/millrace.ts', import.meta.url));

function millraceSql(script: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-cli-'));
  const file = path.join(dir, 'job.sql');
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [BIN, 'sql', '-f', file, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('millrace sql -f', () => {
  test('runs the INSERT and prints the print sink rows', () => {
    const r = millraceSql(`CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '4', 'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '4');
CREATE TABLE out (a INT, doubled INT) WITH ('connector' = 'print');
INSERT INTO out SELECT a, a * 2 FROM src WHERE a <> 3;`, '--set', 'pipeline.name=cli-test');
    expect(r.stderr).not.toMatch(/MR_ERR/);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('+I'))).toEqual(['+I[1, 2]', '+I[2, 4]', '+I[4, 8]']);
    expect(r.stdout).toContain('[INFO] 1 job finished.');
  });

  test('a node that cannot run yet fails with its code and exit 1', () => {
    const r = millraceSql(`CREATE TABLE src (a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '4');
CREATE TABLE out (a INT, ws TIMESTAMP(3)) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a, window_start FROM TABLE(SESSION(TABLE src, DESCRIPTOR(ts), INTERVAL '1' SECOND));`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('MR_ERR_SQL_UNSUPPORTED');
    expect(r.stderr).toContain('SESSION window table function without an aggregation');
  });

  test('a missing script is named', () => {
    const r = spawnSync(process.execPath, [BIN, 'sql', '-f', '/nonexistent/job.sql'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot read the SQL script '/nonexistent/job.sql'");
  });
});
