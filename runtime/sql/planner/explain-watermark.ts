// EXPLAIN of a WATERMARK pushed into its source (Kafka, upsert-kafka), as Flink prints it: no
// WatermarkAssigner node, and the TableSourceScan's table digest carries
// `watermark=[<expr>], idletimeout=[<ms>], watermarkEmitStrategy=[on-periodic]` (Flink's
// WatermarkPushDownSpec.getDigests). The expression is over the source's own columns: a computed
// rowtime (`ts AS TO_TIMESTAMP_LTZ(t, 3)`) is written out, as the source evaluates it. The plan
// itself is not rewritten (physical/watermark.ts does the push-down when it translates the
// same shapes: WatermarkAssigner over a TableScan, or over a Calc over a TableScan).
import { parseDurationMs } from '../../connectors/factory/options.ts';
import type { CatalogTable } from '../catalog/catalog-objects.ts';
import { sessionIdleTimeoutMs } from '../physical/source-idleness.ts';
import type { LogicalNode, NodeOf } from './logical-plan.ts';
import { inputsOf } from './logical-plan.ts';
import { mapInputRefs, rexToString } from './rex.ts';

export interface PushedWatermarks {
  /** WatermarkAssigners generated in their source: EXPLAIN prints their input in their place */
  readonly assigners: ReadonlySet<LogicalNode>;
  /** the digest each scan with a pushed-down watermark adds inside `table=[[...]]` */
  readonly digests: ReadonlyMap<LogicalNode, string>;
}

/** Finds the WatermarkAssigners of `roots` that their source generates (`pushes(table)`). */
export function pushedWatermarks(roots: readonly LogicalNode[], pushes: (table: CatalogTable) => boolean, config?: ReadonlyMap<string, string>): PushedWatermarks {
  const assigners = new Set<LogicalNode>();
  const digests = new Map<LogicalNode, string>();
  const seen = new Set<LogicalNode>();
  const walk = (node: LogicalNode): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.kind === 'WatermarkAssigner') {
      const calc = node.input.kind === 'Project' ? node.input : undefined;
      const scan = calc ? calc.input : node.input;
      if (scan.kind === 'TableScan' && pushes(scan.table)) {
        assigners.add(node);
        digests.set(scan, digest(node, calc, scan, config));
      }
    }
    inputsOf(node).forEach(walk);
  };
  roots.forEach(walk);
  return { assigners, digests };
}

function digest(node: NodeOf<'WatermarkAssigner'>, calc: NodeOf<'Project'> | undefined, scan: NodeOf<'TableScan'>, config?: ReadonlyMap<string, string>): string {
  const expr = calc ? mapInputRefs(node.watermark, (i) => calc.exprs[i]!) : node.watermark;
  const parts = [`watermark=[${rexToString(expr, scan.fields.map((f) => f.name))}]`];
  const idle = idleTimeoutMs(scan.table, config);
  if (idle > 0) parts.push(`idletimeout=[${idle}]`);
  parts.push('watermarkEmitStrategy=[on-periodic]');
  return parts.join(', ');
}

/**
 * The idle timeout the source runs with: the table's `scan.watermark.idle-timeout`, else the
 * session's `table.exec.source.idle-timeout` (0: none), as Flink resolves it.
 */
function idleTimeoutMs(table: CatalogTable, config?: ReadonlyMap<string, string>): number {
  const own = table.options['scan.watermark.idle-timeout'];
  if (own !== undefined) return parseDurationMs(own) ?? 0;
  return sessionIdleTimeoutMs(config) ?? 0;
}
