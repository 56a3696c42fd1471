// SQL window aggregation state through stop-with-savepoint and a restore, on a JobManager and
// TaskManager processes (runtime/sql/physical/sql-job.ts): windows open at the savepoint carry
// their counts into the next run, and the exactly-once filesystem sink ends with every window
// exactly once — equal to the counts computed here from the generator's events.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNexmarkGenerator, type Bid } from '../../../runtime/connectors/nexmark/index.ts';
import { startMiniCluster, type MiniCluster } from '../../../runtime/testing/mini-cluster.ts';
import { DEFAULT_VARIABLES, substituteVariables } from '../nexmark/nexmark-queries.ts';

const JOB = fileURLToPath(new URL('../../../runtime/sql/physical/sql-job.ts', import.meta.url));
// paced (rate.limited) from the job's start (the JobManager's deploy time): the input lasts 30 s, so
// it is still running when the first windows are committed even when the machine is busy and the
// tasks start late (a paced source catches up on what was due meanwhile). At load 25-34 on 2 cores
// the slots took 11-12 s to import the SQL job, and two 1.3 s checkpoints came before the first
// committed window: a 10 s and then a 15 s input ended before the stop. The restored run paces the
// rest the same way (its sources wait for the part the first run emitted), so the file takes ~45 s.
const EVENTS = 120_000;
const RATE = 4000;
const BASE_TIME = Date.UTC(2025, 0, 1); // event time of the first event, on both sides

/** Nexmark's ddl_gen.sql at RATE events/s, paced in real time (watermark 0.2 s behind), then a 1 s TUMBLE count per bidder. */
function script(out: string): string {
  const ddl = substituteVariables(readFileSync(new URL('../nexmark/queries/ddl_gen.sql', import.meta.url), 'utf8'), { ...DEFAULT_VARIABLES, TPS: String(RATE), EVENTS_NUM: String(EVENTS) })
    .replace("'connector' = 'nexmark',", `'connector' = 'nexmark', 'rate.limited' = 'true', 'base-time' = '${BASE_TIME}',`)
    .replace("`dateTime` - INTERVAL '4' SECOND", "`dateTime` - INTERVAL '0.2' SECOND"); // windows fire while the job runs
  expect(ddl).toContain("'rate.limited' = 'true'");
  expect(ddl).toContain("INTERVAL '0.2' SECOND");
  return `${ddl};
CREATE TABLE counts (bidder BIGINT, n BIGINT, total BIGINT, wstart TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
INSERT INTO counts
SELECT bid.bidder, COUNT(*), SUM(bid.price), window_start
FROM TABLE(TUMBLE(TABLE datagen, DESCRIPTOR(\`dateTime\`), INTERVAL '1' SECOND))
WHERE event_type = 2
GROUP BY bid.bidder, window_start, window_end;`;
}

/** A whole-second TIMESTAMP as the csv format writes it (no fraction when it is zero). */
const csvTimestamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '');

let mc: MiniCluster | undefined;
afterAll(async () => {
  await mc?.stop();
});

test('a window aggregation stopped with a savepoint and restored emits every window exactly once', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-window-sp-'));
  const out = path.join(dir, 'out');
  const file = path.join(dir, 'job.sql');
  writeFileSync(file, script(out));
  mc = await startMiniCluster({ taskManagers: 1, slotsPerTaskManager: 2, checkpointIntervalMs: 200 });
  const first = await mc.submit(JOB, { parallelism: 2, params: { 'sql.file': file } });
  // stop once some windows are committed (the sink's files become visible at a checkpoint)
  const committed = (): string[] => (existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('.')) : []);
  const seen = await mc.client.waitFor(first, (st) => committed().length > 0 || st.state !== 'RUNNING', 60_000, 100);
  // a job that ended says why (its failure cause and exceptions) in the comparison
  const why = seen.state === 'RUNNING' ? undefined : { cause: seen['failure-cause'], exceptions: seen.exceptions.map((e) => e.message) };
  expect({ state: seen.state, committed: committed().length > 0, why }).toEqual({ state: 'RUNNING', committed: true, why: undefined });
  const savepoint = await mc.client.waitForSavepoint(first, await mc.client.stop(first));
  const stopped = await mc.client.waitForTerminal(first, 30_000);
  expect(stopped.state).toBe('FINISHED');
  const before = committed().length;

  const second = await mc.submit(JOB, { parallelism: 2, params: { 'sql.file': file }, savepointPath: savepoint });
  expect((await mc.client.waitForTerminal(second, 90_000)).state).toBe('FINISHED');
  expect((await mc.client.checkpoints(second)).latest.restored).toMatchObject({ is_savepoint: true });

  const lines = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(out, f), 'utf8').split('\n').filter((l) => l !== ''));
  const gen = createNexmarkGenerator({ events: EVENTS, seed: 42, eventsPerSecond: RATE, baseTimeMs: BASE_TIME });
  const windows = new Map<string, { n: number; total: number }>();
  for (let i = 0; i < EVENTS; i++) {
    const e = gen.eventAt(i);
    if (e.kind !== 'bid') continue;
    const b = e as Bid;
    const k = `${b.bidder},${csvTimestamp(b.dateTime - (b.dateTime % 1000))}`;
    const w = windows.get(k) ?? { n: 0, total: 0 };
    windows.set(k, { n: w.n + 1, total: w.total + b.price });
  }
  const expected = [...windows].map(([k, w]) => { const [bidder, ws] = k.split(','); return `${bidder},${w.n},${w.total},${ws}`; });
  expect(before).toBeGreaterThan(0); // the first run committed some windows before it stopped
  expect(lines.sort()).toEqual(expected.sort());
}, 210_000);
