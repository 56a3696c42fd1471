// Failure detection and recovery on real processes: a TaskManager killed with SIGKILL is noticed
// within 10 s, the job is restarted by its restart strategy on the replacement TaskManager; a slow
// consumer backpressures its producer and the REST API shows it.

import { jest } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMiniCluster, type MiniCluster } from '../../runtime/testing/mini-cluster.ts';

const BID_COUNTS = fileURLToPath(new URL('./fixtures/bid-counts.job.ts', import.meta.url));
const SLOW = fileURLToPath(new URL('./fixtures/slow-consumer.job.ts', import.meta.url));
jest.setTimeout(120_000);

describe('failure detection and backpressure', () => {
  let mc: MiniCluster;
  beforeAll(async () => {
    mc = await startMiniCluster({ taskManagers: 2, slotsPerTaskManager: 1, heartbeatTimeoutMs: 5000 });
  });
  afterAll(async () => {
    await mc?.stop();
  });

  test('a TaskManager killed with SIGKILL is detected within 10 s and the job restarts and runs again', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'failover-'));
    const id = await mc.submit(BID_COUNTS, { parallelism: 2, params: { events: '0', rate: '4000', out }, restartStrategy: 'fixed-delay:attempts=5,delayMs=500' });
    await mc.client.waitFor(id, (s) => s.state === 'RUNNING' && s.vertices.every((v) => v.recordsIn > 0), 30_000);
    const killedId = mc.cluster.taskManagers[1]!.child.spawnargs.at(-1);
    const killedAt = Date.now();
    mc.cluster.kill(1, 'SIGKILL');
    const failed = await mc.client.waitFor(id, (s) => s.restarts >= 1, 10_000, 100);
    const detectedMs = Date.now() - killedAt;
    expect(detectedMs).toBeLessThan(10_000);
    expect(failed.exceptions[0]!.message).toMatch(/MR_ERR_TASKMANAGER_LOST|MR_ERR_CHANNEL_FAILED/);
    // the heartbeat monitor drops the dead TaskManager too
    const deadline = killedAt + 10_000;
    let seenLost = false;
    while (Date.now() < deadline && !seenLost) {
      const tms = (await (await fetch(`${mc.cluster.restUrl}/taskmanagers`)).json()) as { taskmanagers: Array<{ id: string }> };
      seenLost = !tms.taskmanagers.some((t) => t.id === killedId);
      if (!seenLost) await new Promise((r) => setTimeout(r, 200));
    }
    expect(seenLost).toBe(true);
    // the replacement TaskManager registers, the job is redeployed as a new attempt and processes again
    const again = await mc.client.waitFor(id, (s) => s.state === 'RUNNING' && s.attempt >= 1 && s.vertices.every((v) => v.recordsIn > 0), 60_000);
    expect(again.restarts).toBeGreaterThanOrEqual(1);
    await mc.client.cancel(id);
    expect((await mc.client.waitForTerminal(id, 15_000)).state).toBe('CANCELED');
  });

  test('a slow consumer backpressures its producer through credits; the REST API shows it', async () => {
    const id = await mc.submit(SLOW, { parallelism: 2, params: { spinUs: '300' } });
    await mc.client.waitFor(id, (s) => s.state === 'RUNNING' && s.vertices.every((v) => v.recordsIn > 0), 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    const s = await mc.client.job(id);
    const [producer, consumer] = s.vertices;
    expect(producer!.backpressureRatio).toBeGreaterThan(0.5);
    expect(producer!.backpressureLevel).toBe('high');
    expect(consumer!.backpressureRatio).toBeLessThan(0.1);
    // bounded buffering: the producers are not far ahead of what the consumer took in
    // (per channel at most 4 credited + 2 backlogged buffers of 512 records, plus one poll of 1000)
    expect(producer!.recordsOut - consumer!.recordsIn).toBeLessThan(2 * ((4 + 2) * 512 + 1000) + 1);
    await mc.client.cancel(id);
    expect((await mc.client.waitForTerminal(id, 15_000)).state).toBe('CANCELED');
  });
});
