// Turns a validated Pipeline into operators of the ordinary job API, so a pipeline runs like
// any other job (checkpoints, rescaling, metrics). Stateful operators get stable uids derived
// from their step index, so a savepoint restores into the same pipeline.
import type { DataStream } from '../api/data-stream.ts';
import type { StreamExecutionEnvironment } from '../api/environment.ts';
import { ProcessWindowFunction } from '../api/functions.ts';
import type { Collector, Sink, WindowContext } from '../api/functions.ts';
import type { Source } from '../api/source.ts';
import { WatermarkStrategies } from '../api/watermarks.ts';
import type { WatermarkStrategy } from '../api/watermarks.ts';
import { SlidingEventTimeWindows, TumblingEventTimeWindows } from '../api/windows.ts';
import type { TimeWindow } from '../api/windows.ts';
import { blackholeSink } from '../connectors/blackhole-sink.ts';
import { fileSink } from '../connectors/file-sink.ts';
import { fileSource } from '../connectors/file-source.ts';
import { createConnectorRegistry, objectSink, objectSource, type ConnectorRegistry } from '../connectors/factory/index.ts';
import { nexmarkSource } from '../connectors/nexmark-source.ts';
import { printSink } from '../api/print-sink.ts';
import { compileAggregates, compilePredicate, compileProjection, getField } from './functions.ts';
import type { Row } from './functions.ts';
import type { Pipeline, WindowStep } from './schema.ts';

export interface BuildOptions {
  /** Replaces the pipeline's sink (tests collect in-process). */
  sink?: Sink<Row>;
}

function sourceOf(p: Pipeline): { source: Source<Row>; strategy?: WatermarkStrategy<Row> } {
  const s = p.source;
  const lateness = s.maxOutOfOrderness ?? 0;
  const fromField = s.timestampField
    ? WatermarkStrategies.forBoundedOutOfOrderness<Row>(lateness).withTimestampAssigner((r) => Number(getField(r, s.timestampField!)))
    : undefined;
  if (s.type === 'nexmark') {
    const source = nexmarkSource({
      events: s.events ?? null, rateLimit: s.rate ?? null, ...(s.rate ? { eventsPerSecond: s.rate } : {}), ...(s.seed !== undefined ? { seed: s.seed } : {}),
    }) as unknown as Source<Row>;
    // Generator events carry their own event time, in order per subtask.
    return { source, strategy: fromField ?? WatermarkStrategies.forBoundedOutOfOrderness<Row>(lateness) };
  }
  if (s.type === 'connector') return { source: objectSource(registry(), { name: s.name ?? 'source', columns: s.columns, options: s.options }), strategy: fromField };
  return { source: fileSource<Row>({ path: s.path, format: s.format }), strategy: fromField };
}

/** The connector factory with the built-in connectors; secrets from MILLRACE_SECRETS_DIR or the pod mount. */
const registry = (): ConnectorRegistry => createConnectorRegistry();

function sinkOf(p: Pipeline): Sink<Row> {
  const s = p.sink;
  switch (s.type) {
    case 'file': return fileSink<Row>({ path: s.path, format: s.format });
    case 'print': return printSink<Row>(s.prefix);
    case 'blackhole': return blackholeSink<Row>();
    case 'connector': return objectSink(registry(), { name: s.name ?? 'sink', columns: s.columns, options: s.options, ...(s.partitionKeys ? { partitionKeys: s.partitionKeys } : {}) });
  }
}

class WindowRow extends ProcessWindowFunction<Row, Row, string | number, TimeWindow> {
  private readonly keyField: string | undefined;
  constructor(keyField: string | undefined) {
    super();
    this.keyField = keyField;
  }
  process(key: string | number, ctx: WindowContext<TimeWindow>, results: Iterable<Row>, out: Collector<Row>): void {
    const w = ctx.window();
    for (const r of results) out.collect({ ...(this.keyField ? { [this.keyField]: key } : {}), windowStart: w.start, windowEnd: w.end, ...r });
  }
}

function windowStep(stream: DataStream<Row>, step: WindowStep, index: number): DataStream<Row> {
  const keyField = step.keyBy;
  // Keys are strings or numbers; anything else (missing, objects) is keyed by its JSON text.
  const keyed = stream.keyBy<string | number>((r) => {
    if (!keyField) return '';
    const k = getField(r, keyField);
    return typeof k === 'string' || typeof k === 'number' ? k : JSON.stringify(k ?? null);
  });
  const assigner = step.kind === 'sliding' ? SlidingEventTimeWindows.of(step.size, step.slide ?? step.size) : TumblingEventTimeWindows.of(step.size);
  return keyed.window(assigner)
    .aggregateWithProcess(compileAggregates(step.aggregates), () => new WindowRow(keyField))
    .uid(`pipeline-step-${index}-window`).name(`Window ${step.kind} ${step.size} ms${keyField ? ` by ${keyField}` : ''}`);
}

/** Adds the pipeline's source, steps and sink to the environment. */
export function buildPipeline(env: StreamExecutionEnvironment, p: Pipeline, opts: BuildOptions = {}): void {
  const { source, strategy } = sourceOf(p);
  let stream: DataStream<Row> = env.fromSource(source, strategy, `Source: ${p.source.type}`).uid('pipeline-source');
  p.steps.forEach((step, i) => {
    switch (step.type) {
      case 'filter':
        stream = stream.filter(compilePredicate(step.where)).name(`Filter ${step.where.map((c) => `${c.field} ${c.op} ${JSON.stringify(c.value)}`).join(' and ')}`);
        break;
      case 'select':
        stream = stream.map(compileProjection(step.fields)).name(`Select ${step.fields.join(', ')}`);
        break;
      case 'window':
        stream = windowStep(stream, step, i);
        break;
    }
  });
  stream.sinkTo(opts.sink ?? sinkOf(p)).uid('pipeline-sink');
}
