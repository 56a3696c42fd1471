// A SQL regular join's state through stop-with-savepoint and a restore, on a JobManager and
// TaskManager processes (runtime/sql/physical/sql-job.ts): bids that arrive after the restore
// still join auctions that arrived before the savepoint (the join's keyed state came back), and
// the exactly-once filesystem sink ends with every joined row exactly once — equal to the rows
// computed here from the generator's events.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNexmarkGenerator, type Auction, type Bid } from '../../../runtime/connectors/nexmark/index.ts';
import { startMiniCluster, type MiniCluster } from '../../../runtime/testing/mini-cluster.ts';
import { DEFAULT_VARIABLES, substituteVariables } from '../nexmark/nexmark-queries.ts';

const JOB = fileURLToPath(new URL('../../../runtime/sql/physical/sql-job.ts', import.meta.url));
const EVENTS = 15_000;
// events per second, paced (rate.limited): the input lasts 30 s, stopped after its first commit.
// The pace counts from the job's start, so tasks deployed late on a loaded machine catch up in a
// burst: at 2,000/s (10 s) the job once finished before the stop reached it, and at load 33 the first
// checkpoint came 20 s after the deploy, when a 20 s input had ended. The restored run paces the
// whole input again (its sources wait for the part already emitted).
const RATE = 500;
const BASE_TIME = Date.UTC(2025, 0, 1);

function script(out: string): string {
  const vars = { ...DEFAULT_VARIABLES, TPS: String(RATE), EVENTS_NUM: String(EVENTS) };
  const ddl = substituteVariables(readFileSync(new URL('../nexmark/queries/ddl_gen.sql', import.meta.url), 'utf8'), vars)
    .replace("'connector' = 'nexmark',", `'connector' = 'nexmark', 'rate.limited' = 'true', 'base-time' = '${BASE_TIME}',`);
  expect(ddl).toContain("'rate.limited' = 'true'");
  const views = substituteVariables(readFileSync(new URL('../nexmark/queries/ddl_views.sql', import.meta.url), 'utf8'), vars);
  return `${ddl};
${views};
CREATE TABLE joined (auction BIGINT, bidder BIGINT, price BIGINT, seller BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
INSERT INTO joined SELECT B.auction, B.bidder, B.price, A.seller FROM bid AS B JOIN auction AS A ON B.auction = A.id WHERE A.category = 10;`;
}

let mc: MiniCluster | undefined;
afterAll(async () => {
  await mc?.stop();
});

test('a regular join stopped with a savepoint and restored joins later bids with earlier auctions, every row once', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-join-sp-'));
  const out = path.join(dir, 'out');
  const file = path.join(dir, 'job.sql');
  writeFileSync(file, script(out));
  // a loaded machine (all test files at once) can delay heartbeats beyond the default 5 s
  mc = await startMiniCluster({ taskManagers: 1, slotsPerTaskManager: 2, checkpointIntervalMs: 200, heartbeatTimeoutMs: 30_000 });
  const first = await mc.submit(JOB, { parallelism: 2, params: { 'sql.file': file } });
  const committed = (): string[] => (existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('.')) : []);
  const status = await mc.client.waitFor(first, (s) => committed().length > 0 || (s.state !== 'RUNNING' && s.state !== 'CREATED'), 60_000, 100);
  // a job that ended before its first commit says why (its exceptions) instead of a 409 on stop
  expect({ state: status.state, exceptions: status.exceptions }).toMatchObject({ state: 'RUNNING' });
  const savepoint = await mc.client.waitForSavepoint(first, await mc.client.stop(first));
  expect((await mc.client.waitForTerminal(first, 30_000)).state).toBe('FINISHED');
  const before = committed().flatMap((f) => readFileSync(path.join(out, f), 'utf8').split('\n').filter((l) => l !== ''));

  const second = await mc.submit(JOB, { parallelism: 2, params: { 'sql.file': file }, savepointPath: savepoint });
  // a restored job that fails says why (its exceptions): it failed once under the whole suite
  const restored = await mc.client.waitForTerminal(second, 90_000);
  expect({ state: restored.state, exceptions: restored.exceptions }).toMatchObject({ state: 'FINISHED' });
  expect((await mc.client.checkpoints(second)).latest.restored).toMatchObject({ is_savepoint: true });

  const lines = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(out, f), 'utf8').split('\n').filter((l) => l !== ''));
  const gen = createNexmarkGenerator({ events: EVENTS, seed: 42, eventsPerSecond: RATE, baseTimeMs: BASE_TIME });
  const events = Array.from({ length: EVENTS }, (_, i) => gen.eventAt(i));
  const auctions = new Map(events.filter((e): e is Auction => e.kind === 'auction' && e.category === 10).map((a) => [a.id, a]));
  const expected = events.filter((e): e is Bid => e.kind === 'bid' && auctions.has(e.auction)).map((b) => `${b.auction},${b.bidder},${b.price},${auctions.get(b.auction)!.seller}`);
  expect(before.length).toBeGreaterThan(0); // the first run committed joined rows before it stopped
  expect(before.length).toBeLessThan(expected.length); // and the second run wrote the rest
  expect(lines.sort()).toEqual(expected.sort());
}, 210_000);
