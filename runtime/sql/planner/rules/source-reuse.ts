// Source reuse (Flink's `table.optimizer.reuse-source-enabled`, on by default as in Flink): scans
// of the same table with the same pushed-down projection and filters — and the same watermark
// when a WatermarkAssigner sits right on the scan — become ONE node shared by every consumer, in
// one INSERT (q3, q5, q7, q8 read `datagen` twice through the views) and across the INSERTs of a
// job. The physical translation memoizes by node, so a shared scan runs as one source whose rows
// fan out, instead of each scan generating or reading every event again.
//
// Unlike the per-node rules (rule.ts) this one looks at whole plans: it runs after the optimizer
// and the changelog derivation, over all the trees of one job (planner.ts, physical/translate.ts).
//
// Above a shared source, identical steps over the same shared inputs are shared too (Flink's
// `table.optimizer.reuse-sub-plan-enabled`, also on by default): q7's two branches compute the
// event time, the watermark and `event_type = 2` once, and an aggregate, join, window, OVER or
// Top-N computed twice over the same shared input (a self-join of one aggregate, a statement set
// whose INSERTs group the same way) runs as one operator whose rows fan out. Sinks are never shared.
// The translation keeps no per-consumer choice below a node (changelog kinds are derived bottom-up,
// physical choices such as mini-batch are in the node and so in its digest), so one operator can
// serve every consumer.
//
// A connector with watermark push-down (Kafka) builds its source from the WatermarkAssigner, the
// Calc of computed columns below it and the scan (physical/watermark.ts): that unit is shared only
// whole, and its scan never on its own — a scan shared between such a unit and another consumer
// would become two sources with one uid.
//
// Scans of one table that differ in their pushed-down projection or filters stay apart in the plan,
// but the translation still reads them from one source (physical/scan.ts, tableSourceKey): the
// projection and filters run after the source anyway.
//
// State: a shared scan is one source with one uid. Before reuse a second identical scan in one
// job had the uid `table-scan-<hash>-2`; that state (the second copy of the same positions) is
// gone, so restoring a savepoint taken without reuse needs allowNonRestoredState, or
// `SET 'table.optimizer.reuse-source-enabled' = 'false'` to run the old plan. The same holds for a
// shared stateful node: it keeps the first copy's uid, the `-2` copy's state is not restored (or
// `SET 'table.optimizer.reuse-sub-plan-enabled' = 'false'` runs both copies, as before).
import { SqlError } from '../../errors.ts';
import type { CatalogTable } from '../../catalog/catalog-objects.ts';
import type { ChangelogInfo } from '../changelog.ts';
import type { LogicalNode } from '../logical-plan.ts';
import { inputsOf, withInputs } from '../logical-plan.ts';

export const REUSE_SOURCE_KEY = 'table.optimizer.reuse-source-enabled';
export const REUSE_SUB_PLAN_KEY = 'table.optimizer.reuse-sub-plan-enabled';
const CHILD_KEYS = new Set(['input', 'left', 'right', 'inputs']);

/** A job's planned trees (planner.ts's PlannedTree, without importing the planner). */
export interface ReusableTree {
  optimized: LogicalNode;
  changelog: Map<LogicalNode, ChangelogInfo>;
}

function enabled(config: ReadonlyMap<string, string> | undefined, key: string): boolean {
  const raw = config?.get(key);
  const v = raw?.trim().toLowerCase();
  if (v === undefined || v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw new SqlError('MR_ERR_SQL_VALIDATE', `'${key}' = '${raw}' is not a boolean; write 'true' (the default: identical sources share one) or 'false'`);
}

export function reuseSourceEnabled(config: ReadonlyMap<string, string> | undefined): boolean {
  return enabled(config, REUSE_SOURCE_KEY);
}

/** Text that is equal for two scans exactly when they read the same rows the same way. */
function digest(value: unknown, withoutInputs = false): string {
  return JSON.stringify(value, function (this: unknown, key, v: unknown) {
    if (key === 'pos' || key === 'ddl' || key === 'ddlText' || key === 'comment') return undefined;
    if (withoutInputs && this === value && CHILD_KEYS.has(key)) return undefined;
    return typeof v === 'bigint' ? `${v}n` : v;
  });
}

/**
 * The key of a table's raw source: scans of one table that differ only in the pushed projection
 * or filters read the same rows, which the scan narrows after reading (physical/scan.ts), so they
 * can read them from one source — as Flink's ScanReuser merges scans that differ in projection.
 */
export function tableSourceKey(table: CatalogTable): string {
  return digest(table);
}

/**
 * A source a connector builds with the watermark (push-down, Kafka): the WatermarkAssigner, the
 * Calc of computed columns between them if any, and the scan, as one unit (physical/watermark.ts
 * builds the source from all three), shared only whole.
 */
function pushedWatermarkUnit(node: LogicalNode, pushesWatermark: (table: CatalogTable) => boolean): string | undefined {
  if (node.kind !== 'WatermarkAssigner') return undefined;
  const calc = node.input.kind === 'Project' ? node.input : undefined;
  const scan = calc ? calc.input : node.input;
  if (scan.kind !== 'TableScan' || !pushesWatermark(scan.table)) return undefined;
  return `watermark:${digest(node, true)}:${calc ? digest(calc, true) : ''}:scan:${digest(scan)}`;
}

/**
 * The trees with identical source nodes replaced by the first of them (in tree order, depth
 * first), and each tree's changelog map extended to the nodes it now holds. Idempotent.
 */
export function reuseSources<T extends ReusableTree>(trees: readonly T[], config?: ReadonlyMap<string, string>, pushesWatermark: (table: CatalogTable) => boolean = () => false): T[] {
  if (!reuseSourceEnabled(config)) return [...trees];
  const subPlans = enabled(config, REUSE_SUB_PLAN_KEY);
  const canonical = new Map<string, LogicalNode>();
  // the shared nodes, numbered: a stateless step is shared when its input is one of them
  const sharedIds = new Map<LogicalNode, number>();
  const share = (key: string, node: LogicalNode): LogicalNode => {
    const first = canonical.get(key);
    if (first !== undefined) return first;
    canonical.set(key, node);
    sharedIds.set(node, sharedIds.size);
    return node;
  };
  return trees.map((tree) => {
    const changelog = new Map(tree.changelog);
    const done = new Map<LogicalNode, LogicalNode>();
    const adopt = (from: LogicalNode, to: LogicalNode): void => {
      // what a node emits depends only on the nodes below it: the replaced one's info is the shared one's
      const info = changelog.get(from);
      if (info !== undefined && !changelog.has(to)) changelog.set(to, info);
      const a = inputsOf(from);
      inputsOf(to).forEach((t, i) => { if (a[i] !== undefined) adopt(a[i], t); });
    };
    const visit = (node: LogicalNode): LogicalNode => {
      const known = done.get(node);
      if (known !== undefined) return known;
      let out: LogicalNode;
      const key = node.kind === 'TableScan' ? `scan:${digest(node)}` : pushedWatermarkUnit(node, pushesWatermark);
      if (key !== undefined) {
        out = share(key, node);
        if (out !== node) adopt(node, out);
      } else {
        const inputs = inputsOf(node);
        const next = inputs.map(visit);
        out = next.some((n, i) => n !== inputs[i]) ? withInputs(node, next) : node;
        if (out !== node) adopt(node, out);
        // a step is shared when every input is: the same computation over the same rows
        const inputIds = next.map((n) => sharedIds.get(n));
        if (subPlans && out.kind !== 'Sink' && inputIds.length > 0 && inputIds.every((id) => id !== undefined)) {
          const rebuilt = out;
          out = share(`${out.kind}:${digest(out, true)}<${inputIds.join(',')}>`, out);
          if (out !== rebuilt) adopt(rebuilt, out);
        }
      }
      done.set(node, out);
      return out;
    };
    return { ...tree, optimized: visit(tree.optimized), changelog };
  });
}
