// `table.exec.source.idle-timeout` for a WATERMARK its source does not generate (no push-down:
// datagen, filesystem, postgres-cdc, ...). Flink's WatermarkAssigner operator then marks its
// subtask idle after that long without a record, so a silent subtask does not hold back the
// watermark downstream (a union, a join, a window after a shuffle). Millrace's assigner runs
// chained to its source, in the source's task, and only a source task announces idleness; so the
// source of such a scan gets an idleness-only strategy (no timestamps, no watermarks of its own:
// the WatermarkAssigner after it still makes them). Under a WatermarkAssigner there is at most the
// Calc of the table's computed columns (filters stay above it), so the records the source emits
// are the ones the assigner sees.
import { WatermarkStrategies, type WatermarkStrategy } from '../../api/watermarks.ts';
import { parseDurationMs } from '../../connectors/factory/options.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import type { CatalogTable } from '../catalog/catalog-objects.ts';
import { SqlError } from '../errors.ts';
import type { LogicalNode } from '../planner/logical-plan.ts';
import { inputsOf } from '../planner/logical-plan.ts';
import { reuseSourceEnabled, tableSourceKey } from '../planner/rules/source-reuse.ts';

/** `table.exec.source.idle-timeout` in ms; undefined when unset or 0 (off). */
export function sessionIdleTimeoutMs(config: ReadonlyMap<string, string> | undefined): number | undefined {
  const text = config?.get('table.exec.source.idle-timeout');
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `'table.exec.source.idle-timeout' = '${text}' is not a duration; write for example '5 s' or '500 ms'`);
  return ms > 0 ? ms : undefined;
}

interface IdleScans {
  readonly ms: number;
  readonly scans: Set<LogicalNode>;
  /** the tables whose one shared source (source reuse) feeds such a scan */
  readonly keys: Set<string>;
}

// per job being built (keyed by its environment), filled before translation
const jobs = new WeakMap<object, IdleScans>();

/**
 * Before a job's trees are translated: remembers the scans under a WatermarkAssigner their source
 * does not generate (`pushes(table)` false), when the session sets an idle timeout.
 */
export function markIdleScans(env: object, roots: readonly LogicalNode[], config: ReadonlyMap<string, string> | undefined, pushes: (table: CatalogTable) => boolean): void {
  const ms = sessionIdleTimeoutMs(config);
  if (ms === undefined) return;
  const marks: IdleScans = { ms, scans: new Set(), keys: new Set() };
  const seen = new Set<LogicalNode>();
  const walk = (node: LogicalNode): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.kind === 'WatermarkAssigner') {
      const scan = node.input.kind === 'Project' ? node.input.input : node.input;
      if (scan.kind === 'TableScan' && !pushes(scan.table)) {
        marks.scans.add(scan);
        if (reuseSourceEnabled(config)) marks.keys.add(tableSourceKey(scan.table));
      }
    }
    inputsOf(node).forEach(walk);
  };
  roots.forEach(walk);
  if (marks.scans.size > 0) jobs.set(env, marks);
}

/** The idleness-only strategy for the source of `scan`, if it feeds such a WatermarkAssigner. */
export function idlenessFor(env: object, scan: LogicalNode & { kind: 'TableScan' }): WatermarkStrategy<ChangelogRow> | undefined {
  const marks = jobs.get(env);
  if (marks === undefined) return undefined;
  if (!marks.scans.has(scan) && !marks.keys.has(tableSourceKey(scan.table))) return undefined;
  return WatermarkStrategies.noWatermarks<ChangelogRow>().withIdleness(marks.ms);
}
