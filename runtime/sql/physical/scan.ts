// TableScan → the table connector's source (runtime/connectors/factory), then the pushed-down
// projection (only the columns the query reads travel further) and the pushed-down filters, both
// evaluated right after reading, in the source's task. A source with projection push-down (Kafka
// in json) reads only the scanned columns when no other scan shares it; the others read whole
// rows and a Project step narrows them. No source filters by itself yet.
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import type { WatermarkStrategy } from '../../api/watermarks.ts';
import { tableDescriptor } from '../planner/registry-capabilities.ts';
import { compileFilter } from '../codegen/expression-codegen.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import { and } from '../planner/rex.ts';
import { T } from '../types/data-type.ts';
import type { RowStream, TranslateContext } from './context.ts';
import { unsupportedNode } from './unsupported.ts';
import { reuseSourceEnabled, tableSourceKey } from '../planner/rules/source-reuse.ts';
import { idlenessFor } from './source-idleness.ts';

/** For each scanned column (index into the table's columns), its index among the physical columns. */
export function physicalIndexes(node: NodeOf<'TableScan'>): number[] {
  const cols = node.table.schema.columns;
  return node.projection.map((i) => {
    const c = cols[i];
    if (c === undefined) throw new Error(`scan of ${node.table.path.name}: column index ${i} out of range`);
    if (c.kind !== 'physical') throw unsupportedNode(node, `${c.kind} column '${c.name}' of table '${node.table.path.name}'`);
    return cols.slice(0, i).filter((d) => d.kind === 'physical').length;
  });
}

/** `projection`: the physical columns the source itself reads (projection push-down), in this order. */
function readSource(node: NodeOf<'TableScan'>, ctx: TranslateContext, watermark?: WatermarkStrategy<ChangelogRow>, projection?: readonly number[]): RowStream {
  const table = ctx.registry.createSource(tableDescriptor(node.table));
  const name = `TableSourceScan(${node.table.path.name}${watermark ? ', watermark pushed down' : ''}${projection ? `, project=[${node.fields.map((f) => f.name).join(', ')}]` : ''})`;
  // without push-down, a WatermarkAssigner above may still want its subtask marked idle (source-idleness.ts)
  const stream: RowStream = ctx.env.fromSource(table.createSource(projection), watermark ?? idlenessFor(ctx.env, node), name);
  const uid = ctx.uids.get(node);
  return uid === undefined ? stream : stream.uid(uid);
}

/**
 * `watermark`: a WatermarkAssigner pushed into the source (watermark.ts), over the source's rows.
 * Without one, scans of the same table share one source when source reuse is on (planner/rules/
 * source-reuse.ts): it reads whole rows, each scan narrows them below. The shared source has the
 * uid of the scan translated first; the uids of the others (`...-2`) hold no state.
 */
export function translateScan(node: NodeOf<'TableScan'>, ctx: TranslateContext, watermark?: WatermarkStrategy<ChangelogRow>): RowStream {
  const indexes = physicalIndexes(node);
  const width = node.table.schema.columns.filter((c) => c.kind === 'physical').length;
  const identity = indexes.length === width && indexes.every((p, i) => p === i);
  let stream: RowStream;
  // projection push-down (Flink's SupportsProjectionPushDown): when no other scan shares the
  // table's source and no watermark is computed from its whole rows, the connector reads only the
  // scanned columns (the json format converts no other field) and no Project step follows
  const pushProjection = !identity && watermark === undefined && ctx.soleScans?.has(node) === true
    && ctx.registry.createSource(tableDescriptor(node.table)).projectionPushDown === true;
  if (pushProjection) {
    stream = readSource(node, ctx, undefined, indexes);
  } else if (watermark === undefined && ctx.sources !== undefined && reuseSourceEnabled(ctx.config)) {
    const key = tableSourceKey(node.table);
    stream = ctx.sources.get(key) ?? readSource(node, ctx);
    ctx.sources.set(key, stream);
  } else {
    stream = readSource(node, ctx, watermark);
  }
  if (!identity && !pushProjection) stream = stream.map<ChangelogRow>((r) => ({ kind: r.kind, values: indexes.map((p) => r.values[p]) }), { name: `Project(${node.fields.map((f) => f.name).join(', ')})` });
  const condition = and(node.filters, T.boolean());
  if (condition !== undefined) {
    const keep = compileFilter(condition);
    stream = stream.filter((r) => keep(r.values), { name: 'Filter(pushed into scan)' });
  }
  return stream;
}
