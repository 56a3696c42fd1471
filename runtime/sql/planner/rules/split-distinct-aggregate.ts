// Split distinct aggregation (`table.optimizer.distinct-agg.split.enabled`, `...bucket-num`), as
// Flink's SplitAggregateRule: a hot group's COUNT(DISTINCT x) is spread over buckets
// MOD(HASH_CODE(x), bucket-num). The partial Aggregate groups by (group keys, bucket) and computes
// the calls as written (a value of x lands in one bucket, so it is counted once); the final
// Aggregate groups by the keys and combines the partial results (COUNT → $SUM0, SUM → SUM,
// MIN → MIN, MAX → MAX). Distinct calls over several columns (Nexmark q15/q16) get one branch per
// column (Flink's Expand, here a UNION ALL of projections): branch j buckets by its column, carries
// $e = j, and each call counts only in its own branch (its FILTER column becomes FALSE elsewhere);
// non-distinct calls count in branch 0. Applies when every call is COUNT, SUM, $SUM0, MIN or MAX
// and every distinct call has one argument; other aggregates stay as they are.
import { T } from '../../types/data-type.ts';
import type { AggCall, Field, LogicalNode, NodeOf } from '../logical-plan.ts';
import { call, inputRef, literal, type Rex } from '../rex.ts';
import type { Rule } from './rule.ts';

const SPLITTABLE = new Set(['COUNT', 'SUM', 'SUM0', '$SUM0', 'MIN', 'MAX']);
const FINAL_FN: Record<string, string> = { COUNT: '$SUM0', SUM: 'SUM', SUM0: '$SUM0', $SUM0: '$SUM0', MIN: 'MIN', MAX: 'MAX' };

export function splitDistinctAggregate(buckets: number): Rule {
  return {
    name: 'SplitDistinctAggregate',
    rewrite(node: LogicalNode): LogicalNode | undefined {
      if (node.kind !== 'Aggregate' || node.miniBatch !== undefined) return undefined;
      if (!node.aggCalls.some((c) => c.distinct)) return undefined;
      if (!node.aggCalls.every((c) => SPLITTABLE.has(c.fn) && (!c.distinct || c.args.length === 1))) return undefined;
      return split(node, buckets);
    },
  };
}

function split(node: NodeOf<'Aggregate'>, buckets: number): LogicalNode {
  const input = node.input;
  const m = input.fields.length;
  const distinctCols = [...new Set(node.aggCalls.filter((c) => c.distinct).map((c) => c.args[0]!))];
  const expand = distinctCols.length > 1;
  const bucketOf = (col: number): Rex => {
    const t = input.fields[col]!.type;
    return call('MOD', [call('$HASH_CODE', [inputRef(col, t)], T.int(t.nullable)), literal(buckets, T.int(false))], T.int(t.nullable));
  };
  const bucketField: Field = { name: '$f_bucket', type: T.int(true) };
  const passThrough = input.fields.map((f, i) => inputRef(i, f.type));
  let partialInput: LogicalNode;
  let calls: AggCall[];
  let extraKeys: number[];
  if (!expand) {
    partialInput = { kind: 'Project', input, exprs: [...passThrough, bucketOf(distinctCols[0]!)], fields: [...input.fields, bucketField] };
    calls = node.aggCalls.map((c) => ({ ...c }));
    extraKeys = [m];
  } else {
    const filterFields: Field[] = node.aggCalls.map((c, i) => ({ name: `$f_filter${i}`, type: c.filterArg === undefined ? T.boolean(false) : input.fields[c.filterArg]!.type }));
    const fields = [...input.fields, bucketField, { name: '$e', type: T.int(false) }, ...filterFields];
    const branches: LogicalNode[] = distinctCols.map((col, j) => ({
      kind: 'Project', input, fields,
      exprs: [
        ...passThrough, bucketOf(col), literal(j, T.int(false)),
        ...node.aggCalls.map((c): Rex => {
          const mine = c.distinct ? c.args[0] === col : j === 0;
          if (!mine) return literal(false, T.boolean(false));
          return c.filterArg === undefined ? literal(true, T.boolean(false)) : inputRef(c.filterArg, input.fields[c.filterArg]!.type);
        }),
      ],
    }));
    partialInput = { kind: 'Union', inputs: branches, all: true, fields };
    calls = node.aggCalls.map((c, i) => ({ ...c, filterArg: m + 2 + i }));
    extraKeys = [m, m + 1];
  }
  const partialKeys = [...node.groupKeys, ...extraKeys];
  const partialFields: Field[] = [
    ...partialKeys.map((k) => partialInput.fields[k]!),
    ...calls.map((c) => ({ name: `${c.name}$partial`, type: c.type })),
  ];
  const partial: LogicalNode = { kind: 'Aggregate', input: partialInput, groupKeys: partialKeys, aggCalls: calls, fields: partialFields };
  const first = partialKeys.length;
  const finalCalls: AggCall[] = node.aggCalls.map((c, i) => ({ fn: FINAL_FN[c.fn]!, args: [first + i], distinct: false, name: c.name, type: c.type }));
  return { kind: 'Aggregate', input: partial, groupKeys: node.groupKeys.map((_, i) => i), aggCalls: finalCalls, fields: node.fields };
}
