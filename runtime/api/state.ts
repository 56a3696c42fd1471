// Keyed state: descriptors name a state (the name is its identity in snapshots) and say how it
// behaves; the state objects read and write the value of the current key.

import type { Key } from '../keys/key-groups.ts';
import type { AggregateFunction, ReduceFunction } from './functions.ts';

export interface StateTtlConfig {
  /** Time to live in milliseconds of processing time. */
  readonly ttlMs: number;
  /** When the timer restarts: on create and write (default), or also on read. */
  readonly updateType?: 'onCreateAndWrite' | 'onReadAndWrite';
  /** Whether an expired value that is not yet cleaned up may still be returned (default never). */
  readonly visibility?: 'neverReturnExpired' | 'returnExpiredIfNotCleanedUp';
}

interface BaseDescriptor {
  readonly name: string;
  readonly ttl?: StateTtlConfig;
}

export interface ValueStateDescriptor<T> extends BaseDescriptor {
  readonly kind: 'value';
  readonly defaultValue?: T;
}
export interface ListStateDescriptor<T> extends BaseDescriptor {
  readonly kind: 'list';
  readonly _t?: T;
}
export interface MapStateDescriptor<K extends Key, V> extends BaseDescriptor {
  readonly kind: 'map';
  readonly _k?: K;
  readonly _v?: V;
}
export interface ReducingStateDescriptor<T> extends BaseDescriptor {
  readonly kind: 'reducing';
  readonly reduce: ReduceFunction<T>;
}
export interface AggregatingStateDescriptor<IN, ACC, OUT> extends BaseDescriptor {
  readonly kind: 'aggregating';
  readonly aggregate: AggregateFunction<IN, ACC, OUT>;
}

export type StateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<Key, unknown>
  | ReducingStateDescriptor<unknown>
  | AggregatingStateDescriptor<unknown, unknown, unknown>;

export const valueState = <T>(name: string, opts: { defaultValue?: T; ttl?: StateTtlConfig } = {}): ValueStateDescriptor<T> =>
  ({ kind: 'value', name, ...opts });
export const listState = <T>(name: string, opts: { ttl?: StateTtlConfig } = {}): ListStateDescriptor<T> =>
  ({ kind: 'list', name, ...opts });
export const mapState = <K extends Key, V>(name: string, opts: { ttl?: StateTtlConfig } = {}): MapStateDescriptor<K, V> =>
  ({ kind: 'map', name, ...opts });
export const reducingState = <T>(name: string, reduce: ReduceFunction<T>, opts: { ttl?: StateTtlConfig } = {}): ReducingStateDescriptor<T> =>
  ({ kind: 'reducing', name, reduce, ...opts });
export const aggregatingState = <IN, ACC, OUT>(
  name: string, aggregate: AggregateFunction<IN, ACC, OUT>, opts: { ttl?: StateTtlConfig } = {},
): AggregatingStateDescriptor<IN, ACC, OUT> => ({ kind: 'aggregating', name, aggregate, ...opts });

export interface ValueState<T> {
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}
export interface ListState<T> {
  get(): T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}
export interface MapState<K extends Key, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): Array<[K, V]>;
  keys(): K[];
  values(): V[];
  isEmpty(): boolean;
  clear(): void;
}
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}
export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}
