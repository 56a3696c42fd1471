// Kafka source for the DataStream API: one reader per subtask reads the partitions it owns
// (assignment.ts: Flink's rule at the current parallelism; positions are union state, so a
// rescale spreads them over all subtasks) with plain fetch requests (no consumer group membership, so no rebalance ever
// moves a partition between checkpoints), keeps their offsets in checkpoints and commits them to
// the group when a checkpoint completes (for monitoring; the checkpoint is the truth).
//
// The reader API is synchronous and batch-wise (runtime/api/source.ts): a background loop
// fetches into a bounded buffer, pollNext emits from it, and an offset advances only when its
// record is emitted, so a checkpoint never counts a record that was fetched but not emitted.
//
// Watermarks per partition, as Flink's Kafka source: with a watermark strategy, the reader names
// each partition it reads and the partition of the records it emits (SourceReaderContext's
// splitWatermarks), so the source's watermark is the minimum over its partitions and a partition
// without records for the idle timeout stops holding it back.

import { Admin, Consumer, FetchIsolationLevels, ListOffsetTimestamps, type ClusterMetadata } from '@platformatic/kafka';
import type { Source, SourceOutput, SourceReader, SourceReaderContext, PollStatus, SplitWatermarkOutput } from '../../api/source.ts';
import { ownerOf, restoreFrom, splitKey, type KafkaSourceState, type Split } from './assignment.ts';
import { authenticationFailure, clientBase, type KafkaConnectionOptions } from './connection.ts';
import { AbortedTransactionFilter } from './read-committed.ts';
import { valueDecoder, type FormatOptions, type KafkaSourceRecord } from './record.ts';
import type { ConnectorMetricGroup } from '../../metrics/connector-metric-group.ts';
import { kafkaRecordsLag } from '../metrics/lag.ts';

/** Where partitions start when no checkpoint says otherwise (Flink's `scan.startup.mode`). */
export type StartingOffsets =
  | 'earliest'
  | 'latest'
  /** the group's committed offsets; `groupOffsetsReset` where the group has none */
  | 'group-offsets'
  /** the first record at or after this time (ms since the epoch) */
  | { readonly timestamp: number }
  /** `topic:partition` → offset; partitions not listed start at the earliest offset */
  | { readonly specific: Readonly<Record<string, number>> };

export interface KafkaSourceOptions<T> extends KafkaConnectionOptions, FormatOptions {
  /** topics to read (either this or `topicPattern`) */
  readonly topics?: readonly string[];
  /** every topic whose whole name matches, including topics created while the job runs */
  readonly topicPattern?: RegExp | string;
  /** group the offsets are committed to on checkpoint completion and read from for 'group-offsets' */
  readonly groupId?: string;
  readonly startingOffsets?: StartingOffsets;
  readonly groupOffsetsReset?: 'earliest' | 'latest';
  /** bounded mode: stop at the offsets of the start ('latest') or at these (`topic:partition` → offset, exclusive) */
  readonly stoppingOffsets?: 'latest' | { readonly specific: Readonly<Record<string, number>> };
  /** how often new partitions and matching topics are looked for (ms; 0: never; default 10 s) */
  readonly partitionDiscoveryIntervalMs?: number;
  /** default 'read_committed': records of aborted or open transactions are never read */
  readonly isolationLevel?: 'read_committed' | 'read_uncommitted';
  /** default true when `groupId` is set */
  readonly commitOffsetsOnCheckpoint?: boolean;
  /** turns a record into the stream's value (default: the value by `format`); undefined skips the record */
  readonly deserializer?: (record: KafkaSourceRecord) => T | undefined;
  /**
   * A partition without records for this long stops holding the watermark back until its next
   * record (instead of the watermark strategy's withIdleness; SQL: `scan.watermark.idle-timeout`).
   */
  readonly watermarkIdleTimeoutMs?: number;
  /** records fetched ahead of emission per subtask (default 20,000) */
  readonly maxBufferedRecords?: number;
  /** the name shown in the job graph */
  readonly name?: string;
}

interface PartitionState extends Split {
  /** next offset to fetch (ahead of `offset`, the next to emit) */
  fetchOffset: number;
  readonly filter: AbortedTransactionFilter;
  /** end of the partition as of the last fetch (read_committed: last stable offset), for the lag metric */
  logEnd?: number;
}

interface Chunk {
  readonly split: PartitionState;
  readonly records: KafkaSourceRecord[];
  i: number;
  /** where the split stands once every record of the chunk is emitted (skips markers and aborted records) */
  readonly nextOffset: number;
}

const OFFSET_OUT_OF_RANGE = 1;
const NO_HEADERS: KafkaSourceRecord['headers'] = Object.freeze([]);

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;

export function kafkaSource<T>(options: KafkaSourceOptions<T>): Source<T> {
  const where = `Kafka source ${options.name ?? ''}`.trim();
  validate(options, where);
  return {
    name: options.name ?? `kafka:${options.topics ? options.topics.join(',') : String(options.topicPattern)}`,
    bounded: options.stoppingOffsets !== undefined,
    createReader: () => new KafkaSourceReader<T>(options, where),
  };
}

function validate(o: KafkaSourceOptions<unknown>, where: string): void {
  if ((o.topics === undefined) === (o.topicPattern === undefined)) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: give exactly one of topics and topicPattern`);
  if (o.topics && o.topics.length === 0) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: topics is empty; name at least one topic`);
  if (o.startingOffsets === 'group-offsets' && !o.groupId) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: startingOffsets 'group-offsets' needs groupId`);
  if (o.stoppingOffsets !== undefined && o.topicPattern !== undefined) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: a bounded source (stoppingOffsets) reads fixed topics; give topics instead of topicPattern`);
  for (const map of [typeof o.startingOffsets === 'object' && 'specific' in o.startingOffsets ? o.startingOffsets.specific : {}, typeof o.stoppingOffsets === 'object' ? o.stoppingOffsets.specific : {}]) {
    for (const [k, v] of Object.entries(map)) {
      if (!/^.+:\d+$/.test(k) || !Number.isSafeInteger(v) || v < 0) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: specific offset '${k}' = ${v}: keys are 'topic:partition', values offsets >= 0`);
    }
  }
}

function parseSpecific(map: Readonly<Record<string, number>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(map)) {
    const i = k.lastIndexOf(':');
    out.set(splitKey(k.slice(0, i), Number(k.slice(i + 1))), v);
  }
  return out;
}

class KafkaSourceReader<T> implements SourceReader<T> {
  private readonly o: KafkaSourceOptions<T>;
  private readonly where: string;
  private readonly decode: (record: KafkaSourceRecord) => T | undefined;
  private readonly maxBuffered: number;
  private readonly discoveryMs: number;
  private readonly isolation: number;
  private readonly pattern: RegExp | undefined;
  private ctx!: SourceReaderContext;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private chain: readonly number[] | null = null;
  private readonly owned = new Map<string, PartitionState>();
  private restored: ReturnType<typeof restoreFrom> | undefined;
  private started = false;
  private initialized = false;
  private closed = false;
  private failure: Error | undefined;
  private readonly chunks: Chunk[] = [];
  private buffered = 0;
  private wakeReader: (() => void) | undefined;
  private wakeFetcher: (() => void) | undefined;
  private readonly snapshots = new Map<number, Array<{ topic: string; partition: number; offset: number }>>();
  private loop: Promise<void> | undefined;
  private metrics: ConnectorMetricGroup | undefined;
  /** per-partition watermarks (absent without a watermark strategy) */
  private splitWatermarks: SplitWatermarkOutput | undefined;

  constructor(o: KafkaSourceOptions<T>, where: string) {
    this.o = o;
    this.where = where;
    this.decode = o.deserializer ?? valueDecoder<T>(o, where);
    this.maxBuffered = o.maxBufferedRecords ?? 20_000;
    this.discoveryMs = o.partitionDiscoveryIntervalMs ?? 10_000;
    this.isolation = o.isolationLevel === 'read_uncommitted' ? FetchIsolationLevels.READ_UNCOMMITTED : FetchIsolationLevels.READ_COMMITTED;
    this.pattern = o.topicPattern === undefined ? undefined : typeof o.topicPattern === 'string' ? new RegExp(`^(?:${o.topicPattern})$`) : o.topicPattern;
  }

  open(ctx: SourceReaderContext): void {
    this.ctx = ctx;
    const base = clientBase(this.o, this.where, `source-${ctx.subtaskIndex}`);
    // groupId is required by the client's constructor; this reader never joins the group
    this.consumer = new Consumer({ ...base, groupId: this.o.groupId ?? 'millrace-kafka-source', isolationLevel: this.isolation, maxWaitTime: 500, maxBytes: 8 << 20, retries: 0 });
    if (this.pattern || this.o.groupId) this.admin = new Admin({ ...base, retries: 3 });
    this.splitWatermarks = ctx.splitWatermarks;
    if (this.o.watermarkIdleTimeoutMs !== undefined) this.splitWatermarks?.setIdleTimeout(this.o.watermarkIdleTimeoutMs);
    this.metrics = ctx.connectorMetrics?.('kafka');
    this.metrics?.setGauges({
      partitionLag: () => [...this.owned.values()].filter((s) => s.logEnd !== undefined).map((s) => ({ topic: s.topic, partition: s.partition, lag: kafkaRecordsLag(s.logEnd!, s.offset) })),
    });
  }

  restoreState(state: unknown): void {
    this.restoreStates([state]);
  }

  restoreStates(states: unknown[]): void {
    this.restored = restoreFrom(states, this.ctx.parallelism, this.ctx.subtaskIndex);
  }

  pollNext(out: SourceOutput<T>, maxRecords: number): PollStatus {
    if (this.failure) throw this.failure;
    if (!this.started) this.start();
    let n = 0;
    let bytes = 0;
    while (n < maxRecords && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const split = chunk.split;
      this.splitWatermarks?.setCurrentSplit(splitKey(split.topic, split.partition));
      while (n < maxRecords && chunk.i < chunk.records.length) {
        const r = chunk.records[chunk.i++]!;
        bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
        const value = this.decode(r);
        if (value !== undefined) out.collect(value, r.timestamp);
        split.offset = r.offset + 1;
        n++;
      }
      if (chunk.i === chunk.records.length) {
        this.chunks.shift();
        this.buffered -= chunk.records.length;
        if (this.owned.get(splitKey(split.topic, split.partition)) === split) split.offset = chunk.nextOffset;
        // a bounded partition read to its end no longer holds the watermark back
        if (split.stop !== undefined && split.offset >= split.stop) this.splitWatermarks?.removeSplit(splitKey(split.topic, split.partition));
      }
    }
    this.metrics?.read(n, bytes);
    if (this.buffered < this.maxBuffered / 2) this.wake('fetcher');
    if (this.chunks.length > 0) return 'more';
    if (this.initialized && this.o.stoppingOffsets !== undefined && [...this.owned.values()].every((s) => s.offset >= s.stop!)) return 'end';
    return n > 0 ? 'more' : 'wait';
  }

  available(): Promise<void> {
    if (this.chunks.length > 0 || this.failure || this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.wakeReader = resolve));
  }

  snapshotState(checkpointId?: number): KafkaSourceState {
    // before the first poll: the restored position, unchanged
    const splits: Split[] = this.initialized ? [...this.owned.values()].map(({ topic, partition, offset, stop }) => ({ topic, partition, offset, ...(stop !== undefined ? { stop } : {}) })) : (this.restored?.splits ?? []);
    const started = this.initialized || (this.restored?.started ?? false);
    if (checkpointId !== undefined && this.admin && this.o.groupId && this.o.commitOffsetsOnCheckpoint !== false) {
      this.snapshots.set(checkpointId, splits.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
    }
    return { v: 2, restoreAsUnion: true, subtask: this.ctx.subtaskIndex, parallelism: this.ctx.parallelism, splits, ...(started ? { started } : {}) };
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const offsets = this.snapshots.get(checkpointId);
    for (const id of this.snapshots.keys()) if (id <= checkpointId) this.snapshots.delete(id);
    if (!offsets || offsets.length === 0 || !this.admin) return;
    const byTopic = new Map<string, Array<{ partition: number; offset: bigint }>>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: BigInt(o.offset) });
    }
    // monitoring only: a failed commit is retried by the next checkpoint
    this.admin.alterConsumerGroupOffsets({ groupId: this.o.groupId!, topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })) }).catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake('fetcher');
    this.wake('reader');
    await Promise.allSettled([this.consumer?.close(true), this.admin?.close()]);
    await this.loop?.catch(() => {});
  }

  private wake(who: 'reader' | 'fetcher'): void {
    const f = who === 'reader' ? this.wakeReader : this.wakeFetcher;
    if (who === 'reader') this.wakeReader = undefined;
    else this.wakeFetcher = undefined;
    f?.();
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.failure = authenticationFailure(error) ?? (error instanceof Error ? error : new Error(String(error)));
    this.wake('reader');
  }

  private start(): void {
    this.started = true;
    this.loop = this.run().catch((e: unknown) => this.fail(e));
  }

  private async run(): Promise<void> {
    // start offsets by the start mode unless the checkpoint was taken after they were resolved
    const fresh = this.restored === undefined || !this.restored.started;
    this.chain = this.restored === undefined ? [this.ctx.parallelism] : this.restored.chain;
    for (const s of this.restored?.splits ?? []) this.claim({ ...s, fetchOffset: s.offset, filter: new AbortedTransactionFilter() });
    await this.discover(fresh ? 'initial' : 'later', true);
    this.initialized = true;
    this.wake('reader');
    let lastDiscovery = this.ctx.now();
    let backoff = 0;
    while (!this.closed) {
      if (this.buffered >= this.maxBuffered) {
        await new Promise<void>((resolve) => (this.wakeFetcher = resolve));
        continue;
      }
      if (this.discoveryMs > 0 && this.o.stoppingOffsets === undefined && this.ctx.now() - lastDiscovery >= this.discoveryMs) {
        lastDiscovery = this.ctx.now();
        await this.discover('later', false).catch(() => {}); // retried at the next interval
      }
      const active = [...this.owned.values()].filter((s) => s.stop === undefined || s.fetchOffset < s.stop);
      if (active.length === 0) {
        if (this.o.stoppingOffsets !== undefined) {
          this.wake('reader');
          return;
        }
        await this.pause(Math.min(this.discoveryMs || 1000, 1000));
        this.wake('reader'); // a subtask without partitions can go idle
        continue;
      }
      try {
        await this.fetchOnce(active);
        backoff = 0;
        // also after an empty fetch (at most maxWaitTime): the task then sees partitions go idle
        this.wake('reader');
      } catch (error) {
        if (this.closed) return;
        if (authenticationFailure(error)) throw error; // a refused login does not heal by retrying
        // broker restarts, leader moves: refresh metadata and try again, slowing down up to 5 s
        this.consumer!.clearMetadata();
        backoff = Math.min(5000, backoff ? backoff * 2 : 100);
        await this.pause(backoff);
        void error;
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakeFetcher = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Partitions of the topics, claims the ones this subtask owns that it does not read yet. */
  private async discover(mode: 'initial' | 'later', failOnMissing: boolean): Promise<void> {
    if (!this.chain) return; // owns nothing (assignment.ts)
    const topics = this.pattern ? (await this.admin!.listTopics({ includeInternals: false })).filter((t) => this.pattern!.test(t)) : [...this.o.topics!];
    if (topics.length === 0) return;
    const metadata = await this.consumer!.metadata({ topics, forceUpdate: true });
    const claims: Array<{ topic: string; partition: number }> = [];
    for (const topic of topics) {
      const t = metadata.topics.get(topic);
      if (!t) {
        if (failOnMissing && !this.pattern) throw new Error(`MR_ERR_KAFKA_TOPIC: ${this.where}: topic '${topic}' does not exist on ${String(this.o.bootstrapServers)}; create it first (the broker does not create topics for readers)`);
        continue;
      }
      for (let p = 0; p < t.partitionsCount; p++) {
        if (!this.owned.has(splitKey(topic, p)) && ownerOf(topic, p, this.chain) === this.ctx.subtaskIndex) claims.push({ topic, partition: p });
      }
    }
    if (claims.length === 0) return;
    const starts = await this.startOffsets(claims, mode);
    const stops = this.o.stoppingOffsets === undefined ? undefined : await this.stopOffsets(claims);
    for (const c of claims) {
      const k = splitKey(c.topic, c.partition);
      const offset = starts.get(k)!;
      const stop = stops?.get(k);
      this.claim({ topic: c.topic, partition: c.partition, offset, fetchOffset: offset, ...(stop !== undefined ? { stop } : {}), filter: new AbortedTransactionFilter() });
    }
  }

  /** This subtask reads the partition from now on; it holds the watermark back until its first record (or idleness). */
  private claim(s: PartitionState): void {
    const k = splitKey(s.topic, s.partition);
    this.owned.set(k, s);
    if (s.stop === undefined || s.offset < s.stop) this.splitWatermarks?.addSplit(k);
  }

  private async startOffsets(claims: ReadonlyArray<{ topic: string; partition: number }>, mode: 'initial' | 'later'): Promise<Map<string, number>> {
    // partitions found later (new ones, or after a restore) start at the beginning, as in Flink
    const s = mode === 'initial' ? (this.o.startingOffsets ?? 'earliest') : 'earliest';
    const out = new Map<string, number>();
    if (s === 'earliest' || s === 'latest') return this.listOffsets(claims, s === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST);
    if (s === 'group-offsets') {
      const committed = await this.admin!.listConsumerGroupOffsets({ groups: [{ groupId: this.o.groupId!, topics: topicsOf(claims).map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }] });
      for (const t of committed[0]?.topics ?? []) for (const p of t.partitions) if (p.committedOffset >= 0n) out.set(splitKey(t.name, p.partitionIndex), Number(p.committedOffset));
      const rest = claims.filter((c) => !out.has(splitKey(c.topic, c.partition)));
      if (rest.length > 0) for (const [k, v] of await this.listOffsets(rest, this.o.groupOffsetsReset === 'latest' ? ListOffsetTimestamps.LATEST : ListOffsetTimestamps.EARLIEST)) out.set(k, v);
      return out;
    }
    if ('timestamp' in s) {
      const found = await this.listOffsets(claims, BigInt(s.timestamp));
      // no record at or after the time: the end of the partition
      const none = claims.filter((c) => (found.get(splitKey(c.topic, c.partition)) ?? -1) < 0);
      const latest = none.length > 0 ? await this.listOffsets(none, ListOffsetTimestamps.LATEST) : new Map<string, number>();
      for (const c of claims) {
        const k = splitKey(c.topic, c.partition);
        out.set(k, (found.get(k) ?? -1) >= 0 ? found.get(k)! : latest.get(k)!);
      }
      return out;
    }
    const specific = parseSpecific(s.specific);
    const rest = claims.filter((c) => !specific.has(splitKey(c.topic, c.partition)));
    const earliest = rest.length > 0 ? await this.listOffsets(rest, ListOffsetTimestamps.EARLIEST) : new Map<string, number>();
    for (const c of claims) {
      const k = splitKey(c.topic, c.partition);
      out.set(k, specific.get(k) ?? earliest.get(k)!);
    }
    return out;
  }

  private async stopOffsets(claims: ReadonlyArray<{ topic: string; partition: number }>): Promise<Map<string, number>> {
    const stop = this.o.stoppingOffsets!;
    const specific = stop === 'latest' ? new Map<string, number>() : parseSpecific(stop.specific);
    const rest = claims.filter((c) => !specific.has(splitKey(c.topic, c.partition)));
    // read_committed: the last stable offset, so an open transaction is not waited for
    const latest = rest.length > 0 ? await this.listOffsets(rest, ListOffsetTimestamps.LATEST) : new Map<string, number>();
    return new Map(claims.map((c) => [splitKey(c.topic, c.partition), specific.get(splitKey(c.topic, c.partition)) ?? latest.get(splitKey(c.topic, c.partition))!]));
  }

  private async listOffsets(claims: ReadonlyArray<{ topic: string; partition: number }>, timestamp: bigint): Promise<Map<string, number>> {
    const topics = topicsOf(claims);
    const result = await this.consumer!.listOffsets({ topics: topics.map(([t]) => t), partitions: Object.fromEntries(topics), timestamp, isolationLevel: this.isolation });
    const out = new Map<string, number>();
    for (const c of claims) out.set(splitKey(c.topic, c.partition), Number(result.get(c.topic)?.[c.partition] ?? -1n));
    return out;
  }

  private async fetchOnce(active: PartitionState[]): Promise<void> {
    const consumer = this.consumer!;
    const metadata: ClusterMetadata = await consumer.metadata({ topics: [...new Set(active.map((s) => s.topic))] });
    const byNode = new Map<number, Map<string, { topic: string; splits: PartitionState[] }>>();
    for (const s of active) {
      const t = metadata.topics.get(s.topic);
      const leader = t?.partitions[s.partition]?.leader;
      if (t === undefined || leader === undefined || leader < 0) throw new Error(`no leader for ${s.topic}-${s.partition}`);
      let topics = byNode.get(leader);
      if (!topics) byNode.set(leader, (topics = new Map()));
      let entry = topics.get(t.id);
      if (!entry) topics.set(t.id, (entry = { topic: s.topic, splits: [] }));
      entry.splits.push(s);
    }
    await Promise.all([...byNode].map(async ([node, topics]) => {
      const request = [...topics].map(([topicId, { splits }]) => ({
        topicId,
        partitions: splits.map((s) => ({ partition: s.partition, fetchOffset: BigInt(s.fetchOffset), partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 })),
      }));
      let response: FetchResponse;
      try {
        response = await consumer.fetch({ node, topics: request, isolationLevel: this.isolation, maxWaitTime: 500, minBytes: 1, maxBytes: 8 << 20 });
      } catch (error) {
        const partial = (error as { response?: FetchResponse }).response;
        if (!partial || !(await this.resetOutOfRange(partial, topics))) throw error;
        return;
      }
      this.take(response, topics);
    }));
  }

  /** Partitions whose offset is gone (retention) restart at the earliest offset left. */
  private async resetOutOfRange(response: FetchResponse, topics: Map<string, { topic: string; splits: PartitionState[] }>): Promise<boolean> {
    const lost: PartitionState[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const s = topics.get(t.topicId)?.splits.find((x) => x.partition === p.partitionIndex);
        if (s && p.errorCode === OFFSET_OUT_OF_RANGE) lost.push(s);
      }
    }
    if (lost.length === 0) return false;
    const earliest = await this.listOffsets(lost, ListOffsetTimestamps.EARLIEST);
    for (const s of lost) {
      s.fetchOffset = earliest.get(splitKey(s.topic, s.partition))!;
      s.filter.reset();
      this.push({ split: s, records: [], i: 0, nextOffset: s.fetchOffset });
    }
    return true;
  }

  private take(response: FetchResponse, topics: Map<string, { topic: string; splits: PartitionState[] }>): void {
    for (const t of response.responses) {
      const entry = topics.get(t.topicId);
      if (!entry) continue;
      for (const p of t.partitions) {
        const s = entry.splits.find((x) => x.partition === p.partitionIndex);
        if (s && p.errorCode === 0) s.logEnd = Number(this.isolation === FetchIsolationLevels.READ_COMMITTED ? p.lastStableOffset : p.highWatermark);
        if (!s || p.errorCode !== 0 || !p.records || p.records.length === 0) continue;
        if (this.owned.get(splitKey(s.topic, s.partition)) !== s) continue;
        s.filter.addAborted(p.abortedTransactions);
        const records: KafkaSourceRecord[] = [];
        const from = BigInt(s.fetchOffset);
        let next = s.fetchOffset;
        for (const batch of p.records) {
          const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
          if (last < from) continue;
          next = Number(last) + 1;
          if (s.filter.skip(batch)) continue;
          // offsets and timestamps fit a double exactly (< 2^53): per record plain additions, no BigInt
          const firstOffset = Number(batch.firstOffset);
          const firstTimestamp = Number(batch.firstTimestamp);
          for (const r of batch.records) {
            const o = firstOffset + r.offsetDelta;
            if (o < s.fetchOffset) continue;
            if (s.stop !== undefined && o >= s.stop) break;
            records.push({
              topic: s.topic, partition: s.partition, offset: o, timestamp: firstTimestamp + Number(r.timestampDelta),
              key: r.key, value: r.value, headers: r.headers.length === 0 ? NO_HEADERS : r.headers.map(([k, v]: [Buffer | null, Buffer | null]) => [k === null ? '' : k.toString('utf8'), v] as const),
            });
          }
        }
        if (next === s.fetchOffset) continue;
        s.fetchOffset = s.stop !== undefined ? Math.min(next, s.stop) : next;
        this.push({ split: s, records, i: 0, nextOffset: s.fetchOffset });
      }
    }
  }

  private push(chunk: Chunk): void {
    this.chunks.push(chunk);
    this.buffered += chunk.records.length;
    this.wake('reader');
  }
}

function topicsOf(claims: ReadonlyArray<{ topic: string; partition: number }>): Array<[string, number[]]> {
  const m = new Map<string, number[]>();
  for (const c of claims) {
    let l = m.get(c.topic);
    if (!l) m.set(c.topic, (l = []));
    l.push(c.partition);
  }
  return [...m];
}
