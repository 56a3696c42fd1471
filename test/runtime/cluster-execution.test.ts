// A job on real JobManager/TaskManager processes (2 TaskManagers, parallelism 2, data crossing
// processes over TCP) produces exactly the result computed directly from the generator.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { createNexmarkGenerator } from '../../runtime/connectors/nexmark/index.ts';
import { startMiniCluster, type MiniCluster } from '../../runtime/testing/mini-cluster.ts';

const JOB = fileURLToPath(new URL('./fixtures/bid-counts.job.ts', import.meta.url));
jest.setTimeout(120_000);

function expectedCounts(events: number): Map<string, number> {
  const g = createNexmarkGenerator({ events, eventsPerSecond: 1000 });
  const m = new Map<string, number>();
  for (let i = 0; i < events; i++) {
    const e = g.eventAt(i);
    if (e.kind !== 'bid') continue;
    const k = `${e.auction}@${Math.floor(e.dateTime / 1000)}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function readOutput(dir: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of readdirSync(dir).filter((x) => x.startsWith('part-'))) {
    for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { auction: number; n: number; window: number };
      const k = `${r.auction}@${r.window}`;
      if (m.has(k)) throw new Error(`duplicate window result ${k}`);
      m.set(k, r.n);
    }
  }
  return m;
}

describe('jobs on a mini-cluster of processes', () => {
  let mc: MiniCluster;
  beforeAll(async () => {
    mc = await startMiniCluster({ taskManagers: 2, slotsPerTaskManager: 1 });
  });
  afterAll(async () => {
    await mc?.stop();
  });

  test('a keyed window job over 2 TaskManagers equals the direct computation and reports FINISHED', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bid-counts-'));
    const status = await mc.run(JOB, { parallelism: 2, params: { events: '50000', out } });
    expect(status.state).toBe('FINISHED');
    expect(readOutput(out)).toEqual(expectedCounts(50000));
    const source = status.vertices.find((v) => v.isSource)!;
    expect(source.recordsIn).toBe(50000);
    expect(status.vertices.map((v) => v.parallelism)).toEqual([2, 2]);
  });

  test('REST API shows the cluster, the job, its vertices and Prometheus metrics', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bid-counts-'));
    const id = await mc.submit(JOB, { parallelism: 2, params: { events: '0', rate: '5000', out } });
    try {
      const running = await mc.client.waitFor(id, (s) => s.state === 'RUNNING' && s.vertices.every((v) => v.recordsIn > 0 && v.inputWatermark !== null), 30_000);
      // event time runs at 1000 events/s of generator time from 2025-01-01: watermarks are real dates
      expect(running.vertices[0]!.inputWatermark).toBeGreaterThan(Date.UTC(2025, 0, 1));
    const overview = await mc.client.overview();
    expect(overview).toMatchObject({ taskmanagers: 2, 'slots-total': 2, 'slots-available': 0 });
    const jobs = (await (await fetch(`${mc.cluster.restUrl}/jobs`)).json()) as { jobs: Array<{ id: string; status: string }> };
    expect(jobs.jobs).toContainEqual(expect.objectContaining({ id, status: 'RUNNING' }));
    const metrics = await (await fetch(`${mc.cluster.restUrl}/metrics`)).text();
    expect(metrics).toMatch(/millrace_taskmanagers 2/);
    expect(metrics).toMatch(new RegExp(`millrace_vertex_records_in\\{job_id="${id}"`));
    // watermarks in Unix seconds (Prometheus base units), the same instant the REST API gives in ms
    const watermarks = [...metrics.matchAll(/millrace_vertex_input_watermark_seconds\{[^}]*\} ([0-9.e+]+)/g)].map((m) => Number(m[1]));
    expect(watermarks.length).toBeGreaterThan(0);
    for (const w of watermarks) {
      expect(w).toBeGreaterThan(Date.UTC(2025, 0, 1) / 1000);
      expect(w).toBeLessThan(Date.UTC(2100, 0, 1) / 1000);
    }
    const tms = (await (await fetch(`${mc.cluster.restUrl}/taskmanagers`)).json()) as { taskmanagers: Array<{ restUrl: string }> };
    const tmMetrics = await (await fetch(`${tms.taskmanagers[0]!.restUrl}/metrics`)).text();
    expect(tmMetrics).toMatch(/millrace_task_records_in\{/);
    expect(tmMetrics).toMatch(/millrace_task_backpressure_ratio\{/);
    } finally {
      await mc.client.cancel(id);
    }
    const done = await mc.client.waitForTerminal(id, 15_000);
    expect(done.state).toBe('CANCELED');
    expect((await mc.client.overview())['slots-available']).toBe(2);
  });

  test('a failing user function fails the job with its error when no restart is allowed', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bid-counts-'));
    const status = await mc.run(JOB, { parallelism: 2, params: { events: '20000', out, failAt: '7' }, restartStrategy: 'none' });
    expect(status.state).toBe('FAILED');
    expect(status['failure-cause']).toMatch(/MR_TEST_FAILURE: injected failure/);
  });

  test('fixed-delay restarts the job the configured number of times before failing', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bid-counts-'));
    const status = await mc.run(JOB, { parallelism: 2, params: { events: '20000', out, failAt: '7' }, restartStrategy: 'fixed-delay:attempts=2,delayMs=200' });
    expect(status.state).toBe('FAILED');
    expect(status.restarts).toBe(2);
    expect(status.exceptions).toHaveLength(3);
  });
});
