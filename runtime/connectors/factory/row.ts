// The changelog row of the table world (SQL, table connectors): a row kind as Flink has it
// (`+I` insert, `-U` update-before, `+U` update-after, `-D` delete) and the column values in
// schema order. Values by logical type (what connectors produce and sinks consume):
//
// | type                              | JavaScript value                                              |
// |-----------------------------------|---------------------------------------------------------------|
// | BOOLEAN                           | boolean                                                       |
// | TINYINT, SMALLINT, INTEGER        | number                                                        |
// | BIGINT                            | number while a safe integer, bigint beyond ±(2^53 − 1)         |
// | FLOAT, DOUBLE                     | number                                                        |
// | DECIMAL(p, s)                     | string, the exact plain value with s fraction digits ("12.30") |
// | CHAR, VARCHAR                     | string                                                        |
// | BINARY, VARBINARY                 | Uint8Array                                                    |
// | DATE                              | number: days since 1970-01-01                                 |
// | TIME(p)                           | number: milliseconds of the day                               |
// | TIMESTAMP(p)                      | number: the wall-clock time read as UTC, epoch milliseconds   |
// | TIMESTAMP_LTZ(p)                  | number: the instant, epoch milliseconds                       |
// | INTERVAL DAY TO SECOND / YEAR TO MONTH | number: milliseconds / months                            |
// | ARRAY, MULTISET                   | array                                                         |
// | MAP                               | Map                                                           |
// | ROW                               | array of the field values (positional, like the row itself)   |
//
// NULL is `null` for every type. Precision below a millisecond is not kept.

export type RowKind = '+I' | '-U' | '+U' | '-D';

export const ROW_KINDS: readonly RowKind[] = ['+I', '-U', '+U', '-D'];

export interface ChangelogRow {
  readonly kind: RowKind;
  readonly values: readonly unknown[];
}

export const insertRow = (values: readonly unknown[]): ChangelogRow => ({ kind: '+I', values });

/** What a source emits or a sink accepts: insert-only, upsert (no -U, needs a key), or all. */
export type ChangelogMode = 'insert-only' | 'upsert' | 'all';

export const CHANGELOG_KINDS: Readonly<Record<ChangelogMode, readonly RowKind[]>> = {
  'insert-only': ['+I'],
  upsert: ['+I', '+U', '-D'],
  all: ['+I', '-U', '+U', '-D'],
};

/**
 * Whether a stream of `produced` kinds can go into a sink that accepts `accepted`: an upsert sink
 * takes any changelog (it ignores -U, the +U after it replaces the row by key), an append-only
 * sink only inserts.
 */
export function acceptsChangelog(accepted: ChangelogMode, produced: ChangelogMode): boolean {
  return accepted !== 'insert-only' || produced === 'insert-only';
}
