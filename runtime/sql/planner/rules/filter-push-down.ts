// Filter push-down (Flink's FilterIntoJoinRule, FilterProjectTransposeRule, and pushing into
// the source scan): moves each conjunct of a filter as close to the data as it can go, so fewer
// rows travel and joins get their equality conditions (`FROM a, b WHERE a.id = b.id` becomes a
// join on a.id = b.id instead of a cross join). Filters never pass a WatermarkAssigner: that
// would change which rows advance the watermark.
import type { LogicalNode, NodeOf } from '../logical-plan.ts';
import type { Rex } from '../rex.ts';
import { and, conjunctions, inputRefsOf, mapInputRefs } from '../rex.ts';
import { T } from '../../types/data-type.ts';
import type { Rule } from './rule.ts';

const BOOL = T.boolean();

function isDeterministic(rex: Rex): boolean {
  if (rex.kind === 'call') {
    if (['RAND', 'RAND_INTEGER', 'UUID', 'NOW', 'CURRENT_TIMESTAMP', 'CURRENT_ROW_TIMESTAMP', 'PROCTIME', 'LOCALTIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'UNIX_TIMESTAMP'].includes(rex.op)) return false;
    return rex.operands.every(isDeterministic);
  }
  if (rex.kind === 'fieldAccess') return isDeterministic(rex.expr);
  return true;
}

function filterOver(input: LogicalNode, parts: Rex[]): LogicalNode {
  const condition = and(parts, BOOL);
  return condition === undefined ? input : { kind: 'Filter', input, condition, fields: input.fields };
}

function intoJoin(filter: NodeOf<'Filter'>, join: NodeOf<'Join'>): LogicalNode | undefined {
  if (join.joinType !== 'INNER' || join.variant.kind !== 'regular') return undefined;
  const leftWidth = join.left.fields.length;
  const toLeft: Rex[] = [];
  const toRight: Rex[] = [];
  const toJoin: Rex[] = [];
  const stay: Rex[] = [];
  for (const c of conjunctions(filter.condition)) {
    const refs = [...inputRefsOf(c)];
    if (!isDeterministic(c)) stay.push(c);
    else if (refs.length > 0 && refs.every((r) => r < leftWidth)) toLeft.push(c);
    else if (refs.length > 0 && refs.every((r) => r >= leftWidth)) toRight.push(mapInputRefs(c, (i, t) => ({ kind: 'inputRef', index: i - leftWidth, type: t })));
    else toJoin.push(c);
  }
  if (toLeft.length + toRight.length + toJoin.length === 0) return undefined;
  const existing = join.condition.kind === 'literal' && join.condition.value === true ? [] : conjunctions(join.condition);
  const condition = and([...existing, ...toJoin], BOOL) ?? join.condition;
  const newJoin: LogicalNode = { ...join, left: filterOver(join.left, toLeft), right: filterOver(join.right, toRight), condition };
  return filterOver(newJoin, stay);
}

function throughProject(filter: NodeOf<'Filter'>, project: NodeOf<'Project'>): LogicalNode | undefined {
  // Substitute the projected expressions; only deterministic ones, and never through a
  // projection that creates a time attribute from nothing (PROCTIME()).
  if (!project.exprs.every(isDeterministic)) return undefined;
  const pushed = mapInputRefs(filter.condition, (i) => project.exprs[i]!);
  return { ...project, input: { kind: 'Filter', input: project.input, condition: pushed, fields: project.input.fields } };
}

/**
 * One-sided conjuncts of a join's own condition go into that input (Flink's JoinConditionPushRule):
 * both sides for an inner join, only the side whose rows may be dropped for outer joins.
 */
function joinConditionPush(join: NodeOf<'Join'>): LogicalNode | undefined {
  if (join.variant.kind !== 'regular' || join.joinType === 'FULL' || join.joinType === 'SEMI' || join.joinType === 'ANTI') return undefined;
  const lw = join.left.fields.length;
  const toLeft: Rex[] = [];
  const toRight: Rex[] = [];
  const stay: Rex[] = [];
  for (const c of conjunctions(join.condition)) {
    const refs = [...inputRefsOf(c)];
    if (!isDeterministic(c) || refs.length === 0) stay.push(c);
    else if (refs.every((r) => r < lw) && join.joinType !== 'LEFT') toLeft.push(c);
    else if (refs.every((r) => r >= lw) && join.joinType !== 'RIGHT') toRight.push(mapInputRefs(c, (i, t) => ({ kind: 'inputRef', index: i - lw, type: t })));
    else stay.push(c);
  }
  if (toLeft.length + toRight.length === 0) return undefined;
  const condition = and(stay, BOOL) ?? { kind: 'literal', value: true, type: T.boolean(false) };
  return { ...join, left: filterOver(join.left, toLeft), right: filterOver(join.right, toRight), condition };
}

export const filterPushDown: Rule = {
  name: 'filter-push-down',
  rewrite(node) {
    if (node.kind === 'Join') return joinConditionPush(node);
    if (node.kind !== 'Filter') return undefined;
    const input = node.input;
    switch (input.kind) {
      case 'Filter': return { ...input, condition: and([input.condition, node.condition], BOOL)! };
      case 'Join': return intoJoin(node, input);
      case 'Project': return throughProject(node, input);
      case 'TableScan': {
        // The scan evaluates pushed conditions right after reading (in the source's task).
        const parts = conjunctions(node.condition);
        const pushable = parts.filter(isDeterministic);
        if (pushable.length === 0) return undefined;
        const scan: LogicalNode = { ...input, filters: [...input.filters, ...pushable] };
        return filterOver(scan, parts.filter((p) => !isDeterministic(p)));
      }
      default: return undefined;
    }
  },
};
