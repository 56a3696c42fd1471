import { defineJob } from '../api/environment.ts';
import { collectSink } from '../connectors/collect-sink.ts';
import { createNexmarkGenerator } from '../connectors/nexmark/index.ts';
import type { Bid } from '../connectors/nexmark/index.ts';
import { executeLocally } from '../local/local-executor.ts';
import { buildPipeline } from './compile.ts';
import type { Row } from './functions.ts';
import { parsePipeline } from './parse.ts';

const EVENTS = 20_000;
const bids = (() => {
  const g = createNexmarkGenerator({ events: EVENTS });
  return Array.from({ length: EVENTS }, (_, i) => g.eventAt(i)).filter((e): e is Bid => e.kind === 'bid');
})();

async function run(yaml: string, parallelism = 2): Promise<Row[]> {
  const out: Row[] = [];
  const pipeline = parsePipeline(yaml);
  await executeLocally(defineJob({ name: 'pipeline-test', build: (env) => buildPipeline(env, pipeline, { sink: collectSink(out) }) }), { parallelism }).done;
  return out;
}
const byKey = (rows: Row[]) => [...rows].sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

describe('pipelines compiled to jobs (in-process execution)', () => {
  test('filter + select keep exactly the matching records with the selected fields', async () => {
    const out = await run(`
source: { type: nexmark, events: ${EVENTS} }
steps:
  - type: filter
    where: [{ field: kind, op: "==", value: bid }, { field: price, op: ">=", value: 5000 }]
  - type: select
    fields: [auction, price]
sink: { type: blackhole }`);
    const expected = bids.filter((b) => b.price >= 5000).map((b) => ({ auction: b.auction, price: b.price }));
    expect(out.length).toBeGreaterThan(0);
    expect(byKey(out)).toEqual(byKey(expected));
  });

  test('keyBy + tumbling window with count, sum, min, max, avg equals a direct computation', async () => {
    const out = await run(`
source: { type: nexmark, events: ${EVENTS} }
steps:
  - type: filter
    where: [{ field: kind, op: "==", value: bid }]
  - type: window
    keyBy: auction
    size: 2s
    aggregates:
      - { fn: count, as: bids }
      - { fn: sum, field: price, as: total }
      - { fn: min, field: price, as: low }
      - { fn: max, field: price, as: high }
      - { fn: avg, field: price, as: mean }
sink: { type: print }`, 3);
    const groups = new Map<string, Bid[]>();
    for (const b of bids) {
      const start = b.dateTime - (b.dateTime % 2000);
      const k = `${b.auction}|${start}`;
      groups.set(k, [...(groups.get(k) ?? []), b]);
    }
    const expected = [...groups].map(([k, g]) => {
      const [auction, start] = k.split('|').map(Number) as [number, number];
      const prices = g.map((b) => b.price);
      const total = prices.reduce((a, b) => a + b, 0);
      return { auction, windowStart: start, windowEnd: start + 2000, bids: g.length, total, low: Math.min(...prices), high: Math.max(...prices), mean: total / g.length };
    });
    expect(out.length).toBe(expected.length);
    expect(byKey(out)).toEqual(byKey(expected));
  });

  test('a sliding window without keyBy counts every record once per window it falls in', async () => {
    const out = await run(`
source: { type: nexmark, events: ${EVENTS} }
steps:
  - type: window
    kind: sliding
    size: 4s
    slide: 1s
    aggregates: [{ fn: count, as: n }]
sink: { type: blackhole }`);
    const g = createNexmarkGenerator({ events: EVENTS });
    const counts = new Map<number, number>();
    for (let i = 0; i < EVENTS; i++) {
      const t = g.eventAt(i).dateTime;
      for (let start = t - (t % 1000); start > t - 4000; start -= 1000) counts.set(start, (counts.get(start) ?? 0) + 1);
    }
    const expected = [...counts].map(([start, n]) => ({ windowStart: start, windowEnd: start + 4000, n }));
    expect(byKey(out)).toEqual(byKey(expected));
  });
});
