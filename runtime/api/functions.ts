// User-function contracts of the job API (in the spirit of Flink's DataStream functions).
// Contexts handed to user code are reused between calls: read them during the call only.

import type { Key } from '../keys/key-groups.ts';
import type { OutputTag } from './output-tag.ts';
import type {
  AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor, MapState, MapStateDescriptor,
  ReducingState, ReducingStateDescriptor, ValueState, ValueStateDescriptor,
} from './state.ts';
import type { TimeWindow } from './windows.ts';
import type { ConnectorMetricGroup } from '../metrics/connector-metric-group.ts';

export interface Collector<T> {
  collect(value: T): void;
}

export type MapFunction<T, R> = (value: T) => R;
export type FilterFunction<T> = (value: T) => boolean;
export type FlatMapFunction<T, R> = (value: T, out: Collector<R>) => void;
export type ReduceFunction<T> = (a: T, b: T) => T;
export type KeySelector<T> = (value: T) => Key;

export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, acc: ACC): ACC;
  getResult(acc: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

/** What a function sees of the task it runs in; keyed state is available on keyed streams only. */
export interface RuntimeContext {
  readonly taskName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  getState<T>(d: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(d: ListStateDescriptor<T>): ListState<T>;
  getMapState<K extends Key, V>(d: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

export interface RichFunction {
  open?(ctx: RuntimeContext): void;
  close?(): void;
}

export interface ProcessContext {
  /** Event timestamp of the current element, or undefined when it has none. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface KeyedProcessContext<K> extends ProcessContext {
  getCurrentKey(): K;
}

export interface OnTimerContext<K> extends KeyedProcessContext<K> {
  timeDomain(): 'event-time' | 'processing-time';
}

export abstract class ProcessFunction<IN, OUT> implements RichFunction {
  open?(ctx: RuntimeContext): void;
  close?(): void;
  abstract processElement(value: IN, ctx: ProcessContext, out: Collector<OUT>): void;
}

export abstract class KeyedProcessFunction<K extends Key, IN, OUT> implements RichFunction {
  open?(ctx: RuntimeContext): void;
  close?(): void;
  abstract processElement(value: IN, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<OUT>): void;
}

export abstract class CoProcessFunction<IN1, IN2, OUT> implements RichFunction {
  open?(ctx: RuntimeContext): void;
  close?(): void;
  abstract processElement1(value: IN1, ctx: ProcessContext, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: ProcessContext, out: Collector<OUT>): void;
}

export abstract class KeyedCoProcessFunction<K extends Key, IN1, IN2, OUT> implements RichFunction {
  open?(ctx: RuntimeContext): void;
  close?(): void;
  abstract processElement1(value: IN1, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<OUT>): void;
}

export interface ProcessJoinContext {
  leftTimestamp(): number;
  rightTimestamp(): number;
  /** max of both timestamps: the timestamp of the joined record */
  timestamp(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export abstract class ProcessJoinFunction<L, R, OUT> implements RichFunction {
  open?(ctx: RuntimeContext): void;
  close?(): void;
  abstract processElement(left: L, right: R, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}

export interface WindowContext<W> {
  window(): W;
  currentWatermark(): number;
  currentProcessingTime(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export abstract class ProcessWindowFunction<IN, OUT, K extends Key, W = TimeWindow> implements RichFunction {
  open?(ctx: RuntimeContext): void;
  close?(): void;
  abstract process(key: K, ctx: WindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
}

/** Sinks run at the end of a pipeline; one instance per subtask. */
export interface SinkWriter<T> {
  open?(ctx: SinkContext): void | Promise<void>;
  write(value: T, timestamp: number | undefined): void;
  /** End of bounded input: flush everything and make the output visible. */
  finish?(): void | Promise<void>;
  close?(): void | Promise<void>;
  /** Two-phase commit, phase 1: at a checkpoint barrier, make what was written so far pending; returns JSON-able state. */
  snapshotState?(checkpointId: number): unknown;
  /**
   * Phase 1, asynchronous part (optional): resolves when what snapshotState made pending is durable
   * (a Kafka transaction's records acknowledged by the broker); the checkpoint is acknowledged only then.
   */
  flushPending?(checkpointId: number): Promise<void>;
  /** Phase 2: the checkpoint completed, commit what is pending up to it. */
  notifyCheckpointComplete?(checkpointId: number): void;
  /** The sink's input watermark advanced. */
  onWatermark?(watermark: number): void;
  /** After open, on restore: the states of the old subtasks assigned to this one (commit theirs, abort the rest). */
  initializeState?(states: unknown[]): void;
}

export interface SinkContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly attempt: number;
  readonly jobId: string;
  /** wall-clock start of the job attempt (epoch ms) */
  readonly startTime: number;
  /** the attempt restores from a checkpoint or savepoint (a failover without one replays from the start) */
  readonly restoring: boolean;
  /** Adds one end-to-end latency sample (ms) to the task's latency histogram (p99 in metrics). */
  recordLatency(ms: number): void;
  /** A metric group for this writer, labelled with the connector's name (runtime/connectors/metrics). */
  connectorMetrics?(connector: string): ConnectorMetricGroup;
  /**
   * Sinks with a committer: sends a message to the sink's one committer subtask. Messages of one
   * writer arrive in the order sent, after every record and checkpoint barrier emitted before.
   */
  sendToCommitter?(message: unknown): void;
}

/**
 * A sink's global committer (Flink's PartitionCommitter after a streaming file writer): one
 * subtask after all writer subtasks, fed by their `sendToCommitter` messages, checkpointed like an
 * operator. The filesystem sink commits a partition here only once every writer reported it.
 */
export interface SinkCommitter<M> {
  open?(ctx: SinkCommitterContext): void | Promise<void>;
  /** After open, on restore: the committer's state of the restored checkpoint. */
  initializeState?(states: unknown[]): void;
  receive(message: M): void;
  /** The checkpoint barrier reached the committer; `watermark` is its input watermark then. */
  snapshotState?(checkpointId: number, watermark: number): unknown;
  /** Resolves when the side effects of the messages received before the barrier are durable. */
  flushPending?(checkpointId: number): Promise<void>;
  finish?(): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface SinkCommitterContext {
  readonly jobId: string;
  readonly attempt: number;
  readonly restoring: boolean;
  /** processing time (the task's clock) */
  now(): number;
}

export interface Sink<T> {
  readonly name: string;
  createWriter(): SinkWriter<T>;
  /** Present when the sink needs one committer after its writers (added to the graph with parallelism 1). */
  createCommitter?(): SinkCommitter<unknown>;
}
