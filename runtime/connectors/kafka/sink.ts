// Kafka sink for the DataStream API.
//   none          records are sent as they come, nothing waited for at checkpoints
//   at-least-once one idempotent producer; a checkpoint is acknowledged only when everything
//                 written before its barrier is acknowledged by the brokers
//   exactly-once  a Kafka transaction per checkpoint interval per subtask: flushed before the
//                 checkpoint is acknowledged (pre-commit), committed when it completes; ids and
//                 recovery in transactional-ids.ts, coordinator requests in coordinator.ts
// The writer interface is synchronous, so sends run on one promise chain per subtask, in order;
// a failed send fails the task at its next write or checkpoint.

import { Producer } from '@platformatic/kafka';
import type { Sink, SinkContext, SinkWriter } from '../../api/functions.ts';
import { authenticationFailure, bootstrapList, checkLogin, clientBase, type KafkaConnectionOptions } from './connection.ts';
import { TransactionCoordinator } from './coordinator.ts';
import { createPartitioner, type Partitioner, type PartitionerFunction } from './partitioners.ts';
import { valueEncoder, type FormatOptions } from './record.ts';
import { checkPrefix, recoveryPlan, transactionalId, type KafkaSinkState, type PendingTransaction } from './transactional-ids.ts';
import type { ConnectorMetricGroup } from '../../metrics/connector-metric-group.ts';

const MAX_IN_FLIGHT = 4;

export type DeliveryGuarantee = 'none' | 'at-least-once' | 'exactly-once';

export interface KafkaSinkOptions<T> extends KafkaConnectionOptions, FormatOptions {
  /** the topic, or one per record */
  readonly topic: string | ((value: T) => string);
  /** default 'at-least-once' */
  readonly deliveryGuarantee?: DeliveryGuarantee;
  /** exactly-once: required; unique per Deployment and sink, stable across its restarts */
  readonly transactionalIdPrefix?: string;
  /** exactly-once: how long the broker keeps a transaction open (default 10 min; at most the broker's transaction.max.timeout.ms, 15 min by default) */
  readonly transactionTimeoutMs?: number;
  /** the record key (null/undefined: none) */
  readonly key?: (value: T) => string | Buffer | null | undefined;
  readonly headers?: (value: T) => Readonly<Record<string, string | Buffer>>;
  /** default 'default': by key hash (as Kafka's Java client), round-robin without a key */
  readonly partitioner?: Partitioner<T>;
  /** the value's bytes (default: by `format`) */
  readonly serializer?: (value: T) => Buffer | null;
  /** records per produce request (default 1,000) */
  readonly batchSize?: number;
  /** none / at-least-once: longest wait before a partial batch is sent (ms, default 20) */
  readonly lingerMs?: number;
  readonly name?: string;
}

interface Outgoing<T> {
  topic: string;
  value: Buffer | null;
  key: Buffer | null;
  headers: Map<Buffer, Buffer> | undefined;
  source: T;
}

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

/** The id is fixed when the transaction is opened; its producer is made on the chain, after recovery. */
interface OpenTransaction {
  readonly id: string;
  producer?: Producer;
  tx?: Transaction;
}

export function kafkaSink<T>(options: KafkaSinkOptions<T>): Sink<T> {
  const where = `Kafka sink ${options.name ?? ''}`.trim();
  bootstrapList(options, where);
  const guarantee = options.deliveryGuarantee ?? 'at-least-once';
  if (!['none', 'at-least-once', 'exactly-once'].includes(guarantee)) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: deliveryGuarantee '${guarantee}' is not one of none, at-least-once, exactly-once`);
  if (guarantee === 'exactly-once') checkPrefix(options.transactionalIdPrefix, where);
  valueEncoder(options, where); // validates format options now, not in a task
  createPartitioner(options.partitioner ?? 'default', 0);
  return {
    name: options.name ?? `kafka:${typeof options.topic === 'string' ? options.topic : 'topics'}`,
    createWriter: () => new KafkaSinkWriter<T>(options, where, guarantee),
  };
}

class KafkaSinkWriter<T> implements SinkWriter<T> {
  private readonly o: KafkaSinkOptions<T>;
  private readonly where: string;
  private readonly guarantee: DeliveryGuarantee;
  private readonly encode: (value: T) => Buffer | null;
  private readonly batchSize: number;
  private readonly txTimeoutMs: number;
  private ctx!: SinkContext;
  private partition!: PartitionerFunction<T>;
  private base!: ReturnType<typeof clientBase>;
  /** every Kafka operation of this subtask, in order */
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private batch: Outgoing<T>[] = [];
  private linger: NodeJS.Timeout | undefined;
  private restoredStates: unknown[] = [];
  private initialized = false;
  // at-least-once / none
  private producer: Producer | undefined;
  // exactly-once
  private coordinator: TransactionCoordinator | undefined;
  private nextSeq = 1;
  private current: OpenTransaction | undefined;
  /** pre-committed, waiting for their checkpoint to complete */
  private pending: Array<PendingTransaction & { open?: OpenTransaction }> = [];
  private readonly partitionCounts = new Map<string, { n: number; at: number }>();
  private readonly inFlight = new Set<Promise<void>>();
  private metrics: ConnectorMetricGroup | undefined;
  /** pre-committed transactions whose commit is under way (no longer in `pending`) */
  private committing = 0;

  constructor(o: KafkaSinkOptions<T>, where: string, guarantee: DeliveryGuarantee) {
    this.o = o;
    this.where = where;
    this.guarantee = guarantee;
    this.encode = o.serializer ?? valueEncoder<T>(o, where);
    this.batchSize = o.batchSize ?? 1000;
    this.txTimeoutMs = o.transactionTimeoutMs ?? 600_000;
  }

  open(ctx: SinkContext): void {
    this.ctx = ctx;
    this.partition = createPartitioner(this.o.partitioner ?? 'default', ctx.subtaskIndex);
    this.base = clientBase(this.o, this.where, `sink-${ctx.subtaskIndex}`);
    this.metrics = ctx.connectorMetrics?.('kafka');
    if (this.guarantee === 'exactly-once') this.metrics?.setGauges({ pendingTransactions: () => this.pending.length + this.committing });
  }

  initializeState(states: unknown[]): void {
    this.restoredStates = states;
  }

  write(value: T): void {
    if (this.failure) throw this.failure;
    if (!this.initialized) this.initialize();
    const topic = typeof this.o.topic === 'string' ? this.o.topic : this.o.topic(value);
    const key = this.o.key?.(value);
    const headers = this.o.headers?.(value);
    this.batch.push({
      topic, value: this.encode(value), source: value,
      key: key === null || key === undefined ? null : Buffer.isBuffer(key) ? key : Buffer.from(key),
      headers: headers ? new Map(Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.isBuffer(v) ? v : Buffer.from(v)])) : undefined,
    });
    if (this.batch.length >= this.batchSize) this.sendBatch();
    else if (this.guarantee !== 'exactly-once' && !this.linger) {
      this.linger = setTimeout(() => {
        this.linger = undefined;
        this.sendBatch();
      }, this.o.lingerMs ?? 20);
    }
  }

  snapshotState(checkpointId: number): KafkaSinkState | undefined {
    if (this.failure) throw this.failure;
    if (!this.initialized) this.initialize();
    this.sendBatch();
    if (this.guarantee !== 'exactly-once') return undefined;
    const open = this.current;
    if (open) {
      this.pending.push({ transactionalId: open.id, checkpointId, open });
      this.current = undefined; // the next write opens the next transaction
    }
    return { v: 1, subtask: this.ctx.subtaskIndex, nextSeq: this.nextSeq, pending: this.pending.map(({ transactionalId, checkpointId }) => ({ transactionalId, checkpointId })) };
  }

  flushPending(): Promise<void> {
    if (this.guarantee === 'none') return Promise.resolve();
    return this.chain.then(() => this.drain());
  }

  notifyCheckpointComplete(checkpointId: number): void {
    if (this.guarantee !== 'exactly-once') return;
    const done = this.pending.filter((p) => p.checkpointId <= checkpointId);
    if (done.length === 0) return;
    this.pending = this.pending.filter((p) => p.checkpointId > checkpointId);
    this.committing += done.length;
    this.enqueue(async () => {
      await this.drain();
      for (const p of done) {
        await this.commit(p);
        this.committing--;
      }
    });
  }

  async finish(): Promise<void> {
    if (!this.initialized) this.initialize();
    this.sendBatch();
    if (this.guarantee === 'exactly-once') {
      // end of bounded input: what is left becomes visible now
      const rest = [...this.pending, ...(this.current ? [{ transactionalId: this.current.id, checkpointId: Number.MAX_SAFE_INTEGER, open: this.current }] : [])];
      this.pending = [];
      this.current = undefined;
      this.enqueue(async () => {
        await this.drain();
        for (const p of rest) await this.commit(p);
      });
    }
    await this.chain;
    await this.drain();
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.linger) clearTimeout(this.linger);
    // An open transaction is left to the next attempt, which fences it (aborting it); pre-committed
    // ones may belong to a checkpoint that completed, so they must not be aborted here.
    const producers = [this.producer, this.current?.producer, ...this.pending.map((p) => p.open?.producer)].filter((p) => p !== undefined);
    await Promise.allSettled(producers.map((p) => p.close(true)));
    await this.coordinator?.close();
  }

  private enqueue(op: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await op();
      } catch (error) {
        this.failure = this.sinkError(error);
      }
    });
  }

  /** A refused login fails as itself (MR_ERR_KAFKA_AUTH, naming the option to fix); anything else as a sink error. */
  private sinkError(error: unknown): Error {
    return authenticationFailure(error) ?? new Error(`MR_ERR_KAFKA_SINK: ${this.where} subtask ${this.ctx.subtaskIndex}: ${describeError(error)}`, { cause: error });
  }

  /** First use: recovery of a previous attempt (exactly-once) or the producer (otherwise). */
  private initialize(): void {
    this.initialized = true;
    // with SASL, the login is tried once first: a wrong password fails now, not after the client's retries
    if (this.o.connection?.sasl) this.enqueue(() => checkLogin(this.base));
    if (this.guarantee !== 'exactly-once') {
      this.producer = new Producer({ ...this.base, idempotent: true, acks: -1, retries: 10 });
      return;
    }
    this.coordinator = new TransactionCoordinator(this.base.clientId, this.base.bootstrapBrokers, this.o.connection ?? {});
    const plan = recoveryPlan(this.restoredStates, this.ctx.subtaskIndex);
    this.restoredStates = [];
    // new transactions reuse the fenced ids from here on (fencing is done first, on the same chain)
    this.nextSeq = plan.probe.find((p) => p.subtask === this.ctx.subtaskIndex)!.fromSeq;
    this.enqueue(async () => {
      for (const p of plan.commit) await this.commit(p);
      for (const { subtask, fromSeq } of plan.probe) {
        let seq = fromSeq;
        // fencing aborts whatever the id left open; the first id never used ends the search
        while ((await this.coordinator!.fence(transactionalId(this.o.transactionalIdPrefix!, subtask, seq), this.txTimeoutMs)) > 0) seq++;
      }
    });
  }

  private beginTransaction(): OpenTransaction {
    const open: OpenTransaction = { id: transactionalId(this.o.transactionalIdPrefix!, this.ctx.subtaskIndex, this.nextSeq++) };
    this.enqueue(async () => {
      // InitProducerId fences older producers of the id; the transaction timeout is the producer's `timeout`
      // producerId/epoch -1: a plain InitProducerId (the client's default 0/0 is refused once the id exists)
      open.producer = new Producer({ ...this.base, transactionalId: open.id, idempotent: true, acks: -1, timeout: this.txTimeoutMs, retries: 10, producerId: -1n, producerEpoch: -1 });
      open.tx = await open.producer.beginTransaction();
    });
    return open;
  }

  private sendBatch(): void {
    if (this.linger) {
      clearTimeout(this.linger);
      this.linger = undefined;
    }
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    if (this.guarantee === 'exactly-once') this.current ??= this.beginTransaction();
    const open = this.current;
    this.enqueue(async () => {
      const client = open?.producer ?? this.producer!;
      const counts = new Map<string, number>();
      for (const r of records) if (!counts.has(r.topic)) counts.set(r.topic, await this.partitionsOf(r.topic, client));
      // one object per record, built field by field (no spread temporaries)
      const messages = new Array<{ topic: string; partition: number; value: Buffer; key?: Buffer; headers?: Map<Buffer, Buffer> }>(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        const m: (typeof messages)[number] = { topic: r.topic, partition: this.partition(r.source, r.key, counts.get(r.topic)!), value: r.value as Buffer };
        if (r.key) m.key = r.key;
        if (r.headers) m.headers = r.headers;
        messages[i] = m;
      }
      // up to MAX_IN_FLIGHT requests at once (the idempotent producer keeps their order per partition)
      const sent = open ? open.tx!.send({ messages }) : this.producer!.send({ messages });
      const tracked = sent.then(() => this.metrics?.written(records.length, sizeOf(records)), (error: unknown) => {
        this.failure ??= this.sinkError(error);
      });
      this.inFlight.add(tracked);
      void tracked.finally(() => this.inFlight.delete(tracked));
      if (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    });
  }

  /** On the chain: every send so far acknowledged (before a commit or a checkpoint acknowledgement). */
  private async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private async partitionsOf(topic: string, client: Producer): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known && Date.now() - known.at < 30_000) return known.n;
    const metadata = await client.metadata({ topics: [topic], forceUpdate: true });
    const t = metadata.topics.get(topic);
    if (!t) throw new Error(`topic '${topic}' does not exist on ${String(this.o.bootstrapServers)}; create it first`);
    this.partitionCounts.set(topic, { n: t.partitionsCount, at: Date.now() });
    return t.partitionsCount;
  }

  private async commit(p: PendingTransaction & { open?: OpenTransaction }): Promise<void> {
    if (p.open) {
      await p.open.tx!.commit();
      await p.open.producer!.close();
      return;
    }
    // restored from a checkpoint: resume the transaction by its id (Flink's resumeTransaction)
    const d = await this.coordinator!.describe(p.transactionalId);
    if (d.state === 'Ongoing') await this.coordinator!.commit(p.transactionalId, d.producerId, d.producerEpoch);
    else if (d.state !== 'CompleteCommit' && d.state !== 'PrepareCommit') {
      // aborted by its timeout (or fenced) before anyone committed it: its records are gone
      throw new Error(`transaction ${p.transactionalId} of checkpoint ${p.checkpointId} is ${d.state}, not committable; records of that checkpoint are lost. Raise transactionTimeoutMs above the longest outage`);
    }
  }
}

/** Bytes of keys, values and headers, as sent (Flink's numBytesOut counts the serialized records). */
function sizeOf(records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null; headers?: Map<Buffer, Buffer> | undefined }>): number {
  let n = 0;
  for (const r of records) {
    n += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (r.headers) for (const [k, v] of r.headers) n += k.length + v.length;
  }
  return n;
}

/** The client wraps causes in AggregateErrors whose own message says little ("Producing messages failed"). */
export function describeError(error: unknown): string {
  const auth = authenticationFailure(error); // a refused login says which mechanism and user (security.ts)
  if (auth) return auth.message;
  const messages = new Set<string>();
  const walk = (e: unknown, depth: number) => {
    if (!(e instanceof Error) || depth > 4) return;
    const nested = (e as AggregateError).errors;
    if (Array.isArray(nested) && nested.length > 0) for (const n of nested) walk(n, depth + 1);
    else messages.add(e.message.split('\n')[0]!.slice(0, 300));
  };
  walk(error, 0);
  return [...messages].join('; ') || String(error);
}
