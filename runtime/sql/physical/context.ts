// What every node translator shares: the environment being built, the connector registry, the
// plan-derived uids, and how sinks are chosen (the table's connector, or a collecting override).
import type { StreamExecutionEnvironment } from '../../api/environment.ts';
import type { DataStream } from '../../api/data-stream.ts';
import type { Sink } from '../../api/functions.ts';
import type { ConnectorRegistry } from '../../connectors/factory/registry.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import type { CatalogTable } from '../catalog/catalog-objects.ts';
import type { ChangelogInfo } from '../planner/changelog.ts';
import type { LogicalNode } from '../planner/logical-plan.ts';

/** Every SQL stream carries changelog rows (kind + positional values in row.ts's representation). */
export type RowStream = DataStream<ChangelogRow>;

export interface TranslateOptions {
  readonly registry: ConnectorRegistry;
  /** Replaces a sink table's connector (sql:compare and tests collect rows in-process). */
  readonly sinkFor?: (table: CatalogTable) => Sink<ChangelogRow> | undefined;
  /** the session's configuration (`SET 'k' = 'v'`), e.g. `table.exec.state.ttl` */
  readonly config?: ReadonlyMap<string, string>;
}

export interface TranslateContext extends TranslateOptions {
  readonly env: StreamExecutionEnvironment;
  /** uids of the stateful nodes (sources, sinks, ...), stable across plan-preserving edits */
  readonly uids: ReadonlyMap<LogicalNode, string>;
  /** what each node of the tree emits (planner/changelog.ts): insert-only inputs let operators keep less state */
  readonly changelog?: ReadonlyMap<LogicalNode, ChangelogInfo>;
  /** one raw source per table of the job (scan.ts), when source reuse is on */
  readonly sources?: Map<string, RowStream>;
  /** scans whose table no other scan of the job reads: their source may read just their columns (scan.ts) */
  readonly soleScans?: ReadonlySet<LogicalNode>;
  /** translates an input node (memoized: a node shared by two sinks is built once) */
  translate(node: LogicalNode): RowStream;
}
