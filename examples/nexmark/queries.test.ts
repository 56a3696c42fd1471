// Each Nexmark query runs on a mini-cluster of real processes (2 TaskManagers, parallelism 2)
// over a small deterministic input; its output must equal the independent reference result.

import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNexmarkGenerator, type NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { startMiniCluster, type MiniCluster } from '../../runtime/testing/mini-cluster.ts';
import { diffRows, q0, q1, q2, q3, q5, q7, q8 } from './reference/index.ts';

jest.setTimeout(180_000);

const EVENTS = 30_000;
const events: NexmarkEvent[] = (() => {
  const g = createNexmarkGenerator({ events: EVENTS });
  return Array.from({ length: EVENTS }, (_, i) => g.eventAt(i));
})();

const queries: Array<[string, () => object[]]> = [
  ['q0', () => q0(events)],
  ['q1', () => q1(events)],
  ['q2', () => q2(events)],
  ['q3', () => q3(events)],
  ['q5', () => q5(events)],
  ['q7', () => q7(events)],
  ['q8', () => q8(events)],
];

function readRows(dir: string): object[] {
  return readdirSync(dir).filter((f) => f.startsWith('part-')).flatMap((f) =>
    readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as object));
}

describe('Nexmark queries on a mini-cluster equal the reference results', () => {
  let mc: MiniCluster;
  beforeAll(async () => {
    mc = await startMiniCluster({ taskManagers: 2, slotsPerTaskManager: 1 });
  });
  afterAll(async () => {
    await mc?.stop();
  });

  test.each(queries)('%s', async (name, reference) => {
    const out = mkdtempSync(path.join(os.tmpdir(), `nexmark-${name}-`));
    const job = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
    const status = await mc.run(job, { parallelism: 2, params: { events: String(EVENTS), out } });
    expect(status['failure-cause']).toBeNull();
    expect(status.state).toBe('FINISHED');
    const expected = reference();
    expect(expected.length).toBeGreaterThan(0);
    const diff = diffRows(expected, readRows(out));
    expect(diff.missing.slice(0, 5)).toEqual([]);
    expect(diff.unexpected.slice(0, 5)).toEqual([]);
  });
});
