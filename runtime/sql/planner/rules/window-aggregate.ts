// Window aggregation (Flink's window TVF aggregation): an aggregate over a window table function
// whose GROUP BY holds window_start and window_end becomes a WindowAggregate that assigns rows to
// windows and emits each window once, when the watermark passes its end, instead of an unbounded
// group aggregate that updates forever.
import type { LogicalNode, NodeOf } from '../logical-plan.ts';
import type { Rex } from '../rex.ts';
import { inputRef, inputRefsOf } from '../rex.ts';
import type { Rule } from './rule.ts';

type Property = 'window_start' | 'window_end' | 'window_time';
const PROPS: Property[] = ['window_start', 'window_end', 'window_time'];

export const windowAggregate: Rule = {
  name: 'window-aggregate',
  rewrite(node) {
    if (node.kind !== 'Aggregate' || node.input.kind !== 'Project') return undefined;
    const project = node.input;
    let filter: NodeOf<'Filter'> | undefined;
    let below = project.input;
    if (below.kind === 'Filter') { filter = below; below = below.input; }
    if (below.kind !== 'WindowTableFunction') return undefined;
    const wtf = below;
    const w = wtf.input.fields.length;
    const propOf = (rex: Rex): Property | undefined => (rex.kind === 'inputRef' && rex.index >= w ? PROPS[rex.index - w] : undefined);
    const keyProps = node.groupKeys.map((k) => propOf(project.exprs[k]!));
    if (!keyProps.includes('window_start') || !keyProps.includes('window_end')) return undefined;
    if (filter !== undefined && [...inputRefsOf(filter.condition)].some((i) => i >= w)) return undefined;
    // Everything else must be computable from the window function's input.
    const usedByAggs = new Set(node.aggCalls.flatMap((a) => [...a.args, ...(a.filterArg === undefined ? [] : [a.filterArg])]));
    const needed = project.exprs.map((_, i) => i).filter((i) => !(node.groupKeys.includes(i) && keyProps[node.groupKeys.indexOf(i)] !== undefined));
    for (const i of needed) if ([...inputRefsOf(project.exprs[i]!)].some((r) => r >= w) && (usedByAggs.has(i) || node.groupKeys.includes(i))) return undefined;
    // The new projection: the needed expressions, then the time column for the window.
    const exprs: Rex[] = [];
    const names: string[] = [];
    const remap = new Map<number, number>();
    for (const i of needed) {
      if ([...inputRefsOf(project.exprs[i]!)].some((r) => r >= w)) continue;
      remap.set(i, exprs.length);
      exprs.push(project.exprs[i]!);
      names.push(project.fields[i]!.name);
    }
    const timeField = wtf.input.fields[wtf.window.timeIndex]!;
    let timeIndex = exprs.findIndex((e) => e.kind === 'inputRef' && e.index === wtf.window.timeIndex);
    if (timeIndex < 0) {
      exprs.push(inputRef(wtf.window.timeIndex, timeField.type));
      names.push(timeField.name);
      timeIndex = exprs.length - 1;
    }
    const base: LogicalNode = filter === undefined ? wtf.input : { kind: 'Filter', input: wtf.input, condition: filter.condition, fields: wtf.input.fields };
    const fields = exprs.map((e, i) => ({ name: names[i]!, type: e.type }));
    const newProject: LogicalNode = { kind: 'Project', input: base, exprs, fields };
    const plainKeys = node.groupKeys.filter((_, j) => keyProps[j] === undefined);
    const properties = PROPS.filter((p) => keyProps.includes(p) || p !== 'window_time');
    const window = wtf.window.kind === 'SESSION'
      ? { ...wtf.window, timeIndex, partitionKeys: wtf.window.partitionKeys.map((k) => exprs.findIndex((e) => e.kind === 'inputRef' && e.index === k)) }
      : { ...wtf.window, timeIndex };
    if (window.kind === 'SESSION' && window.partitionKeys.some((k) => k < 0)) return undefined;
    const wtfFields = wtf.fields;
    const aggCalls = node.aggCalls.map((a) => {
      const c = { ...a, args: a.args.map((x) => remap.get(x)!) };
      if (a.filterArg !== undefined) c.filterArg = remap.get(a.filterArg)!;
      return c;
    });
    const keyFields = plainKeys.map((k) => node.fields[node.groupKeys.indexOf(k)]!);
    const windowAgg: LogicalNode = {
      kind: 'WindowAggregate',
      input: newProject,
      window,
      groupKeys: plainKeys.map((k) => remap.get(k)!),
      aggCalls,
      properties,
      fields: [...keyFields, ...aggCalls.map((a) => ({ name: a.name, type: a.type })), ...properties.map((p) => ({ name: p, type: wtfFields[w + PROPS.indexOf(p)]!.type }))],
    };
    // Back to the aggregate's column order: group keys (window ones from the properties), then aggregates.
    const outExprs: Rex[] = node.fields.map((f, i) => {
      if (i < node.groupKeys.length) {
        const prop = keyProps[i];
        const at = prop === undefined ? plainKeys.indexOf(node.groupKeys[i]!) : plainKeys.length + aggCalls.length + properties.indexOf(prop);
        return inputRef(at, windowAgg.fields[at]!.type);
      }
      const at = plainKeys.length + (i - node.groupKeys.length);
      return inputRef(at, f.type);
    });
    return { kind: 'Project', input: windowAgg, exprs: outExprs, fields: node.fields.map((f, i) => ({ name: f.name, type: outExprs[i]!.type })) };
  },
};
