// `npm run bench:nexmark-firing`: what window ends cost the stateful operator of q5 and q8, on one
// subtask's share of the input (parallelism 2) at a given event rate. Figures are CPU time of this
// thread, so other load on a shared machine disturbs them little. Input is generated ahead per
// 20 ms of event time and fed as the job sends it, then a watermark, as the source emits one
// every 20 ms. The costliest watermarks are the window ends: no input is taken while they fire,
// so that is what a record arriving meanwhile waits for (the p99 latency). Prints figures only.
//
//   npm run bench:nexmark-firing -- [--queries q5,q8] [--rate 900000] [--seconds 24]

import { parseArgs } from 'node:util';
import { buildStreamGraph, type JobDefinition } from '../runtime/api/environment.ts';
import { createNexmarkGenerator, type NexmarkEvent } from '../runtime/connectors/nexmark/index.ts';
import { keyGroupFor, keyGroupRangeFor } from '../runtime/keys/key-groups.ts';
import { OperatorHarness } from '../runtime/testing/operator-harness.ts';

const { values: options } = parseArgs({
  options: {
    queries: { type: 'string', default: 'q5,q8' },
    rate: { type: 'string', default: '900000' },
    seconds: { type: 'string', default: '24' },
  },
});

const PARALLELISM = 2;
const MAX_PARALLELISM = 128;
const WATERMARK_EVERY_MS = 20;
const WINDOW_PARAMS = { windowSizeMs: '10000', slideMs: '2000' };

/** How the job hands one event to the measured operator: input index and value, or none. */
interface QuerySpec {
  readonly uid: string;
  route(e: NexmarkEvent): { input: 0 | 1; key: number; value: unknown } | undefined;
}

const QUERIES: Record<string, QuerySpec> = {
  // the job sends the auction id of every bid, keyed by itself
  q5: { uid: 'q5-count', route: (e) => (e.kind === 'bid' ? { input: 0, key: e.auction, value: e.auction } : undefined) },
  // persons keyed by id on input 0, auctions keyed by seller on input 1
  q8: {
    uid: 'q8-join',
    route: (e) => (e.kind === 'person' ? { input: 0, key: e.id, value: e } : e.kind === 'auction' ? { input: 1, key: e.seller, value: e } : undefined),
  },
};

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`MR_ERR_BENCH_OPTION: --${name} must be a positive number, got "${text}"`);
  return n;
}

const threadCpuMs = (): number => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(query: string, rate: number, seconds: number): Promise<void> {
  const spec = QUERIES[query];
  if (!spec) throw new Error(`MR_ERR_BENCH_OPTION: --queries has unknown query "${query}"; use q5 and/or q8`);
  const job = (await import(`../examples/nexmark/${query}.ts`)).default as JobDefinition;
  const node = buildStreamGraph(job, PARALLELISM, WINDOW_PARAMS).nodes.find((n) => n.uid === spec.uid);
  if (!node) throw new Error(`MR_ERR_BENCH_QUERY: ${query} has no operator with uid ${spec.uid}`);
  const harness = await new OperatorHarness(node.createOperator(), { parallelism: PARALLELISM, subtaskIndex: 0, maxParallelism: MAX_PARALLELISM }).open();
  let results = 0;
  harness.operator.output = { collect: () => { results++; }, collectSide() {}, emitWatermark() {} };
  const range = keyGroupRangeFor(MAX_PARALLELISM, PARALLELISM, 0);
  const generator = createNexmarkGenerator({ seed: 42, eventsPerSecond: rate, events: null });
  const base = generator.timestampAt(0);

  let index = 0;
  let records = 0;
  let recordMs = 0;
  const watermarkMs: number[] = [];
  for (let t = WATERMARK_EVERY_MS; t <= seconds * 1000; t += WATERMARK_EVERY_MS) {
    const until = base + t;
    const batch: Array<[0 | 1, unknown, number]> = [];
    while (generator.timestampAt(index) < until) {
      const ts = generator.timestampAt(index);
      const r = spec.route(generator.eventAt(index++));
      const kg = r === undefined ? -1 : keyGroupFor(r.key, MAX_PARALLELISM);
      if (r !== undefined && kg >= range.start && kg <= range.end) batch.push([r.input, r.value, ts]);
    }
    const t0 = threadCpuMs();
    for (const [input, value, ts] of batch) {
      if (input === 0) harness.operator.processElement(value, ts);
      else harness.operator.processElement2(value, ts);
    }
    const t1 = threadCpuMs();
    harness.operator.processWatermark(until - 1, 0);
    if (harness.operator.numInputs === 2) harness.operator.processWatermark(until - 1, 1);
    const t2 = threadCpuMs();
    records += batch.length;
    recordMs += t1 - t0;
    // the first 10 s fill the windows; measure from then on
    if (t > 10_000) watermarkMs.push(t2 - t1);
  }
  const sorted = [...watermarkMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const fmt = (ms: number) => ms.toFixed(1);
  process.stdout.write(`${query} at ${rate.toLocaleString('en-US')} events/s, subtask 1 of ${PARALLELISM}: `
    + `${records.toLocaleString('en-US')} records at ${((recordMs * 1000) / records).toFixed(3)} µs CPU each; `
    + `watermark every ${WATERMARK_EVERY_MS} ms: median ${fmt(at(0.5))} ms, p99 ${fmt(at(0.99))} ms, max ${fmt(at(1))} ms CPU; ${results.toLocaleString('en-US')} results\n`);
}

const rate = positive('rate', options.rate);
const seconds = positive('seconds', options.seconds);
for (const query of options.queries.split(',').map((q) => q.trim())) await measure(query, rate, seconds);
