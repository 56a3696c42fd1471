// WatermarkAssigner → assignTimestampsAndWatermarks: a row's event time is its rowtime column, and
// the watermark is the highest value of the WATERMARK expression seen so far (Flink's generated
// watermark generator emits the expression's value as is, without the DataStream API's `- 1`).
import type { WatermarkGenerator, WatermarkStrategy } from '../../api/watermarks.ts';
import { MIN_WATERMARK } from '../../api/watermarks.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import { compileExpression } from '../codegen/expression-codegen.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from './context.ts';
import { physicalIndexes, translateScan } from './scan.ts';
import { tableDescriptor } from '../planner/registry-capabilities.ts';

/**
 * A strategy whose generator follows the rows' watermark expression. The timestamp assigner runs
 * right before the generator's onEvent for the same row in the same subtask (single-threaded), so
 * it hands the row's watermark value over through `pending`.
 */
export function sqlWatermarkStrategy(rowtimeIndex: number, watermarkOf: (values: readonly unknown[]) => unknown): WatermarkStrategy<ChangelogRow> {
  let pending = MIN_WATERMARK;
  const strategy: WatermarkStrategy<ChangelogRow> = {
    timestampAssigner: (row) => {
      const wm = watermarkOf(row.values);
      pending = typeof wm === 'number' ? wm : MIN_WATERMARK;
      const ts = row.values[rowtimeIndex];
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
  };
  return strategy;
}

export function translateWatermarkAssigner(node: NodeOf<'WatermarkAssigner'>, ctx: TranslateContext): RowStream {
  const scan = node.input;
  if (scan.kind === 'TableScan' && ctx.registry.createSource(tableDescriptor(scan.table)).watermarkPushDown === true) {
    // Flink's watermark push-down: the source (Kafka) generates it per partition, with idleness;
    // the expression reads the scanned columns, the source's rows are all physical columns
    const physical = physicalIndexes(scan);
    const watermarkOf = compileExpression(node.watermark);
    return translateScan(scan, ctx, sqlWatermarkStrategy(physical[node.rowtimeIndex]!, (values) => watermarkOf(physical.map((p) => values[p]))));
  }
  const strategy = sqlWatermarkStrategy(node.rowtimeIndex, compileExpression(node.watermark));
  return ctx.translate(node.input).assignTimestampsAndWatermarks(strategy, { name: `WatermarkAssigner(${node.fields[node.rowtimeIndex]?.name ?? node.rowtimeIndex})` });
}
