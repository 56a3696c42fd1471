// The SQL client's statement executor in this process (no child): STOP JOB ... WITH SAVEPOINT
// writes a savepoint into the configured directory and prints its path, and an INSERT after
// SET 'execution.savepoint.path' continues from it. The job is an unbounded sequence into a
// filesystem table (exactly once: a file is committed when a savepoint completes), so the rows
// of both runs together must be 1..M, none missing, none twice.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqlClient } from './sql-client.ts';

const committed = (dir: string): number[] => (existsSync(dir) ? readdirSync(dir) : [])
  .filter((f) => !f.startsWith('.'))
  .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l !== '').map(Number))
  .sort((a, b) => a - b);
/** rolled files not committed yet (hidden until the savepoint completes), other than `known`: rows did flow */
const rolled = (dir: string, known: ReadonlySet<string> = new Set()): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('.') && !known.has(f)) : []);

async function until(what: string, cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SQL client: STOP JOB WITH SAVEPOINT and execution.savepoint.path', () => {
  test('stop with a savepoint, restore from it, stop again: the rows of both runs are 1..M exactly once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-savepoint-'));
    const seen = path.join(dir, 'seen');
    let out = '';
    const client = new SqlClient({ out: (t) => (out += `${t}\n`) });
    const run = async (text: string): Promise<string> => {
      const from = out.length;
      await client.line(text);
      return out.slice(from);
    };
    const jobId = (text: string): string => /Job ID: ([0-9a-f]{32})/.exec(text)?.[1] ?? '';
    const savepointOf = (text: string): string => /\| (\S*savepoint-\S+) \|/.exec(text)?.[1] ?? '';
    try {
      await run(`CREATE TABLE endless (a BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '100', 'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '1000000000');`);
      await run(`CREATE TABLE seen (a BIGINT) WITH ('connector' = 'filesystem', 'path' = '${seen}', 'format' = 'csv', 'sink.rolling-policy.file-size' = '1b');`);
      const first = jobId(await run('INSERT INTO seen SELECT a FROM endless;'));
      expect(first).toMatch(/^[0-9a-f]{32}$/);
      expect(await run(`STOP JOB '${first}' WITH SAVEPOINT;`)).toContain("MR_ERR_SQL_SAVEPOINT: No savepoint directory is configured: SET 'execution.checkpointing.savepoint-dir'");
      await until('rows written by the first job', () => rolled(seen).length >= 3);
      await run(`SET 'execution.checkpointing.savepoint-dir' = '${path.join(dir, 'savepoints')}';`);
      const stopped = await run(`STOP JOB '${first}' WITH SAVEPOINT;`);
      expect(stopped).toContain('savepoint path');
      const savepoint = savepointOf(stopped);
      expect(savepoint).toContain(path.join(dir, 'savepoints', `savepoint-${first.slice(0, 6)}-`));
      expect(existsSync(path.join(savepoint.replace(/^file:\/\//, ''), '_metadata'))).toBe(true);
      expect(await run('SHOW JOBS;')).toMatch(new RegExp(`\\| ${first} \\| INSERT INTO seen SELECT a FROM endless \\| FINISHED`));
      const before = committed(seen);
      expect(before.length).toBeGreaterThanOrEqual(3);
      expect(before).toEqual(before.map((_, i) => i + 1));

      // rows after the savepoint's barrier were rolled but never committed: they come again
      const leftover = new Set(rolled(seen));
      await run(`SET 'execution.savepoint.path' = '${savepoint}';`);
      const second = jobId(await run('INSERT INTO seen SELECT a FROM endless;'));
      expect(second).toMatch(/^[0-9a-f]{32}$/);
      await until('rows written by the restored job', () => rolled(seen, leftover).length >= 3);
      expect(await run(`STOP JOB '${second}' WITH SAVEPOINT WITH DRAIN;`)).toContain('savepoint path');
      const after = committed(seen);
      expect(after.length).toBeGreaterThan(before.length);
      expect(after).toEqual(after.map((_, i) => i + 1)); // continued after the savepoint: no gap, no repeat

      // state the job has no operator for is refused unless ignored, naming the setting
      await run("CREATE TABLE other (b BIGINT) WITH ('connector' = 'blackhole');");
      expect(await run("INSERT INTO other VALUES (1);")).toContain("MR_ERR_SQL_SAVEPOINT: MR_ERR_RESTORE_UNMATCHED_STATE");
      expect(out).toContain("SET 'execution.savepoint.ignore-unclaimed-state' = 'true'");
      await run(`SET 'execution.savepoint.path' = '${path.join(dir, 'nothing-here')}';`);
      expect(await run('INSERT INTO seen SELECT a FROM endless;')).toContain(`MR_ERR_SQL_SAVEPOINT: 'execution.savepoint.path' = '${path.join(dir, 'nothing-here')}': no savepoint can be read there`);
    } finally {
      await client.close();
    }
  }, 120_000);
});
