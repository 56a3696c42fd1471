// The job builder: a StreamExecutionEnvironment collects operators into a StreamGraph.
// Jobs are ES modules exporting `defineJob({ name, build(env, params) })`.

import { StreamGraph, type PartitionerSpec, type RuntimeMode, type StreamNode } from '../graph/stream-graph.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import { DataStream, type StreamRef } from './data-stream.ts';
import { fromElements, type Source } from './source.ts';
import type { WatermarkStrategy } from './watermarks.ts';

export interface OperatorOptions {
  readonly name?: string;
  readonly uid?: string;
  readonly parallelism?: number;
}

export class StreamExecutionEnvironment {
  readonly graph = new StreamGraph();
  runtimeMode: RuntimeMode = 'streaming';

  constructor(defaultParallelism = 1) {
    this.graph.defaultParallelism = defaultParallelism;
  }

  setParallelism(p: number): this {
    this.graph.defaultParallelism = p;
    return this;
  }
  getParallelism(): number {
    return this.graph.defaultParallelism;
  }
  setMaxParallelism(p: number): this {
    this.graph.maxParallelism = p;
    return this;
  }
  /** How often sources emit watermarks (ms, default 20; 0 = after every polled batch). */
  setAutoWatermarkInterval(ms: number): this {
    this.graph.autoWatermarkIntervalMs = ms;
    return this;
  }
  setRuntimeMode(mode: RuntimeMode): this {
    this.runtimeMode = mode;
    return this;
  }

  fromSource<T>(source: Source<T>, strategy?: WatermarkStrategy<T>, name = source.name): DataStream<T> {
    const reader = () => source.createReader();
    const node = this.graph.addNode({
      name, uid: `source-${this.graph.nodes.length}`, parallelism: undefined, maxParallelism: undefined, chaining: true, kind: 'source',
      createOperator: () => new SourceOperator(reader(), strategy as WatermarkStrategy<unknown> | undefined),
      source: { source: source as Source<unknown>, strategy: strategy as WatermarkStrategy<unknown> | undefined },
    });
    return new DataStream<T>(this, [{ nodeId: node.id }]);
  }

  fromElements<T>(values: readonly T[], opts: { timestampOf?: (v: T) => number; strategy?: WatermarkStrategy<T> } = {}): DataStream<T> {
    return this.fromSource(fromElements(values, opts.timestampOf), opts.strategy, 'elements');
  }

  /** Internal: adds an operator consuming `inputs` (input index per ref). */
  addOperator(
    kind: 'operator' | 'sink',
    defaultName: string,
    inputs: Array<{ ref: StreamRef; inputIndex: number; partitioner?: PartitionerSpec }>,
    create: () => StreamOperator,
    opts: OperatorOptions = {},
  ): StreamNode {
    const node = this.graph.addNode({
      name: opts.name ?? defaultName, uid: opts.uid ?? `${defaultName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${this.graph.nodes.length}`,
      parallelism: opts.parallelism, maxParallelism: undefined, chaining: true, kind, createOperator: create,
    });
    for (const i of inputs) {
      this.graph.addEdge(i.ref.nodeId, node.id, i.inputIndex, i.partitioner ?? i.ref.partitioner ?? { type: 'default' }, i.ref.sideOutputTag);
    }
    return node;
  }
}

export interface JobParams {
  readonly values: Readonly<Record<string, string>>;
  get(name: string, fallback: string): string;
  getNumber(name: string, fallback: number): number;
  getBoolean(name: string, fallback: boolean): boolean;
}

export function jobParams(values: Record<string, string> = {}): JobParams {
  return {
    values,
    get: (n, f) => values[n] ?? f,
    getNumber(n, f) {
      const v = values[n];
      if (v === undefined) return f;
      const x = Number(v);
      if (!Number.isFinite(x)) throw new Error(`MR_ERR_JOB_PARAM: parameter '${n}' must be a number, got '${v}'`);
      return x;
    },
    getBoolean: (n, f) => (values[n] === undefined ? f : values[n] === 'true'),
  };
}

export interface JobDefinition {
  readonly name: string;
  build(env: StreamExecutionEnvironment, params: JobParams): void;
}

export function defineJob(def: JobDefinition): JobDefinition {
  return def;
}

/** Builds the stream graph of a job; the same inputs always give the same graph. */
export function buildStreamGraph(job: JobDefinition, parallelism: number, params: Record<string, string> = {}): StreamGraph {
  const env = new StreamExecutionEnvironment(parallelism);
  env.graph.jobName = job.name;
  job.build(env, jobParams(params));
  if (env.graph.nodes.length === 0) throw new Error(`MR_ERR_EMPTY_JOB: job '${job.name}' defines no operators`);
  return env.graph;
}
