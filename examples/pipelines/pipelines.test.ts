// The example pipeline runs as an ordinary job on a mini-cluster of real processes (JobManager
// and two TaskManagers), loaded from its YAML file through runtime/pipeline/pipeline-job.ts;
// its output equals a direct computation over the same generated events.
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { createNexmarkGenerator } from '../../runtime/connectors/nexmark/index.ts';
import type { Bid } from '../../runtime/connectors/nexmark/index.ts';
import { startMiniCluster } from '../../runtime/testing/mini-cluster.ts';
import type { MiniCluster } from '../../runtime/testing/mini-cluster.ts';

jest.setTimeout(180_000);

const JOB = path.join(import.meta.dirname, '../../runtime/pipeline/pipeline-job.ts');
const EXAMPLE = path.join(import.meta.dirname, 'hot-auctions.yaml');

function readRows(dir: string): Array<Record<string, number>> {
  return readdirSync(dir).filter((f) => !f.startsWith('.') && !f.endsWith('.inprogress')).flatMap((f) =>
    readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, number>));
}

describe('YAML pipelines on a mini-cluster', () => {
  let mc: MiniCluster;
  beforeAll(async () => { mc = await startMiniCluster({ taskManagers: 2, slotsPerTaskManager: 1 }); });
  afterAll(async () => { await mc?.stop(); });

  test('examples/pipelines/hot-auctions.yaml gives the per-auction window results of a direct computation', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-pipeline-'));
    const spec = parse(readFileSync(EXAMPLE, 'utf8')) as { source: { events: number }; sink: { path: string } };
    spec.source.events = 20_000;
    spec.sink.path = path.join(dir, 'out');
    const file = path.join(dir, 'pipeline.yaml');
    writeFileSync(file, stringify(spec));

    const status = await mc.run(JOB, { parallelism: 2, params: { pipeline: file } });
    expect(status.state).toBe('FINISHED');

    const g = createNexmarkGenerator({ events: 20_000 });
    const windows = new Map<string, number[]>();
    for (let i = 0; i < 20_000; i++) {
      const e = g.eventAt(i);
      if (e.kind !== 'bid') continue;
      const b = e as Bid;
      const key = `${b.auction}|${b.dateTime - (b.dateTime % 10_000)}`;
      windows.set(key, [...(windows.get(key) ?? []), b.price]);
    }
    const expected = [...windows].map(([k, prices]) => {
      const [auction, start] = k.split('|').map(Number) as [number, number];
      return { auction, windowStart: start, windowEnd: start + 10_000, bids: prices.length, topPrice: Math.max(...prices), avgPrice: prices.reduce((a, b) => a + b, 0) / prices.length };
    }).filter((r) => r.topPrice > 5000);
    const sort = (rows: object[]) => rows.map((r) => JSON.stringify(r)).sort();
    const rows = readRows(spec.sink.path);
    expect(rows.length).toBeGreaterThan(0);
    expect(sort(rows)).toEqual(sort(expected));
  });

  test('the JobManager refuses an invalid pipeline at submission with a message naming the field', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-pipeline-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'source: { type: nexmark, events: 10 }\nsteps: [{ type: window, size: 1s, aggregates: [{ fn: avg, as: a }] }]\nsink: { type: print }\n');
    await expect(mc.submit(JOB, { parallelism: 1, params: { pipeline: file } }))
      .rejects.toThrow(/HTTP 400.*MR_ERR_PIPELINE_INVALID: .*steps\[0\]\.aggregates\[0\]\.field/);
  });
});
