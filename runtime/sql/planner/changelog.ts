// What each node emits (Flink's changelog mode inference): insert-only `[I]`, retractions
// `[I,UB,UA]`/`[I,UB,UA,D]`, and the upsert keys of updating streams. Nodes that cannot take
// updates (window aggregates, OVER, interval joins) and append-only sinks refuse them with
// Flink's kind of message, naming the node that produced them.
import type { CatalogTable } from '../catalog/catalog-objects.ts';
import { pathToString } from '../catalog/catalog-objects.ts';
import { SqlError } from '../errors.ts';
import { describeNode } from './explain.ts';
import type { LogicalNode } from './logical-plan.ts';
import { inputsOf } from './logical-plan.ts';

export type RowKindCode = 'I' | 'UB' | 'UA' | 'D';

export interface ChangelogInfo {
  kinds: RowKindCode[];
  /** Sets of output columns that identify a row of an updating stream. */
  upsertKeys: number[][];
  /** The node that first produced updates (for messages). */
  origin?: LogicalNode;
}

/** What a connector does: the source's changelog and which changelog a sink takes. */
export interface ConnectorCapabilities {
  sourceKinds(table: CatalogTable): RowKindCode[];
  /** 'insert-only' (append), 'upsert' (by primary key), 'all' (any changelog, e.g. print). */
  sinkMode(table: CatalogTable): 'insert-only' | 'upsert' | 'all';
  /** whether the table's source generates the WATERMARK itself (push-down, Kafka); absent: none does (rules/source-reuse.ts) */
  watermarkPushDown?(table: CatalogTable): boolean;
}

/**
 * Built-in knowledge of the connectors Flink ships, until the connector factory answers
 * (runtime/connectors/factory): print and blackhole take anything, upsert-kafka and JDBC with a
 * primary key upsert, everything else appends.
 */
export const defaultConnectorCapabilities: ConnectorCapabilities = {
  sourceKinds(table) {
    const c = table.options['connector'] ?? '';
    if (c === 'upsert-kafka' || c.endsWith('-cdc')) return ['I', 'UB', 'UA', 'D'];
    return ['I'];
  },
  sinkMode(table) {
    const c = table.options['connector'] ?? '';
    if (c === 'print' || c === 'blackhole' || c === 'collect') return 'all';
    if (c === 'upsert-kafka') return 'upsert';
    if ((c === 'jdbc' || c === 'elasticsearch-7' || c === 'hbase-2.2') && table.schema.primaryKey !== undefined) return 'upsert';
    return 'insert-only';
  },
};

export const INSERT_ONLY: RowKindCode[] = ['I'];
const RETRACT: RowKindCode[] = ['I', 'UB', 'UA'];
const ALL: RowKindCode[] = ['I', 'UB', 'UA', 'D'];

const isInsertOnly = (c: ChangelogInfo): boolean => c.kinds.length === 1 && c.kinds[0] === 'I';
const union = (...cs: ChangelogInfo[]): RowKindCode[] => ALL.filter((k) => cs.some((c) => c.kinds.includes(k)));

function changesText(c: ChangelogInfo): string {
  return c.kinds.includes('D') ? 'update and delete changes' : 'update changes';
}

function refuse(consumer: string, input: ChangelogInfo, at: LogicalNode): never {
  const origin = input.origin ?? at;
  throw new SqlError('MR_ERR_SQL_PLAN', `${consumer} doesn't support consuming ${changesText(input)} which is produced by node ${describeNode(origin)}`);
}

/** Derives the changelog of every node of the plan (children first); throws where Flink refuses. */
export function deriveChangelog(root: LogicalNode, capabilities: ConnectorCapabilities = defaultConnectorCapabilities): Map<LogicalNode, ChangelogInfo> {
  const out = new Map<LogicalNode, ChangelogInfo>();
  const visit = (node: LogicalNode): ChangelogInfo => {
    const known = out.get(node);
    if (known !== undefined) return known;
    const ins = inputsOf(node).map(visit);
    const info = infer(node, ins, capabilities);
    out.set(node, info);
    return info;
  };
  visit(root);
  return out;
}

function infer(node: LogicalNode, ins: ChangelogInfo[], caps: ConnectorCapabilities): ChangelogInfo {
  const input = ins[0]!;
  const updating = (kinds: RowKindCode[], upsertKeys: number[][]): ChangelogInfo => ({ kinds, upsertKeys, origin: node });
  switch (node.kind) {
    case 'TableScan': {
      const kinds = caps.sourceKinds(node.table);
      const pk = node.table.schema.primaryKey?.columns.map((c) => node.fields.findIndex((f) => f.name === c)) ?? [];
      return kinds.length === 1 ? { kinds, upsertKeys: [] } : { kinds, upsertKeys: pk.every((i) => i >= 0) && pk.length > 0 ? [pk] : [], origin: node };
    }
    case 'Values': return { kinds: INSERT_ONLY, upsertKeys: [] };
    case 'WatermarkAssigner': case 'Filter': case 'Sort':
      if (node.kind === 'Sort' && node.fetch !== undefined && node.keys.length > 0) return updating(ALL, []);
      return input;
    case 'Project': {
      // Upsert keys survive when every key column is projected as is.
      const keys = input.upsertKeys.flatMap((key) => {
        const mapped = key.map((k) => node.exprs.findIndex((e) => e.kind === 'inputRef' && e.index === k));
        return mapped.every((m) => m >= 0) ? [mapped] : [];
      });
      return { ...input, upsertKeys: keys };
    }
    case 'Correlate': return input;
    case 'Aggregate': {
      const keys = [node.groupKeys.map((_, i) => i)];
      return updating(isInsertOnly(input) ? RETRACT : ALL, keys);
    }
    case 'WindowTableFunction':
      if (!isInsertOnly(input)) refuse('StreamPhysicalWindowTableFunction', input, node);
      return { kinds: INSERT_ONLY, upsertKeys: [] };
    case 'WindowAggregate':
      if (!isInsertOnly(input)) refuse('StreamPhysicalWindowAggregate', input, node);
      return { kinds: INSERT_ONLY, upsertKeys: [] };
    case 'Over':
      if (!isInsertOnly(input)) refuse('StreamPhysicalOverAggregate', input, node);
      return { kinds: INSERT_ONLY, upsertKeys: [] };
    case 'Deduplicate':
      if (!isInsertOnly(input)) refuse('StreamPhysicalDeduplicate', input, node);
      // Only keeping the first row by processing time never changes an emitted row.
      if (!node.keepLastRow && node.timeKind === 'PROCTIME') return { kinds: INSERT_ONLY, upsertKeys: [] };
      return updating(RETRACT, [node.partitionKeys.map((k) => k)]);
    case 'Rank':
      if (node.window !== undefined) {
        if (!isInsertOnly(input)) refuse('StreamPhysicalWindowRank', input, node);
        return { kinds: INSERT_ONLY, upsertKeys: [] };
      }
      return updating(ALL, node.outputRankNumber ? [[...node.partitionKeys, node.fields.length - 1]] : [node.partitionKeys]);
    case 'Union': {
      const kinds = union(...ins);
      const firstUpdating = ins.find((c) => !isInsertOnly(c));
      return kinds.length === 1 ? { kinds, upsertKeys: [] } : { kinds, upsertKeys: [], ...(firstUpdating?.origin ? { origin: firstUpdating.origin } : {}) };
    }
    case 'Join': {
      const [l, r] = ins as [ChangelogInfo, ChangelogInfo];
      if (node.variant.kind === 'interval' || node.variant.kind === 'window') {
        for (const side of [l, r]) if (!isInsertOnly(side)) refuse(node.variant.kind === 'interval' ? 'StreamPhysicalIntervalJoin' : 'StreamPhysicalWindowJoin', side, node);
        return { kinds: INSERT_ONLY, upsertKeys: [] };
      }
      if (node.variant.kind === 'temporal' || node.variant.kind === 'lookup') {
        if (!isInsertOnly(l)) return { ...l, origin: l.origin ?? node };
        return { kinds: INSERT_ONLY, upsertKeys: [] };
      }
      if ((node.joinType === 'INNER' || node.joinType === 'SEMI') && isInsertOnly(l) && isInsertOnly(r)) return { kinds: INSERT_ONLY, upsertKeys: [] };
      return updating(ALL, []);
    }
    case 'Sink': {
      const mode = caps.sinkMode(node.table);
      const name = `Table sink '${pathToString(node.table.path)}'`;
      if (mode === 'insert-only' && !isInsertOnly(input)) refuse(name, input, node);
      if (mode === 'upsert' && !isInsertOnly(input) && node.table.schema.primaryKey === undefined) {
        throw new SqlError('MR_ERR_SQL_PLAN', `${name} takes updates by primary key, but the table has none: declare PRIMARY KEY (...) NOT ENFORCED on it`);
      }
      // An upsert sink drops the update-before rows.
      const kinds = mode === 'upsert' ? input.kinds.filter((k) => k !== 'UB') : input.kinds;
      return { ...input, kinds };
    }
  }
}

export function changelogText(info: ChangelogInfo): string {
  return info.kinds.join(',');
}
