// Sink → the table connector's sink (or the caller's override, e.g. a collecting sink). This
// first slice runs insert-only plans only: a node emitting updates is refused before it.
import { tableDescriptor } from '../planner/registry-capabilities.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import type { TranslateContext } from './context.ts';
import { unsupportedNode } from './unsupported.ts';

export function translateSink(node: NodeOf<'Sink'>, ctx: TranslateContext): void {
  // the sink's rows carry its persisted metadata columns too, which the factory's sinks do not take yet
  const metadata = node.table.schema.columns.find((c) => c.kind === 'metadata' && !c.virtual);
  if (metadata !== undefined) throw unsupportedNode(node, `metadata column '${metadata.name}' of sink table '${node.table.path.name}' cannot be written yet`);
  const input = ctx.translate(node.input);
  const sink = ctx.sinkFor?.(node.table) ?? ctx.registry.createSink(tableDescriptor(node.table)).createSink();
  const uid = ctx.uids.get(node);
  input.sinkTo(sink, { name: `Sink(${node.table.path.name})`, ...(uid === undefined ? {} : { uid }) });
}
