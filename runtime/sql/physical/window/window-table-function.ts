// A window table function used without an aggregation (`SELECT * FROM TABLE(TUMBLE(...))`):
// every row goes out once per window holding it, with window_start, window_end and window_time
// (end − 1) appended, as Flink's WindowTableFunctionOperator does (no buffering, nothing dropped
// as late; a NULL rowtime belongs to no window). Processing-time windows use the clock at arrival.
// SESSION needs the rows of a whole session first and is refused here.
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { NodeOf } from '../../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from '../context.ts';
import { unsupportedNode } from '../unsupported.ts';
import { assignWindows } from './window-assigner.ts';

export function translateWindowTableFunction(node: NodeOf<'WindowTableFunction'>, ctx: TranslateContext): RowStream {
  const window = node.window;
  if (window.kind === 'SESSION') throw unsupportedNode(node, 'SESSION windows run with an aggregation: GROUP BY window_start, window_end');
  const timeType = node.input.fields[window.timeIndex]!.type;
  const proctime = 'timeAttribute' in timeType && timeType.timeAttribute === 'PROCTIME';
  return ctx.translate(node.input).flatMap<ChangelogRow>((row, out) => {
    const t = proctime ? Date.now() : row.values[window.timeIndex];
    if (typeof t !== 'number') return;
    for (const w of assignWindows(window, t)) out.collect({ kind: row.kind, values: [...row.values, w.start, w.end, w.end - 1] });
  }, { name: `WindowTableFunction(${window.kind})` });
}
