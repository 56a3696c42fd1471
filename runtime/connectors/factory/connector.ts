// The contract between a table (SQL DDL, a YAML pipeline, DataStream code) and a connector.
// A connector is a factory (Flink's DynamicTableSourceFactory / DynamicTableSinkFactory) with a
// name, a zod object of its options and up to three abilities: scan source, sink, lookup.
// The table gives it its physical columns and primary key; sources produce and sinks consume
// ChangelogRows (row.ts) through the runtime's ordinary Source and Sink interfaces, so anything
// that runs a DataStream job can run them.

import type { z } from 'zod';
import type { Source } from '../../api/source.ts';
import type { Sink } from '../../api/functions.ts';
import type { RowField } from '../../sql/types/data-type.ts';
import type { ResolvedFormat } from './format.ts';
import type { ChangelogMode, ChangelogRow } from './row.ts';

/** A table as the factory sees it: what a CREATE TABLE declares. */
export interface TableDescriptor {
  /** the table's name, for messages */
  readonly name: string;
  /** physical columns in order (computed and metadata columns are the planner's business) */
  readonly columns: readonly RowField[];
  /** `PRIMARY KEY (...) NOT ENFORCED` column names, if declared */
  readonly primaryKey?: readonly string[];
  /** `PARTITIONED BY (...)` column names, if declared (the filesystem connector's directories) */
  readonly partitionKeys?: readonly string[];
  /** the WITH options, `'connector'` included, values as written (secret references unresolved) */
  readonly options: Readonly<Record<string, string>>;
}

export interface ConnectorContext<O> {
  readonly table: TableDescriptor;
  /** the connector's options, validated and typed (secret references resolved) */
  readonly options: O;
  /** the format, when the connector takes one and the table names it */
  readonly format: ResolvedFormat | undefined;
  /**
   * true where the statements are only checked, away from the job's pods (the operator): files the
   * options name and values read from Secrets are not there, so their contents are checked where
   * the job runs; everything else is checked here.
   */
  readonly checkOnly?: boolean;
}

export interface ScanTableSource {
  /** true: the source ends (batch-style reading); false: it runs until canceled */
  readonly bounded: boolean;
  /** which row kinds it emits */
  readonly changelogMode: ChangelogMode;
  /**
   * Flink's SupportsWatermarkPushDown: the table's WATERMARK is generated in the source with the
   * strategy given to `fromSource` (per split: per Kafka partition) instead of an operator after it.
   */
  readonly watermarkPushDown?: boolean;
  /**
   * Flink's SupportsProjectionPushDown: `createSource(projection)` emits only these physical
   * columns (indexes among the table's physical columns), in this order, so the format builds no
   * value for a column the query does not read.
   */
  readonly projectionPushDown?: boolean;
  /** A runtime source of rows; a row's timestamp is the event time the connector knows, if any. */
  createSource(projection?: readonly number[]): Source<ChangelogRow>;
}

export interface TableSink {
  /** which row kinds it accepts: `insert-only` (append), `upsert` (needs a primary key) or `all` */
  readonly changelogMode: ChangelogMode;
  createSink(): Sink<ChangelogRow>;
}

export interface LookupTableSource {
  /** Rows whose `keyColumns` equal `key` (a lookup join's probe); may be asynchronous. */
  createLookup(keyColumns: readonly string[]): (key: readonly unknown[]) => Promise<ChangelogRow['values'][]> | ChangelogRow['values'][];
}

/** Dynamic option keys such as datagen's `fields.<column>.kind`. */
export interface OptionPattern {
  /** shown in the list of supported options, e.g. `fields.#.kind` */
  readonly display: string;
  readonly pattern: RegExp;
  readonly schema: z.ZodType;
}

export interface TableConnector<S extends z.ZodObject = z.ZodObject> {
  /** `'connector' = '<name>'` */
  readonly name: string;
  readonly description: string;
  /** the options besides `connector` and `format`, each a schema from options.ts */
  readonly options: S;
  readonly optionPatterns?: readonly OptionPattern[];
  /** whether the connector reads and writes through a format (`'format'` then required) */
  readonly usesFormat?: boolean;
  /** extra checks across options and columns (throw ConnectorError naming the option) */
  check?(ctx: ConnectorContext<z.infer<S>>): void;
  source?(ctx: ConnectorContext<z.infer<S>>): ScanTableSource;
  sink?(ctx: ConnectorContext<z.infer<S>>): TableSink;
  lookup?(ctx: ConnectorContext<z.infer<S>>): LookupTableSource;
}

export function defineConnector<S extends z.ZodObject>(c: TableConnector<S>): TableConnector<S> {
  return c;
}
