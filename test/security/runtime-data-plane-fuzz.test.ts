// Data-plane fuzz against a running job on real processes with a Deployment key: at least 1,000
// seeded cases of wrong handshakes and broken frames on every slot's data port while a bounded
// job runs. Each bad connection is closed on its own; no slot worker dies (the slots keep their
// addresses), the TaskManagers' memory stays bounded, and the job finishes with exactly-once
// output. Replay a failing run with MILLRACE_FAULT_SEED=<seed printed below>.

import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { faultSeed, seededRandom } from '../recovery/support/seeded-random.ts';
import { readCommittedJsonLines } from '../recovery/support/committed-output.ts';
import { FUZZ_KINDS, MUST_CLOSE, runFuzzCase, type FuzzOutcome } from './support/runtime-data-plane-fuzz.ts';
import { SecureCluster, waitFor } from './support/runtime-cluster.ts';

jest.setTimeout(180_000);
const JOB = fileURLToPath(new URL('../runtime/fixtures/bid-counts.job.ts', import.meta.url));
const CASES = 1200;
const EVENTS = 40_000;

test('1,200 fuzzed data connections close only themselves; the job finishes with exactly-once output', async () => {
  const seed = faultSeed();
  process.stdout.write(`data-plane fuzz seed ${seed} (MILLRACE_FAULT_SEED=${seed} replays it)\n`);
  const r = seededRandom(seed);
  const out = mkdtempSync(path.join(os.tmpdir(), 'sec-fuzz-out-'));
  const c = await new SecureCluster({ job: JOB, params: { events: String(EVENTS), rate: '2000', out }, restartStrategy: 'fixed-delay:attempts=20,delayMs=200' }).start();
  try {
    const id = await c.jobId();
    await waitFor('the job running', async () => (await c.job(id)).state === 'RUNNING', 60_000);
    const slots = await c.slotAddresses();
    expect(slots).toHaveLength(2);

    const outcomes: FuzzOutcome[] = [];
    const dataKey = c.key.derive('data');
    let next = 0;
    // 16 connections at a time, each case on a slot picked by the seed
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < CASES) {
        next++;
        const kind = FUZZ_KINDS[r.int(0, FUZZ_KINDS.length - 1)]!;
        outcomes.push(await runFuzzCase(slots[r.int(0, slots.length - 1)]!, kind, dataKey, r));
      }
    }));
    expect(outcomes).toHaveLength(CASES);
    // what must be refused by the slot itself: wrong handshakes and frames that break the protocol
    for (const kind of MUST_CLOSE) {
      const of = outcomes.filter((o) => o.kind === kind);
      expect(of.length).toBeGreaterThan(0);
      expect(of.filter((o) => !o.closedByPeer)).toEqual([]);
    }

    // no slot worker died: the same slots are offered, the TaskManagers logged the refusals with the peer
    expect((await c.slotAddresses()).sort()).toEqual([...slots].sort());
    const tmLogs = readdirSync(c.dir).filter((f) => f.startsWith('taskmanager-')).map((f) => readFileSync(path.join(c.dir, f), 'utf8')).join('\n');
    expect(tmLogs).toMatch(/"peer":"127\.0\.0\.1:\d+".*"code":"MR_ERR_HANDSHAKE_FAILED".*data connection refused/);
    expect(tmLogs).toMatch(/"code":"MR_ERR_FRAME_INVALID".*data connection refused/);
    expect(tmLogs).not.toContain('MR_ERR_SLOT_DEAD');
    // memory stays bounded although length prefixes up to 4 GiB were announced
    for (const tm of await c.taskManagers()) {
      const metrics = (await c.call(`${tm.restUrl}/metrics`)).text;
      const rss = Number(/millrace_taskmanager_process_resident_memory_bytes (\d+)/.exec(metrics)?.[1]);
      expect(rss).toBeLessThan(600 * 1024 * 1024);
    }

    const done = await waitFor('the job finished', async () => {
      const j = await c.job(id);
      return ['FINISHED', 'FAILED', 'CANCELED'].includes(j.state) ? j : undefined;
    }, 120_000, 500);
    expect(done.state).toBe('FINISHED');
    // exactly once: every bid counted once (46 of every 50 Nexmark events), each auction window once
    const rows = readCommittedJsonLines<{ auction: number; window: number; n: number }>(out);
    expect(rows.reduce((a, row) => a + row.n, 0)).toBe((EVENTS / 50) * 46);
    expect(new Set(rows.map((row) => `${row.auction}/${row.window}`)).size).toBe(rows.length);
  } finally {
    await c.stop();
  }
});
