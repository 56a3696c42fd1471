// EXPLAIN lines for how a group aggregate runs when the configured rules marked it
// (rules/configured-rules.ts), in Flink's names: GlobalGroupAggregate (the node's own line) over
// Exchange and LocalGroupAggregate for two phases, and the MiniBatchAssigner that times the
// batches. Flink prints the assigner once above each source; here it stands under the aggregate
// it serves, since each mini-batch operator times its own batches. A two-phase window aggregate
// prints as Flink's GlobalWindowAggregate over Exchange and LocalWindowAggregate.
import type { AggCall, LogicalNode, NodeOf, WindowDef } from './logical-plan.ts';

function ms(v: number): string {
  return `${v}ms`;
}

/** The partial accumulator column of call i, as Flink names it (count1$0 for COUNT(*), max$1, ...). */
function partialName(a: AggCall, i: number): string {
  return `${a.fn === 'COUNT' && a.args.length === 0 ? 'count1' : a.fn.toLowerCase().replace(/\$/g, '')}$${i}`;
}

/** A window as Flink prints it in the two phases: over the time column (local), over the slice end (global). */
function sliceWindow(w: Exclude<WindowDef, { kind: 'SESSION' }>, timeCol: string): string {
  // as explain.ts prints durations
  const s = (v: number): string => (v % 3_600_000 === 0 ? `${v / 3_600_000} h` : v % 60_000 === 0 ? `${v / 60_000} min` : v % 1000 === 0 ? `${v / 1000} s` : `${v} ms`);
  switch (w.kind) {
    case 'TUMBLE': return `TUMBLE(${timeCol}, size=[${s(w.size)}]${w.offset ? `, offset=[${s(w.offset)}]` : ''})`;
    case 'HOP': return `HOP(${timeCol}, size=[${s(w.size)}], slide=[${s(w.slide)}])`;
    case 'CUMULATE': return `CUMULATE(${timeCol}, max_size=[${s(w.size)}], step=[${s(w.step)}])`;
  }
}

/** GlobalWindowAggregate: the node's line when it runs in two phases (rules/two-phase-window-aggregate.ts). */
export function globalWindowAggregateLine(node: NodeOf<'WindowAggregate'>, select: readonly string[]): string {
  const inNames = node.input.fields.map((f) => f.name);
  const keys = node.groupKeys.map((k) => inNames[k]!);
  const calls = node.aggCalls.map((a, i) => `${a.fn}(${partialName(a, i)}) AS ${a.name}`);
  const global = [...keys, ...calls, ...select.slice(keys.length + calls.length)];
  const window = sliceWindow(node.window as Exclude<WindowDef, { kind: 'SESSION' }>, 'slice_end=[$slice_end]');
  return `GlobalWindowAggregate(${keys.length ? `groupBy=[${keys.join(', ')}], ` : ''}window=[${window}], select=[${global.join(', ')}])`;
}

function windowAggregateChain(node: NodeOf<'WindowAggregate'>): string[] {
  if (node.twoPhase !== true) return [];
  const inNames = node.input.fields.map((f) => f.name);
  const keys = node.groupKeys.map((k) => inNames[k]!);
  const partial = node.aggCalls.map((a, i) => `${a.fn}(${a.args.length === 0 ? '*' : a.args.map((x) => inNames[x]).join(', ')})${a.filterArg !== undefined ? ` FILTER ${inNames[a.filterArg]}` : ''} AS ${partialName(a, i)}`);
  const window = sliceWindow(node.window as Exclude<WindowDef, { kind: 'SESSION' }>, `time_col=[${inNames[node.window.timeIndex]}]`);
  return [
    `Exchange(distribution=[${keys.length ? `hash[${keys.join(', ')}]` : 'single'}])`,
    `LocalWindowAggregate(${keys.length ? `groupBy=[${keys.join(', ')}], ` : ''}window=[${window}], select=[${[...keys, ...partial, "slice_end('w$) AS $slice_end"].join(', ')}])`,
  ];
}

export function aggregateChain(node: LogicalNode): string[] {
  if (node.kind === 'WindowAggregate') return windowAggregateChain(node);
  if (node.kind !== 'Aggregate' || node.miniBatch === undefined) return [];
  const assigner = `MiniBatchAssigner(interval=[${ms(node.miniBatch.latencyMs)}], size=[${node.miniBatch.size}], mode=[ProcTime])`;
  if (node.twoPhase !== true) return [assigner];
  const inNames = node.input.fields.map((f) => f.name);
  const keys = node.groupKeys.map((k) => inNames[k]!);
  const partial = node.aggCalls.map((a, i) => `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${a.args.length === 0 ? '*' : a.args.map((x) => inNames[x]).join(', ')})${a.filterArg !== undefined ? ` FILTER ${inNames[a.filterArg]}` : ''} AS ${a.fn.toLowerCase().replace(/\$/g, '')}$${i}`);
  return [
    `Exchange(distribution=[${keys.length ? `hash[${keys.join(', ')}]` : 'single'}])`,
    `LocalGroupAggregate(${keys.length ? `groupBy=[${keys.join(', ')}], ` : ''}select=[${[...keys, ...partial].join(', ')}])`,
    assigner,
  ];
}
