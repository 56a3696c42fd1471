// The logical plan: relational nodes as plain data (DataFusion's LogicalPlan, Flink's logical
// RelNodes). Every node carries its output row type (`fields`). Rules (rules/) rewrite plans;
// changelog.ts derives what each node emits; explain.ts prints them; the physical translation
// maps each node to runtime operators.
import type { CatalogTable } from '../catalog/catalog-objects.ts';
import type { DataType } from '../types/data-type.ts';
import type { Rex } from './rex.ts';

export interface Field {
  name: string;
  type: DataType;
}

export interface AggCall {
  /** COUNT, SUM, MIN, ... upper case. */
  fn: string;
  /** Input field indexes (none for COUNT(*)). */
  args: number[];
  distinct: boolean;
  /** Index of a BOOLEAN input field: only rows where it is TRUE count (FILTER (WHERE ...)). */
  filterArg?: number;
  /** ARRAY_AGG(x IGNORE NULLS); absent otherwise (RESPECT NULLS is the default) */
  ignoreNulls?: true;
  name: string;
  type: DataType;
}

export interface SortKey {
  index: number;
  direction: 'ASC' | 'DESC';
  nulls: 'FIRST' | 'LAST';
}

/** A window of the window table functions and the legacy GROUP BY windows; sizes in milliseconds. */
export type WindowDef =
  | { kind: 'TUMBLE'; timeIndex: number; size: number; offset?: number }
  | { kind: 'HOP'; timeIndex: number; slide: number; size: number; offset?: number }
  | { kind: 'CUMULATE'; timeIndex: number; step: number; size: number; offset?: number }
  | { kind: 'SESSION'; timeIndex: number; gap: number; partitionKeys: number[] };

export interface FrameDef {
  unit: 'ROWS' | 'RANGE';
  /** Rows or milliseconds before the current row; undefined = UNBOUNDED. */
  preceding: number | undefined;
  /** Always CURRENT ROW in streaming (Flink refuses FOLLOWING). */
  following: 0;
}

export interface OverGroup {
  partitionKeys: number[];
  orderKeys: SortKey[];
  frame: FrameDef;
  aggCalls: AggCall[];
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';

/** How a join runs: Flink picks an operator from the condition and the tables' time attributes. */
export type JoinVariant =
  | { kind: 'regular' }
  /** Both inputs bounded to each other by time: `l.rt BETWEEN r.rt - a AND r.rt + b`; state is pruned by watermarks. */
  | { kind: 'interval'; leftTime: number; rightTime: number; lowerBound: number; upperBound: number }
  /** FOR SYSTEM_TIME AS OF the left's rowtime against a versioned table (primary key + watermark). */
  | { kind: 'temporal'; leftTime: number }
  /** FOR SYSTEM_TIME AS OF the left's proctime: a lookup into the connector. */
  | { kind: 'lookup'; leftTime: number }
  /** Both inputs windowed by the same window TVF, joined on window_start/window_end. */
  | { kind: 'window' };

export type LogicalNode =
  | { kind: 'TableScan'; table: CatalogTable; fields: Field[]; /** columns read, by index into the table's columns */ projection: number[]; /** conditions pushed into the source */ filters: Rex[] }
  | { kind: 'WatermarkAssigner'; input: LogicalNode; rowtimeIndex: number; watermark: Rex; fields: Field[] }
  | { kind: 'Values'; rows: Rex[][]; fields: Field[] }
  | { kind: 'Project'; input: LogicalNode; exprs: Rex[]; fields: Field[] }
  | { kind: 'Filter'; input: LogicalNode; condition: Rex; fields: Field[] }
  | {
      kind: 'Aggregate'; input: LogicalNode; groupKeys: number[]; aggCalls: AggCall[]; fields: Field[];
      /** Set from the session's configuration (rules/configured-rules.ts): rows applied to state once per batch; `twoPhase`: a local pre-aggregation before the shuffle */
      miniBatch?: { latencyMs: number; size: number }; twoPhase?: boolean;
    }
  /** FROM TABLE(TUMBLE(...)): input columns + window_start, window_end, window_time. */
  | { kind: 'WindowTableFunction'; input: LogicalNode; window: WindowDef; fields: Field[] }
  /**
   * Aggregation per window: output = group keys, aggregates, then the window properties
   * listed in `properties` (window_start, window_end, window_time) in that order.
   */
  | {
      kind: 'WindowAggregate'; input: LogicalNode; window: WindowDef; groupKeys: number[]; aggCalls: AggCall[]; properties: ('window_start' | 'window_end' | 'window_time')[]; fields: Field[];
      /** the legacy GROUP BY TUMBLE/HOP/SESSION (a HOP merges its panes oldest first, the table function newest first) */
      legacy?: true;
      /** set by rules/two-phase-window-aggregate.ts: a local pre-aggregation per slice before the shuffle */
      twoPhase?: true;
    }
  | { kind: 'Join'; left: LogicalNode; right: LogicalNode; joinType: JoinType; condition: Rex; variant: JoinVariant; fields: Field[] }
  /** A table function applied per row (LATERAL TABLE, UNNEST): input columns + the function's columns. */
  | { kind: 'Correlate'; input: LogicalNode; fn: string; args: Rex[]; joinType: 'INNER' | 'LEFT'; fields: Field[] }
  | { kind: 'Union'; inputs: LogicalNode[]; all: boolean; fields: Field[] }
  /** OVER aggregates: input columns + one column per aggregate call of each group. */
  | { kind: 'Over'; input: LogicalNode; groups: OverGroup[]; fields: Field[] }
  /** Top-N per partition (ROW_NUMBER() OVER (...) with a filter on the number). */
  | {
      kind: 'Rank'; input: LogicalNode; partitionKeys: number[]; orderKeys: SortKey[]; rankType: 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK'; rankStart: number; rankEnd: number; outputRankNumber: boolean; fields: Field[];
      /** Window Top-N: the input is windowed and the partition includes window_start and window_end; ranks are final per window. */
      window?: WindowDef;
    }
  /** Top-1 ordered by a time attribute: keep the first or the last row per key. */
  | { kind: 'Deduplicate'; input: LogicalNode; partitionKeys: number[]; keepLastRow: boolean; timeKind: 'ROWTIME' | 'PROCTIME'; orderIndex: number; outputRankNumber: boolean; fields: Field[] }
  | { kind: 'Sort'; input: LogicalNode; keys: SortKey[]; offset?: number; fetch?: number; fields: Field[] }
  | { kind: 'Sink'; input: LogicalNode; table: CatalogTable; overwrite: boolean; fields: Field[] };

export type NodeKind = LogicalNode['kind'];
export type NodeOf<K extends NodeKind> = Extract<LogicalNode, { kind: K }>;

export function inputsOf(node: LogicalNode): LogicalNode[] {
  switch (node.kind) {
    case 'TableScan': case 'Values': return [];
    case 'Join': return [node.left, node.right];
    case 'Union': return node.inputs;
    default: return [node.input];
  }
}

/** The node with new inputs (same order as inputsOf); fields unchanged. */
export function withInputs(node: LogicalNode, inputs: LogicalNode[]): LogicalNode {
  switch (node.kind) {
    case 'TableScan': case 'Values': return node;
    case 'Join': return { ...node, left: inputs[0]!, right: inputs[1]! };
    case 'Union': return { ...node, inputs };
    default: return { ...node, input: inputs[0]! } as LogicalNode;
  }
}

/** Rewrites bottom-up: children first, then `f` on the node (until it returns the same node). */
export function transformUp(node: LogicalNode, f: (n: LogicalNode) => LogicalNode): LogicalNode {
  const inputs = inputsOf(node);
  const newInputs = inputs.map((i) => transformUp(i, f));
  const rebuilt = newInputs.some((n, i) => n !== inputs[i]) ? withInputs(node, newInputs) : node;
  return f(rebuilt);
}

/** A stable id per node: its path from the root (`0`, `0.1`, ...). Used for plan-derived uids. */
export function nodePaths(root: LogicalNode): Map<LogicalNode, string> {
  const out = new Map<LogicalNode, string>();
  const walk = (n: LogicalNode, path: string): void => {
    out.set(n, path);
    inputsOf(n).forEach((c, i) => walk(c, `${path}.${i}`));
  };
  walk(root, '0');
  return out;
}
