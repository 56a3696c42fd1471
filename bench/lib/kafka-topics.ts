// The topics of `npm run bench:kafka` on the broker (side effects): the pre-filled input topic
// (Nexmark bids as JSON, reused between runs of the benchmark while its content is the same), the
// verification topic, the output topics, and reading them back.

import { Admin, Producer } from '@platformatic/kafka';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createNexmarkGenerator } from '../../runtime/connectors/nexmark/index.ts';
import { readCommitted } from '../../test/connectors/kafka/kafka-admin.ts';
import { bidJson, referenceOutput } from './kafka-data.ts';

export interface InputTopic {
  readonly name: string;
  readonly records: number;
  readonly partitions: number;
  readonly seed: number;
  /** the topic is the first `block` bids, repeated (generating bids costs more than writing them) */
  readonly block: number;
  /** records per partition that pass the filter: a run whose output stays below the smallest never drained a partition */
  readonly matchesPerPartition: readonly number[];
  readonly bytes: number;
}

const CACHE_DIR = join(process.env.MILLRACE_CACHE_DIR ?? join(homedir(), '.cache', 'millrace'), 'bench', 'kafka');

function admin(bootstrap: string): Admin {
  return new Admin({ clientId: 'bench-kafka-admin', bootstrapBrokers: [bootstrap] });
}

async function withAdmin<T>(bootstrap: string, work: (a: Admin) => Promise<T>): Promise<T> {
  const a = admin(bootstrap);
  try {
    return await work(a);
  } finally {
    await a.close();
  }
}

export async function topicExists(bootstrap: string, topic: string): Promise<boolean> {
  return withAdmin(bootstrap, async (a) => (await a.listTopics()).includes(topic));
}

export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  await withAdmin(bootstrap, (a) => a.createTopics({ topics: [topic], partitions, replicas: 1 }));
}

export async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  await withAdmin(bootstrap, async (a) => {
    if ((await a.listTopics()).includes(topic)) await a.deleteTopics({ topics: [topic] });
  });
  rmSync(join(CACHE_DIR, `${topic}.json`), { force: true });
}

/**
 * Waits until the broker's data directory holds no partition directory of `topics` (a deleted
 * topic's directories are renamed `<topic>-<p>.<id>-delete` and removed `log.segment.delete.delay.ms`
 * later, test/services/kafka/plan.ts), so stopping the broker leaves no deleted topic on the disk.
 * Returns the directories still there at the deadline.
 */
export async function waitForTopicFilesGone(dataDir: string, topics: readonly string[], timeoutMs: number): Promise<string[]> {
  const left = () => (existsSync(dataDir) ? readdirSync(dataDir) : []).filter((d) => topics.some((t) => d.startsWith(`${t}-`) && /^\d+(\.[0-9a-f]+-delete)?$/.test(d.slice(t.length + 1))));
  const deadline = Date.now() + timeoutMs;
  let dirs = left();
  while (dirs.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    dirs = left();
  }
  return dirs;
}

/** End offset of every partition of `topic` (records written so far, as the topics start empty). */
export async function endOffsets(bootstrap: string, topic: string, partitions: number): Promise<number[]> {
  return withAdmin(bootstrap, async (a) => {
    const listed = await a.listOffsets({ topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, timestamp: -1n })) }] });
    const out = Array.from({ length: partitions }, () => 0);
    for (const p of listed[0]?.partitions ?? []) out[p.partitionIndex] = Number(p.offset);
    return out;
  });
}

/** The first `count` bids of the Nexmark generator with `seed`, as input records. */
export function* bidRecords(seed: number, count: number): Generator<string> {
  const generator = createNexmarkGenerator({ seed });
  let produced = 0;
  for (let index = 0; produced < count; index++) {
    const event = generator.eventAt(index);
    if (event.kind !== 'bid') continue;
    produced++;
    yield bidJson(event);
  }
}

/**
 * Writes the topic's records into a new topic, record k into partition k mod `partitions`, with
 * an idempotent producer (no duplicates on a retry), a few batches in flight.
 */
async function fill(bootstrap: string, t: Omit<InputTopic, 'matchesPerPartition' | 'bytes'>, log: (line: string) => void): Promise<InputTopic> {
  await createTopic(bootstrap, t.name, t.partitions);
  const producer = new Producer({ clientId: 'bench-kafka-fill', bootstrapBrokers: [bootstrap], idempotent: true });
  const matches = Array.from({ length: t.partitions }, () => 0);
  let bytes = 0;
  const started = performance.now();
  try {
    const inFlight = new Set<Promise<unknown>>();
    let batch: Array<{ topic: string; value: Buffer; partition: number }> = [];
    let lastLog = started;
    // record k of the topic is bid k mod block
    const block = [...bidRecords(t.seed, Math.min(t.block, t.records))].map((json) => ({ value: Buffer.from(json), match: referenceOutput(json) !== null }));
    for (let k = 0; k < t.records;) {
      const { value, match } = block[k % block.length]!;
      const partition = k % t.partitions;
      if (match) matches[partition]!++;
      bytes += value.length;
      batch.push({ topic: t.name, value, partition });
      k++;
      if (batch.length === 4000) {
        const send = producer.send({ messages: batch });
        inFlight.add(send);
        void send.finally(() => inFlight.delete(send)).catch(() => undefined);
        batch = [];
        if (inFlight.size >= 4) await Promise.race(inFlight);
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          log(`filling ${t.name}: ${k.toLocaleString('en-US')} of ${t.records.toLocaleString('en-US')} records`);
        }
      }
    }
    if (batch.length > 0) await producer.send({ messages: batch });
    await Promise.all(inFlight);
  } finally {
    await producer.close();
  }
  const written = await endOffsets(bootstrap, t.name, t.partitions);
  const total = written.reduce((a, b) => a + b, 0);
  if (total !== t.records) throw new Error(`MR_ERR_BENCH_KAFKA_FILL: ${t.name} holds ${total} records after the fill, ${t.records} were written`);
  log(`filled ${t.name}: ${t.records.toLocaleString('en-US')} records, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { ...t, matchesPerPartition: matches, bytes };
}

/**
 * The input topic with `records` bids: reused when a topic of that name holds exactly that many
 * records and its description (per-partition filter matches) was written when it was filled;
 * otherwise (re)made.
 */
export async function ensureInputTopic(bootstrap: string, t: Omit<InputTopic, 'matchesPerPartition' | 'bytes'>, log: (line: string) => void): Promise<InputTopic & { reused: boolean }> {
  const described = join(CACHE_DIR, `${t.name}.json`);
  if (await topicExists(bootstrap, t.name)) {
    const offsets = await endOffsets(bootstrap, t.name, t.partitions);
    if (existsSync(described) && offsets.reduce((a, b) => a + b, 0) === t.records) {
      log(`reusing ${t.name} (${t.records.toLocaleString('en-US')} records)`);
      return { ...(JSON.parse(readFileSync(described, 'utf8')) as InputTopic), reused: true };
    }
    log(`${t.name} holds ${offsets.join('+')} records, not the ${t.records} wanted: making it again`);
    await deleteTopic(bootstrap, t.name);
  }
  const filled = await fill(bootstrap, t, log);
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(described, `${JSON.stringify(filled, null, 2)}\n`);
  return { ...filled, reused: false };
}

/** Every record value of `topic`: waits until `count` are read, then until none came for 2 s (so extra records are seen too). */
export async function readValues(bootstrap: string, topic: string, count: number): Promise<string[]> {
  const records = await readCommitted(bootstrap, topic, { count, timeoutMs: 120_000, idleMs: 2000 });
  return records.map((r) => r.value);
}
