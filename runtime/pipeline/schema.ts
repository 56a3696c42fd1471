// The YAML pipeline language (zod): one source, a list of steps, one sink. Objects are strict,
// so a misspelt key is an error that names it instead of being silently ignored.
import { z } from 'zod';

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds as a positive integer, or a string such as `500ms`, `10s`, `5m`, `1h`. */
export const durationSchema = z.union([
  z.number().int().positive(),
  z.string().regex(DURATION, { error: 'expected a duration: milliseconds, or a number with ms, s, m or h (for example 10s)' }),
], { error: 'expected a duration: milliseconds, or a number with ms, s, m or h (for example 10s)' })
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = DURATION.exec(v)!;
    return Number(m[1]) * UNIT_MS[m[2]!]!;
  })
  .refine((ms) => ms > 0, { error: 'a duration must be longer than 0' });

const fieldName = z.string().min(1).max(200);

const nexmarkSourceSchema = z.strictObject({
  type: z.literal('nexmark'),
  events: z.number().int().positive().optional().describe('Number of events; unbounded when absent.'),
  rate: z.number().positive().optional().describe('Emission limit in events per second (also the event-time rate).'),
  seed: z.number().int().optional(),
  timestampField: fieldName.optional().describe('Event time comes from the generator unless a field is named.'),
  maxOutOfOrderness: durationSchema.optional(),
});

const fileSourceSchema = z.strictObject({
  type: z.literal('file'),
  path: z.string().min(1),
  format: z.enum(['jsonl', 'csv', 'text']).default('jsonl'),
  timestampField: fieldName.optional().describe('Field with the event time in epoch milliseconds; required when a window step follows.'),
  maxOutOfOrderness: durationSchema.optional(),
});

/** Any table connector of the factory (runtime/connectors/factory): columns with Flink SQL types and the WITH options. */
const connectorTable = {
  type: z.literal('connector'),
  name: z.string().min(1).max(200).optional().describe('Table name used in messages.'),
  columns: z.record(fieldName, z.string().min(1)).refine((c) => Object.keys(c).length > 0, { error: 'name at least one column' })
    .describe('Column name → Flink SQL type (BIGINT, STRING, TIMESTAMP(3), ROW<...>), in order; records are objects with these fields.'),
  options: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]).transform(String))
    .describe("The table's WITH options, 'connector' included; values may be ${secret:<name>/<key>}."),
};

const connectorSourceSchema = z.strictObject({
  ...connectorTable,
  timestampField: fieldName.optional().describe('Field with the event time (a TIMESTAMP column or epoch milliseconds).'),
  maxOutOfOrderness: durationSchema.optional(),
});

export const pipelineSourceSchema = z.discriminatedUnion('type', [nexmarkSourceSchema, fileSourceSchema, connectorSourceSchema], { error: 'expected source.type nexmark, file or connector' });

export const COMPARISONS = ['==', '!=', '<', '<=', '>', '>='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const conditionSchema = z.strictObject({
  field: fieldName,
  op: z.enum(COMPARISONS),
  value: z.union([z.string(), z.number(), z.boolean()]),
});
export type FieldCondition = z.infer<typeof conditionSchema>;

const filterStepSchema = z.strictObject({
  type: z.literal('filter'),
  /** All conditions must hold. */
  where: z.array(conditionSchema).min(1),
});

const selectStepSchema = z.strictObject({
  type: z.literal('select'),
  fields: z.array(fieldName).min(1),
});

const countAggregate = z.strictObject({ fn: z.literal('count'), as: fieldName });
const fieldAggregate = z.strictObject({ fn: z.enum(['sum', 'min', 'max', 'avg']), field: fieldName, as: fieldName });
export const aggregateSchema = z.discriminatedUnion('fn', [countAggregate, fieldAggregate], { error: 'expected fn count, sum, min, max or avg' });
export type Aggregate = z.infer<typeof aggregateSchema>;

const windowStepSchema = z.strictObject({
  type: z.literal('window'),
  /** Absent: one window per time range over all records. */
  keyBy: fieldName.optional(),
  kind: z.enum(['tumbling', 'sliding']).default('tumbling'),
  size: durationSchema,
  slide: durationSchema.optional(),
  aggregates: z.array(aggregateSchema).min(1),
});

export const stepSchema = z.discriminatedUnion('type', [filterStepSchema, selectStepSchema, windowStepSchema], { error: 'expected a step of type filter, select or window' });
export type PipelineStep = z.infer<typeof stepSchema>;
export type WindowStep = z.infer<typeof windowStepSchema>;

export const pipelineSinkSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('file'), path: z.string().min(1), format: z.enum(['jsonl', 'csv']).default('jsonl') }),
  z.strictObject({ type: z.literal('print'), prefix: z.string().optional() }),
  z.strictObject({ type: z.literal('blackhole') }),
  z.strictObject({
    ...connectorTable,
    partitionKeys: z.array(fieldName).min(1).optional()
      .describe("PARTITIONED BY columns (the filesystem connector writes col=value/ directories and commits partitions with 'sink.partition-commit.*')."),
  }),
], { error: 'expected sink.type file, print, blackhole or connector' });

/** Output fields a window step adds besides its aggregates. */
export const WINDOW_FIELDS = ['windowStart', 'windowEnd'] as const;

export const pipelineSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  source: pipelineSourceSchema,
  steps: z.array(stepSchema).default([]),
  sink: pipelineSinkSchema,
}).superRefine((p, ctx) => {
  const hasWindow = p.steps.some((s) => s.type === 'window');
  if (hasWindow && (p.source.type === 'file' || p.source.type === 'connector') && !p.source.timestampField) {
    ctx.addIssue({ code: 'custom', path: ['source', 'timestampField'], message: 'a window step needs event time: name the field holding epoch milliseconds' });
  }
  p.steps.forEach((s, i) => {
    if (s.type !== 'window') return;
    if (s.kind === 'sliding' && s.slide === undefined) ctx.addIssue({ code: 'custom', path: ['steps', i, 'slide'], message: 'a sliding window needs slide (for example 5s)' });
    if (s.kind === 'tumbling' && s.slide !== undefined) ctx.addIssue({ code: 'custom', path: ['steps', i, 'slide'], message: 'slide is only for kind sliding' });
    if (s.kind === 'sliding' && s.slide !== undefined && s.slide > s.size) ctx.addIssue({ code: 'custom', path: ['steps', i, 'slide'], message: 'slide may not be longer than size' });
    const seen = new Set<string>([...WINDOW_FIELDS, ...(s.keyBy ? [s.keyBy] : [])]);
    s.aggregates.forEach((a, j) => {
      if (seen.has(a.as)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'aggregates', j, 'as'], message: `output field '${a.as}' is already used by this window step; choose another name` });
      seen.add(a.as);
    });
  });
});

export type Pipeline = z.infer<typeof pipelineSchema>;
