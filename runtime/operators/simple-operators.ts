// Stateless one-input operators: chained calls, no allocation per record beyond user code.

import type { Collector, FilterFunction, FlatMapFunction, MapFunction } from '../api/functions.ts';
import { StreamOperator } from './stream-operator.ts';

export class MapOperator extends StreamOperator {
  private readonly fn: MapFunction<unknown, unknown>;
  constructor(fn: MapFunction<unknown, unknown>) {
    super(false);
    this.fn = fn;
  }
  processElement(value: unknown, ts: number): void {
    this.output.collect(this.fn(value), ts);
  }
}

export class FilterOperator extends StreamOperator {
  private readonly fn: FilterFunction<unknown>;
  constructor(fn: FilterFunction<unknown>) {
    super(false);
    this.fn = fn;
  }
  processElement(value: unknown, ts: number): void {
    if (this.fn(value)) this.output.collect(value, ts);
  }
}

export class FlatMapOperator extends StreamOperator implements Collector<unknown> {
  private readonly fn: FlatMapFunction<unknown, unknown>;
  private ts = 0;
  constructor(fn: FlatMapFunction<unknown, unknown>) {
    super(false);
    this.fn = fn;
  }
  collect(value: unknown): void {
    this.output.collect(value, this.ts);
  }
  processElement(value: unknown, ts: number): void {
    this.ts = ts;
    this.fn(value, this);
  }
}
