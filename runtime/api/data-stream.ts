// DataStream API: typed builder objects over the StreamGraph. Modifiers (name, uid,
// setParallelism, disableChaining) apply to the operator that produced the stream.

import type { PartitionerSpec } from '../graph/stream-graph.ts';
import type { Key } from '../keys/key-groups.ts';
import { FilterOperator, FlatMapOperator, MapOperator } from '../operators/simple-operators.ts';
import {
  CoProcessOperator, KeyedCoProcessOperator, KeyedProcessOperator, KeyedReduceOperator, ProcessOperator,
} from '../operators/process-operators.ts';
import { IntervalJoinOperator } from '../operators/interval-join-operator.ts';
import { SinkCommitterOperator } from '../operators/sink-committer-operator.ts';
import { SinkOperator } from '../operators/sink-operator.ts';
import { TimestampsAndWatermarksOperator } from '../operators/timestamps-operator.ts';
import { WindowOperator, type WindowFunctionSpec } from '../operators/window-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { OperatorOptions, StreamExecutionEnvironment } from './environment.ts';
import type {
  AggregateFunction, CoProcessFunction, FilterFunction, FlatMapFunction, KeySelector, KeyedCoProcessFunction,
  KeyedProcessFunction, MapFunction, ProcessFunction, ProcessJoinFunction, ProcessWindowFunction, ReduceFunction, Sink,
} from './functions.ts';
import type { OutputTag } from './output-tag.ts';
import type { WatermarkStrategy } from './watermarks.ts';
import type { TimeWindow, Trigger, WindowAssigner } from './windows.ts';
import { printSink } from './print-sink.ts';

export interface StreamRef {
  readonly nodeId: number;
  readonly partitioner?: PartitionerSpec;
  readonly sideOutputTag?: string;
}

export class DataStream<T> {
  protected readonly env: StreamExecutionEnvironment;
  readonly refs: readonly StreamRef[];
  declare readonly _type?: T;

  constructor(env: StreamExecutionEnvironment, refs: readonly StreamRef[]) {
    this.env = env;
    this.refs = refs;
  }

  private node() {
    if (this.refs.length !== 1) throw new Error('MR_ERR_MODIFIER_ON_UNION: name/uid/parallelism apply to one operator, not to a union');
    return this.env.graph.node(this.refs[0]!.nodeId);
  }
  name(name: string): this {
    this.node().name = name;
    return this;
  }
  uid(uid: string): this {
    this.node().uid = uid;
    return this;
  }
  setParallelism(p: number): this {
    this.node().parallelism = p;
    return this;
  }
  setMaxParallelism(p: number): this {
    this.node().maxParallelism = p;
    return this;
  }
  disableChaining(): this {
    this.node().chaining = false;
    return this;
  }
  getParallelism(): number {
    return this.env.graph.parallelismOf(this.node());
  }

  protected one<R>(name: string, create: () => StreamOperator, opts?: OperatorOptions, partitioner?: PartitionerSpec): DataStream<R> {
    const node = this.env.addOperator('operator', name, this.refs.map((ref) => ({ ref, inputIndex: 0, partitioner })), create, opts);
    return new DataStream<R>(this.env, [{ nodeId: node.id }]);
  }

  map<R>(fn: MapFunction<T, R>, opts?: OperatorOptions): DataStream<R> {
    return this.one('Map', () => new MapOperator(fn as MapFunction<unknown, unknown>), opts);
  }
  /** With a type guard, the result is narrowed: `filter((e): e is Bid => e.kind === 'bid')`. */
  filter<S extends T>(fn: (value: T) => value is S, opts?: OperatorOptions): DataStream<S>;
  filter(fn: FilterFunction<T>, opts?: OperatorOptions): DataStream<T>;
  filter(fn: FilterFunction<T>, opts?: OperatorOptions): DataStream<T> {
    return this.one('Filter', () => new FilterOperator(fn as FilterFunction<unknown>), opts);
  }
  flatMap<R>(fn: FlatMapFunction<T, R>, opts?: OperatorOptions): DataStream<R> {
    return this.one('FlatMap', () => new FlatMapOperator(fn as FlatMapFunction<unknown, unknown>), opts);
  }
  /** `factory` is called once per subtask, so functions may keep per-instance fields. */
  process<R>(factory: () => ProcessFunction<T, R>, opts?: OperatorOptions): DataStream<R> {
    return this.one('Process', () => new ProcessOperator(factory() as ProcessFunction<unknown, unknown>), opts);
  }
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>, opts?: OperatorOptions): DataStream<T> {
    return this.one('Timestamps/Watermarks', () => new TimestampsAndWatermarksOperator(strategy as WatermarkStrategy<unknown>), opts);
  }

  keyBy<K extends Key>(key: KeySelector<T>): KeyedStream<T, K> {
    const p: PartitionerSpec = { type: 'hash', key: key as KeySelector<unknown> };
    return new KeyedStream<T, K>(this.env, this.refs.map((r) => ({ ...r, partitioner: p })), key);
  }
  private repartition(type: PartitionerSpec['type']): DataStream<T> {
    return new DataStream<T>(this.env, this.refs.map((r) => ({ ...r, partitioner: { type } })));
  }
  rebalance(): DataStream<T> {
    return this.repartition('rebalance');
  }
  forward(): DataStream<T> {
    return this.repartition('forward');
  }
  broadcast(): DataStream<T> {
    return this.repartition('broadcast');
  }
  global(): DataStream<T> {
    return this.repartition('global');
  }

  union(...others: DataStream<T>[]): DataStream<T> {
    return new DataStream<T>(this.env, [...this.refs, ...others.flatMap((o) => o.refs)]);
  }

  connect<U>(other: DataStream<U>): ConnectedStreams<T, U> {
    return new ConnectedStreams<T, U>(this.env, this, other);
  }

  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    return new DataStream<X>(this.env, this.refs.map((r) => ({ nodeId: r.nodeId, sideOutputTag: tag.id })));
  }

  /** `factory` is called once per subtask. */
  sinkTo(sink: Sink<T>, opts?: OperatorOptions): DataStreamSink {
    const hasCommitter = sink.createCommitter !== undefined;
    const node = this.env.addOperator('sink', opts?.name ?? `Sink: ${sink.name}`, this.refs.map((ref) => ({ ref, inputIndex: 0 })),
      () => new SinkOperator(sink.createWriter() as never, hasCommitter), opts);
    if (!hasCommitter) return new DataStreamSink(this.env, node.id);
    // the global committer: one subtask after all writers, as Flink places its PartitionCommitter
    const committer = this.env.addOperator('sink', `${node.name}: Committer`, [{ ref: { nodeId: node.id }, inputIndex: 0, partitioner: { type: 'global' } }],
      () => new SinkCommitterOperator(sink.createCommitter!()), { parallelism: 1, uid: committerUid(node.uid) });
    return new DataStreamSink(this.env, node.id, committer.id);
  }

  print(prefix?: string): DataStreamSink {
    return this.sinkTo(printSink<T>(prefix));
  }
}

/** The committer's uid follows the writer's, so `.uid()` on the sink names both states. */
const committerUid = (writerUid: string): string => `${writerUid}-committer`;

export class DataStreamSink extends DataStream<never> {
  private readonly committerId: number | undefined;
  constructor(env: StreamExecutionEnvironment, nodeId: number, committerId?: number) {
    super(env, [{ nodeId }]);
    this.committerId = committerId;
  }
  override uid(uid: string): this {
    super.uid(uid);
    if (this.committerId !== undefined) this.env.graph.node(this.committerId).uid = committerUid(uid);
    return this;
  }
  override name(name: string): this {
    super.name(name);
    if (this.committerId !== undefined) this.env.graph.node(this.committerId).name = `${name}: Committer`;
    return this;
  }
}

export class KeyedStream<T, K extends Key> extends DataStream<T> {
  readonly keySelector: KeySelector<T>;
  constructor(env: StreamExecutionEnvironment, refs: readonly StreamRef[], key: KeySelector<T>) {
    super(env, refs);
    this.keySelector = key;
  }
  private get key(): KeySelector<unknown> {
    return this.keySelector as KeySelector<unknown>;
  }
  processKeyed<R>(factory: () => KeyedProcessFunction<K, T, R>, opts?: OperatorOptions): DataStream<R> {
    return this.one('KeyedProcess', () => new KeyedProcessOperator(factory() as never, this.key), opts);
  }
  reduce(fn: ReduceFunction<T>, opts?: OperatorOptions): DataStream<T> {
    return this.one('Reduce', () => new KeyedReduceOperator(fn as ReduceFunction<unknown>, this.key), opts);
  }
  window(assigner: WindowAssigner): WindowedStream<T, K> {
    return new WindowedStream<T, K>(this, assigner);
  }
  intervalJoin<U>(other: KeyedStream<U, K>): IntervalJoinBuilder<T, U, K> {
    return new IntervalJoinBuilder<T, U, K>(this.env, this, other);
  }
  /** Internal: used by WindowedStream and joins. */
  addKeyed<R>(name: string, create: () => StreamOperator, opts?: OperatorOptions): DataStream<R> {
    return this.one(name, create, opts);
  }
}

export class WindowedStream<T, K extends Key> {
  private readonly input: KeyedStream<T, K>;
  private readonly assigner: WindowAssigner;
  private lateness = 0;
  private lateTag: OutputTag<T> | undefined;
  private customTrigger: Trigger | undefined;

  constructor(input: KeyedStream<T, K>, assigner: WindowAssigner) {
    this.input = input;
    this.assigner = assigner;
  }
  allowedLateness(ms: number): this {
    this.lateness = ms;
    return this;
  }
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag;
    return this;
  }
  trigger(t: Trigger): this {
    this.customTrigger = t;
    return this;
  }
  private build<R>(name: string, fn: WindowFunctionSpec, opts?: OperatorOptions): DataStream<R> {
    const cfg = {
      assigner: this.assigner, trigger: this.customTrigger, keySelector: this.input.keySelector as KeySelector<unknown>, fn,
      allowedLatenessMs: this.lateness, lateDataTag: this.lateTag as OutputTag<unknown> | undefined,
    };
    return this.input.addKeyed<R>(name, () => new WindowOperator(cfg), opts);
  }
  reduce(fn: ReduceFunction<T>, opts?: OperatorOptions): DataStream<T> {
    return this.build('Window(reduce)', { reduce: fn as ReduceFunction<unknown> }, opts);
  }
  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>, opts?: OperatorOptions): DataStream<R> {
    return this.build('Window(aggregate)', { aggregate: fn as AggregateFunction<unknown, unknown, unknown> }, opts);
  }
  /** All elements of a window at once; `factory` is called once per subtask. */
  process<R>(factory: () => ProcessWindowFunction<T, R, K, TimeWindow>, opts?: OperatorOptions): DataStream<R> {
    return this.build('Window(process)', { process: lazyProcess(factory) }, opts);
  }
  /** Incremental aggregation, then a process function sees the single result with window metadata. */
  aggregateWithProcess<ACC, V, R>(agg: AggregateFunction<T, ACC, V>, factory: () => ProcessWindowFunction<V, R, K, TimeWindow>, opts?: OperatorOptions): DataStream<R> {
    return this.build('Window(aggregate)', { aggregate: agg as AggregateFunction<unknown, unknown, unknown>, process: lazyProcess(factory) }, opts);
  }
}

/** Creates the process function per operator instance (the spec object is shared by the factory). */
function lazyProcess<T, R, K extends Key>(factory: () => ProcessWindowFunction<T, R, K, TimeWindow>): ProcessWindowFunction<unknown, unknown, Key, TimeWindow> {
  let inst: ProcessWindowFunction<T, R, K, TimeWindow> | undefined;
  const get = () => (inst ??= factory());
  return {
    open: (ctx) => get().open?.(ctx),
    close: () => get().close?.(),
    process: (key, ctx, elements, out) => get().process(key as K, ctx, elements as Iterable<T>, out as never),
  } as ProcessWindowFunction<unknown, unknown, Key, TimeWindow>;
}

export class ConnectedStreams<A, B> {
  protected readonly env: StreamExecutionEnvironment;
  readonly first: DataStream<A>;
  readonly second: DataStream<B>;
  constructor(env: StreamExecutionEnvironment, first: DataStream<A>, second: DataStream<B>) {
    this.env = env;
    this.first = first;
    this.second = second;
  }
  protected two<R>(name: string, create: () => StreamOperator, opts?: OperatorOptions): DataStream<R> {
    const inputs = [
      ...this.first.refs.map((ref) => ({ ref, inputIndex: 0 })),
      ...this.second.refs.map((ref) => ({ ref, inputIndex: 1 })),
    ];
    const node = this.env.addOperator('operator', name, inputs, create, opts);
    return new DataStream<R>(this.env, [{ nodeId: node.id }]);
  }
  process<R>(factory: () => CoProcessFunction<A, B, R>, opts?: OperatorOptions): DataStream<R> {
    return this.two('CoProcess', () => new CoProcessOperator(factory() as never), opts);
  }
  keyBy<K extends Key>(key1: KeySelector<A>, key2: KeySelector<B>): KeyedConnectedStreams<A, B, K> {
    return new KeyedConnectedStreams<A, B, K>(this.env, this.first.keyBy<K>(key1), this.second.keyBy<K>(key2));
  }
}

export class KeyedConnectedStreams<A, B, K extends Key> extends ConnectedStreams<A, B> {
  private readonly k1: KeySelector<A>;
  private readonly k2: KeySelector<B>;
  constructor(env: StreamExecutionEnvironment, first: KeyedStream<A, K>, second: KeyedStream<B, K>) {
    super(env, first, second);
    this.k1 = first.keySelector;
    this.k2 = second.keySelector;
  }
  processKeyed<R>(factory: () => KeyedCoProcessFunction<K, A, B, R>, opts?: OperatorOptions): DataStream<R> {
    return this.two('KeyedCoProcess', () => new KeyedCoProcessOperator(factory() as never, this.k1 as KeySelector<unknown>, this.k2 as KeySelector<unknown>), opts);
  }
  /** Internal: interval join. */
  addTwo<R>(name: string, create: () => StreamOperator, opts?: OperatorOptions): DataStream<R> {
    return this.two(name, create, opts);
  }
}

export class IntervalJoinBuilder<A, B, K extends Key> {
  private readonly env: StreamExecutionEnvironment;
  private readonly left: KeyedStream<A, K>;
  private readonly right: KeyedStream<B, K>;
  private lower = 0;
  private upper = 0;
  constructor(env: StreamExecutionEnvironment, left: KeyedStream<A, K>, right: KeyedStream<B, K>) {
    this.env = env;
    this.left = left;
    this.right = right;
  }
  /** right.timestamp in [left.timestamp + lowerMs, left.timestamp + upperMs] */
  between(lowerMs: number, upperMs: number): this {
    this.lower = lowerMs;
    this.upper = upperMs;
    return this;
  }
  process<R>(factory: () => ProcessJoinFunction<A, B, R>, opts?: OperatorOptions): DataStream<R> {
    const { lower, upper } = this;
    const k1 = this.left.keySelector as KeySelector<unknown>;
    const k2 = this.right.keySelector as KeySelector<unknown>;
    const cs = new KeyedConnectedStreams<A, B, K>(this.env, this.left, this.right);
    return cs.addTwo('IntervalJoin', () => new IntervalJoinOperator(lower, upper, factory() as never, k1, k2), opts);
  }
}
