// Prints a plan as text, in the shape of Flink's EXPLAIN: one node per line with its attributes,
// children below with `:- ` (not last) and `+- ` (last), optionally each node's changelog mode.
import { pathToString } from '../catalog/catalog-objects.ts';
import { typeToString } from '../types/data-type.ts';
import type { AggCall, Field, LogicalNode, SortKey, WindowDef } from './logical-plan.ts';
import { inputsOf } from './logical-plan.ts';
import { rexToString } from './rex.ts';
import { aggregateChain, globalWindowAggregateLine } from './explain-aggregate.ts';
import type { PushedWatermarks } from './explain-watermark.ts';

const names = (fields: readonly Field[]): string[] => fields.map((f) => f.name);

function ms(v: number): string {
  if (v % 3_600_000 === 0) return `${v / 3_600_000} h`;
  if (v % 60_000 === 0) return `${v / 60_000} min`;
  if (v % 1000 === 0) return `${v / 1000} s`;
  return `${v} ms`;
}

export function windowToString(w: WindowDef, inputNames: readonly string[]): string {
  const t = inputNames[w.timeIndex] ?? `$${w.timeIndex}`;
  switch (w.kind) {
    case 'TUMBLE': return `TUMBLE(time_col=[${t}], size=[${ms(w.size)}]${w.offset ? `, offset=[${ms(w.offset)}]` : ''})`;
    case 'HOP': return `HOP(time_col=[${t}], size=[${ms(w.size)}], slide=[${ms(w.slide)}])`;
    case 'CUMULATE': return `CUMULATE(time_col=[${t}], max_size=[${ms(w.size)}], step=[${ms(w.step)}])`;
    case 'SESSION': return `SESSION(time_col=[${t}], gap=[${ms(w.gap)}]${w.partitionKeys.length ? `, partition keys=[${w.partitionKeys.map((k) => inputNames[k]).join(', ')}]` : ''})`;
  }
}

function aggToString(a: AggCall, inputNames: readonly string[]): string {
  const args = a.args.length === 0 && a.fn === 'COUNT' ? '*' : a.args.map((i) => inputNames[i]).join(', ');
  // IGNORE NULLS after the call as Calcite's AggregateCall prints it, so ARRAY_AGG(x) and ARRAY_AGG(x IGNORE NULLS) differ
  return `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${args})${a.ignoreNulls ? ' IGNORE NULLS' : ''}${a.filterArg !== undefined ? ` FILTER ${inputNames[a.filterArg]}` : ''} AS ${a.name}`;
}

function sortToString(k: SortKey, inputNames: readonly string[]): string {
  return `${inputNames[k.index]} ${k.direction}`;
}

/** One line describing a node (as Flink names its nodes in EXPLAIN and in error messages). */
export function describeNode(node: LogicalNode, sourceDigest?: string): string {
  switch (node.kind) {
    case 'TableScan': {
      const cols = node.table.schema.columns;
      const parts = [`table=[[${node.table.path.catalog}, ${node.table.path.database}, ${node.table.path.name}${node.projection.length < cols.filter((c) => c.kind !== 'computed').length ? `, project=[${node.projection.map((i) => cols[i]!.name).join(', ')}]` : ''}${sourceDigest ? `, ${sourceDigest}` : ''}]]`];
      if (node.filters.length > 0) parts.push(`filter=[${node.filters.map((f) => rexToString(f, names(node.fields))).join(', ')}]`);
      parts.push(`fields=[${names(node.fields).join(', ')}]`);
      return `TableSourceScan(${parts.join(', ')})`;
    }
    case 'WatermarkAssigner': return `WatermarkAssigner(rowtime=[${node.fields[node.rowtimeIndex]!.name}], watermark=[${rexToString(node.watermark, names(node.input.fields))}])`;
    case 'Values': return `Values(tuples=[[${node.rows.map((r) => `{ ${r.map((x) => rexToString(x, [])).join(', ')} }`).join(', ')}]])`;
    case 'Project': {
      const inNames = names(node.input.fields);
      return `Calc(select=[${node.exprs.map((e, i) => {
        const text = rexToString(e, inNames);
        return text === node.fields[i]!.name ? text : `${text} AS ${node.fields[i]!.name}`;
      }).join(', ')}])`;
    }
    case 'Filter': return `Calc(select=[${names(node.fields).join(', ')}], where=[${rexToString(node.condition, names(node.input.fields))}])`;
    case 'Aggregate': {
      const inNames = names(node.input.fields);
      const select = [...node.groupKeys.map((k) => inNames[k]!), ...node.aggCalls.map((a) => aggToString(a, inNames))];
      return `${node.twoPhase ? 'GlobalGroupAggregate' : 'GroupAggregate'}(${node.groupKeys.length ? `groupBy=[${node.groupKeys.map((k) => inNames[k]).join(', ')}], ` : ''}select=[${select.join(', ')}])`;
    }
    case 'WindowTableFunction': return `WindowTableFunction(window=[${windowToString(node.window, names(node.input.fields))}])`;
    case 'WindowAggregate': {
      const inNames = names(node.input.fields);
      const select = [...node.groupKeys.map((k) => inNames[k]!), ...node.aggCalls.map((a) => aggToString(a, inNames)), ...node.properties.map((p) => `${p === 'window_start' ? 'start' : p === 'window_end' ? 'end' : 'rowtime'}('w$) AS ${p}`)];
      if (node.twoPhase === true) return globalWindowAggregateLine(node, select);
      return `WindowAggregate(${node.groupKeys.length ? `groupBy=[${node.groupKeys.map((k) => inNames[k]).join(', ')}], ` : ''}window=[${windowToString(node.window, inNames)}], select=[${select.join(', ')}])`;
    }
    case 'Join': {
      const all = [...names(node.left.fields), ...names(node.right.fields)];
      const kind = { regular: 'Join', interval: 'IntervalJoin', temporal: 'TemporalJoin', lookup: 'LookupJoin', window: 'WindowJoin' }[node.variant.kind];
      const extra = node.variant.kind === 'interval' ? `, windowBounds=[leftLowerBound=${node.variant.lowerBound}, leftUpperBound=${node.variant.upperBound}, leftTimeIndex=${node.variant.leftTime}, rightTimeIndex=${node.variant.rightTime}]` : '';
      return `${kind}(joinType=[${node.joinType === 'INNER' ? 'InnerJoin' : node.joinType === 'LEFT' ? 'LeftOuterJoin' : node.joinType === 'RIGHT' ? 'RightOuterJoin' : node.joinType === 'FULL' ? 'FullOuterJoin' : node.joinType === 'SEMI' ? 'LeftSemiJoin' : 'LeftAntiJoin'}]${extra}, where=[${rexToString(node.condition, all)}], select=[${all.join(', ')}])`;
    }
    case 'Correlate': return `Correlate(invocation=[${node.fn}(${node.args.map((a) => rexToString(a, names(node.input.fields))).join(', ')})], joinType=[${node.joinType}], select=[${names(node.fields).join(', ')}])`;
    case 'Union': return `Union(all=[${node.all}], union=[${names(node.fields).join(', ')}])`;
    case 'Over': {
      const inNames = names(node.input.fields);
      return `OverAggregate(${node.groups.map((g) => `${g.partitionKeys.length ? `partitionBy=[${g.partitionKeys.map((k) => inNames[k]).join(', ')}], ` : ''}orderBy=[${g.orderKeys.map((k) => sortToString(k, inNames)).join(', ')}], window=[${g.frame.unit} BETWEEN ${g.frame.preceding === undefined ? 'UNBOUNDED' : g.frame.unit === 'RANGE' ? ms(g.frame.preceding) : g.frame.preceding} PRECEDING AND CURRENT ROW], select=[${g.aggCalls.map((a) => aggToString(a, inNames)).join(', ')}]`).join('; ')})`;
    }
    case 'Rank': {
      const inNames = names(node.input.fields);
      return `${node.window ? 'WindowRank' : 'Rank'}(${node.window ? `window=[${windowToString(node.window, inNames)}], ` : ''}rankType=[${node.rankType}], rankRange=[rankStart=${node.rankStart}, rankEnd=${node.rankEnd}], partitionBy=[${node.partitionKeys.map((k) => inNames[k]).join(', ')}], orderBy=[${node.orderKeys.map((k) => sortToString(k, inNames)).join(', ')}], select=[${names(node.fields).join(', ')}])`;
    }
    case 'Deduplicate': {
      const inNames = names(node.input.fields);
      return `Deduplicate(keep=[${node.keepLastRow ? 'LastRow' : 'FirstRow'}], key=[${node.partitionKeys.map((k) => inNames[k]).join(', ')}], order=[${node.timeKind}])`;
    }
    case 'Sort': {
      const inNames = names(node.input.fields);
      const parts = node.keys.length ? [`orderBy=[${node.keys.map((k) => sortToString(k, inNames)).join(', ')}]`] : [];
      if (node.offset !== undefined) parts.push(`offset=[${node.offset}]`);
      if (node.fetch !== undefined) parts.push(`fetch=[${node.fetch}]`);
      return `${node.fetch !== undefined ? (node.keys.length ? 'SortLimit' : 'Limit') : 'Sort'}(${parts.join(', ')})`;
    }
    case 'Sink': return `Sink(table=[${pathToString(node.table.path)}], fields=[${names(node.fields).join(', ')}])`;
  }
}

export interface ExplainOptions {
  /** Annotates each node with its changelog mode, as EXPLAIN CHANGELOG_MODE does. */
  changelog?: (node: LogicalNode) => string | undefined;
  /** Adds the output row type of each node. */
  rowTypes?: boolean;
  /** Nodes shared by several parents (reuseMarks): the first print gets `(reuse_id=[n])`, later ones `Reused(reference_id=[n])`. */
  reuse?: ReuseMarks;
  /** WATERMARKs generated in their source: printed in the TableSourceScan, no WatermarkAssigner (explain-watermark.ts) */
  pushedWatermarks?: PushedWatermarks;
}

export interface ReuseMarks {
  readonly ids: ReadonlyMap<LogicalNode, number>;
  /** shared nodes already printed (shared by the trees of one EXPLAIN) */
  readonly printed: Set<LogicalNode>;
}

/** Numbers the nodes reached more than once from `roots` (in print order), as Flink's EXPLAIN marks reused nodes. */
export function reuseMarks(roots: readonly LogicalNode[]): ReuseMarks {
  const reached = new Set<LogicalNode>();
  const ids = new Map<LogicalNode, number>();
  const walk = (n: LogicalNode): void => {
    if (reached.has(n)) {
      if (!ids.has(n)) ids.set(n, 0);
      return;
    }
    reached.add(n);
    inputsOf(n).forEach(walk);
  };
  roots.forEach(walk);
  // ids in the order the nodes are first printed
  let next = 1;
  const seen = new Set<LogicalNode>();
  const number = (n: LogicalNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (ids.has(n)) ids.set(n, next++);
    inputsOf(n).forEach(number);
  };
  roots.forEach(number);
  return { ids, printed: new Set() };
}

export function explainPlan(root: LogicalNode, options: ExplainOptions = {}): string {
  const lines: string[] = [];
  // `shared`: the node whose reuse marks the line carries (a skipped WatermarkAssigner's, for its input)
  const walk = (node: LogicalNode, prefix: string, childPrefix: string, shared: LogicalNode = node): void => {
    if (node.kind === 'WatermarkAssigner' && options.pushedWatermarks?.assigners.has(node)) {
      walk(node.input, prefix, childPrefix, node);
      return;
    }
    const reuseId = options.reuse?.ids.get(shared);
    if (reuseId !== undefined && options.reuse!.printed.has(shared)) {
      lines.push(`${prefix}Reused(reference_id=[${reuseId}])`);
      return;
    }
    if (reuseId !== undefined) options.reuse!.printed.add(shared);
    let line = describeNode(node, options.pushedWatermarks?.digests.get(node));
    const mode = options.changelog?.(node);
    if (mode !== undefined) line = `${line.slice(0, -1)}, changelogMode=[${mode}])`;
    if (reuseId !== undefined) line += `(reuse_id=[${reuseId}])`;
    if (options.rowTypes) line += `: rowType=[${node.fields.map((f) => `${f.name} ${typeToString(f.type)}`).join(', ')}]`;
    lines.push(prefix + line);
    // the operators an aggregate runs as below it (mini-batch, local phase), one per line
    for (const below of aggregateChain(node)) {
      lines.push(`${childPrefix}+- ${below}`);
      childPrefix += '   ';
    }
    const inputs = inputsOf(node);
    inputs.forEach((c, i) => {
      const last = i === inputs.length - 1;
      walk(c, childPrefix + (last ? '+- ' : ':- '), childPrefix + (last ? '   ' : ':  '));
    });
  };
  walk(root, '', '');
  return lines.join('\n');
}
