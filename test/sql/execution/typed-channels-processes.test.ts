// SQL rows between TaskManager processes go typed (runtime/network/typed-rows.ts): a windowed
// aggregate shuffles rows with a BIGINT beyond 2^53, a DECIMAL(38, 4), a non-ASCII string, a
// TIMESTAMP(9) and a TIMESTAMP_LTZ by key across two TaskManagers; the job graph the JobManager
// deploys declares the shuffle's row type, and the results equal the ones computed here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStreamGraph } from '../../../runtime/api/environment.ts';
import { buildJobGraph } from '../../../runtime/graph/job-graph.ts';
import sqlJob from '../../../runtime/sql/physical/sql-job.ts';

const BIN = fileURLToPath(new URL('../../../runtime/bin/millrace.ts', import.meta.url));
const JOB = fileURLToPath(new URL('../../../runtime/sql/physical/sql-job.ts', import.meta.url));
const ROWS = 3000;

test('a windowed aggregate over BIGINT beyond 2^53, DECIMAL(38, 4), non-ASCII text and TIMESTAMP(9) across two TaskManagers gives exact results, over a typed shuffle', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-typed-'));
  const out = path.join(dir, 'out');
  const script = path.join(dir, 'job.sql');
  // one phase: the shuffle carries the planner's rows (a two-phase plan's partials have no SQL row type and go untyped)
  writeFileSync(script, `SET 'table.optimizer.agg-phase-strategy' = 'ONE_PHASE';
CREATE TABLE src (a BIGINT, ts AS TO_TIMESTAMP_LTZ(a * 1000, 3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '${ROWS}', 'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '${ROWS}');
CREATE TABLE out (k BIGINT, wstart TIMESTAMP(3), n BIGINT, big BIGINT, total DECIMAL(38, 4), word STRING, word_len INT, nine TIMESTAMP(9)) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
CREATE VIEW v AS SELECT MOD(a, 7) AS k, a + 9007199254740993 AS big, CAST(a AS DECIMAL(38, 4)) / 8 AS d, CONCAT('ü日', CAST(a AS STRING)) AS word, CAST(ts AS TIMESTAMP(9)) AS nine, ts FROM src;
INSERT INTO out SELECT k, window_start, COUNT(*), MAX(big), SUM(d), MAX(word), MAX(CHAR_LENGTH(word)), MAX(nine)
FROM TABLE(TUMBLE(TABLE v, DESCRIPTOR(ts), INTERVAL '1000' SECOND))
GROUP BY k, window_start, window_end;`);

  // the graph every process builds declares the shuffle's row type (the key, BIGINT, DECIMAL as text, STRING, TIMESTAMP(9), LTZ)
  const jobGraph = buildJobGraph(buildStreamGraph(sqlJob, 2, { 'sql.file': script }));
  const shuffles = jobGraph.vertices.flatMap((v) => v.outputs).filter((e) => e.partitioner === 'hash');
  expect(shuffles.length).toBeGreaterThan(0);
  for (const e of shuffles) expect(e.recordType?.changelogRow).toEqual(['i32', 'i64', 'string', 'string', 'i32', 'f64', 'f64']);

  const r = spawnSync(process.execPath, [BIN, 'run', JOB, '--set', `sql.file=${script}`, '--parallelism', '2', '--taskmanagers', '2', '--no-progress',
    '--checkpoint-dir', `file://${path.join(dir, 'checkpoints')}`], { encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toContain('2 TaskManager(s)');
  expect(r.stderr).toMatch(/job sql FINISHED/);
  expect(r.status).toBe(0);
  const got = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(out, f), 'utf8').split('\n').filter((l) => l !== '')).sort();

  // the same aggregate computed here, exactly (BigInt for the BIGINT and the DECIMAL)
  const groups = new Map<string, { k: number; w: number; n: number; big: bigint; eighths: bigint; word: string; len: number; nine: number }>();
  for (let a = 1; a <= ROWS; a++) {
    const k = a % 7;
    const w = Math.floor(a / 1000) * 1000;
    const word = `ü日${a}`;
    const g = groups.get(`${k}/${w}`) ?? { k, w, n: 0, big: 0n, eighths: 0n, word: '', len: 0, nine: 0 };
    g.n++;
    const big = BigInt(a) + 9007199254740993n;
    if (big > g.big) g.big = big;
    g.eighths += BigInt(a) * 10000n / 8n; // a / 8 with 4 fraction digits is exact
    if (word > g.word) g.word = word;
    g.len = Math.max(g.len, word.length);
    g.nine = Math.max(g.nine, a * 1000);
    groups.set(`${k}/${w}`, g);
  }
  const time = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const decimal = (scaled: bigint): string => `${scaled / 10000n}.${String(scaled % 10000n).padStart(4, '0')}`;
  const expected = [...groups.values()].map((g) => `${g.k},${time(g.w * 1000)},${g.n},${g.big},${decimal(g.eighths)},${g.word},${g.len},${time(g.nine)}`).sort();
  expect(got).toEqual(expected);
}, 150_000);
