// WatermarkAssigner → assignTimestampsAndWatermarks: a row's event time is its rowtime column, and
// the watermark is the highest value of the WATERMARK expression seen so far (Flink's generated
// watermark generator emits the expression's value as is, without the DataStream API's `- 1`).
import type { WatermarkGenerator, WatermarkStrategy } from '../../api/watermarks.ts';
import { MIN_WATERMARK } from '../../api/watermarks.ts';
import { parseDurationMs } from '../../connectors/factory/options.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import { SqlError } from '../errors.ts';
import { compileExpression, compileProjection } from '../codegen/expression-codegen.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from './context.ts';
import { translateChangelogScan } from './changelog-normalize.ts';
import { physicalIndexes } from './scan.ts';
import { tableDescriptor } from '../planner/registry-capabilities.ts';

/**
 * A strategy whose generator follows the rows' watermark expression. The timestamp assigner runs
 * right before the generator's onEvent for the same row in the same subtask (single-threaded), so
 * it hands the row's watermark value over through `pending`.
 */
export function sqlWatermarkStrategy(rowtimeIndex: number, watermarkOf: (values: readonly unknown[]) => unknown, options: {
  readonly keyOnlyDeletes?: boolean;
  /** the rowtime is computed from the row (a computed column pushed down with the watermark); rowtimeIndex indexes its result */
  readonly computed?: (values: readonly unknown[]) => readonly unknown[];
  /** a split (partition) without records for this long stops holding the watermark back (sources with push-down) */
  readonly idleTimeoutMs?: number;
} = {}): WatermarkStrategy<ChangelogRow> {
  let pending = MIN_WATERMARK;
  const strategy: WatermarkStrategy<ChangelogRow> = {
    timestampAssigner: (row, recordTimestamp) => {
      const values = options.computed ? options.computed(row.values) : row.values;
      // an upsert source's delete (a Kafka tombstone) carries only the key: it does not move the
      // watermark (as Flink's pushed-down generator skips a NULL watermark) but counts as activity
      if (options.keyOnlyDeletes === true && row.kind === '-D' && values[rowtimeIndex] === null) {
        pending = MIN_WATERMARK;
        return recordTimestamp ?? Number.NaN; // NaN: no timestamp
      }
      const wm = watermarkOf(values);
      pending = typeof wm === 'number' ? wm : MIN_WATERMARK;
      const ts = values[rowtimeIndex];
      // a NULL rowtime: Flink fails the job too ("RowTime field should not be null")
      if (typeof ts !== 'number') throw new Error(`MR_ERR_SQL_RUNTIME: the rowtime column (index ${rowtimeIndex}) is ${String(ts)}; it must not be NULL`);
      return ts;
    },
    createGenerator(): WatermarkGenerator {
      let max = MIN_WATERMARK;
      return {
        onEvent: () => {
          if (pending > max) max = pending;
        },
        currentWatermark: () => max,
      };
    },
    withTimestampAssigner: () => strategy,
    withIdleness: () => strategy,
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
  };
  return strategy;
}

export function translateWatermarkAssigner(node: NodeOf<'WatermarkAssigner'>, ctx: TranslateContext): RowStream {
  const pushed = translatePushedDown(node, ctx);
  if (pushed !== undefined) return pushed;
  const strategy = sqlWatermarkStrategy(node.rowtimeIndex, compileExpression(node.watermark));
  return ctx.translate(node.input).assignTimestampsAndWatermarks(strategy, { name: `WatermarkAssigner(${node.fields[node.rowtimeIndex]?.name ?? node.rowtimeIndex})` });
}

/**
 * Flink's watermark push-down: a source that supports it (Kafka) generates the watermark per
 * partition, with idleness. The WatermarkAssigner sits on the scan, or, for a computed rowtime
 * (`ts AS TO_TIMESTAMP_LTZ(t, 3)`), on the Calc that computes the table's computed columns: then
 * the source evaluates that Calc's expressions for each record too (Flink pushes through it) and
 * the Calc follows the source. The source's rows are all its physical columns. An upsert source
 * (upsert-kafka) is normalized after the source, as Flink plans it.
 */
function translatePushedDown(node: NodeOf<'WatermarkAssigner'>, ctx: TranslateContext): RowStream | undefined {
  const calc = node.input.kind === 'Project' ? node.input : undefined;
  const scan = calc ? calc.input : node.input;
  if (scan.kind !== 'TableScan') return undefined;
  const source = ctx.registry.createSource(tableDescriptor(scan.table));
  if (source.watermarkPushDown !== true) return undefined;
  const physical = physicalIndexes(scan);
  const watermarkOf = compileExpression(node.watermark);
  const idleTimeoutMs = sourceIdleTimeoutMs(ctx);
  const keyOnlyDeletes = source.changelogMode === 'upsert';
  if (!calc) {
    const strategy = sqlWatermarkStrategy(physical[node.rowtimeIndex]!, (values) => watermarkOf(physical.map((p) => values[p])), { keyOnlyDeletes, idleTimeoutMs });
    return translateChangelogScan(scan, ctx, ctx.changelog?.get(scan), strategy);
  }
  const project = compileProjection(calc.exprs);
  const computed = (values: readonly unknown[]) => project(physical.map((p) => values[p]));
  const strategy = sqlWatermarkStrategy(node.rowtimeIndex, watermarkOf, { keyOnlyDeletes, computed, idleTimeoutMs });
  return translateChangelogScan(scan, ctx, ctx.changelog?.get(scan), strategy)
    .map<ChangelogRow>((r) => ({ kind: r.kind, values: project(r.values) }), { name: `Calc(select=[${calc.fields.map((f) => f.name).join(', ')}])` });
}

/**
 * `table.exec.source.idle-timeout` (Flink's session default for sources; 0: off). A table's own
 * `scan.watermark.idle-timeout` overrides it. Read for sources with watermark push-down (Kafka).
 */
function sourceIdleTimeoutMs(ctx: TranslateContext): number | undefined {
  const text = ctx.config?.get('table.exec.source.idle-timeout');
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `'table.exec.source.idle-timeout' = '${text}' is not a duration; write for example '5 s' or '500 ms'`);
  return ms > 0 ? ms : undefined;
}
