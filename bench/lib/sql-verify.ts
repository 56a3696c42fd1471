// Output verification of bench:nexmark-sql (pure). Before any speed is measured, each query runs on
// the same bounded events three ways:
//   - oracle: Flink SQL reading the events Millrace's `nexmark` connector generated, from a file
//     (npm run sql:conformance's oracle, test/sql/flink-oracle);
//   - Flink: Flink SQL with the benchmark's in-JVM `nexmark` table (bench/flink-sql's
//     NexmarkTableFactory), the source the measured Flink runs use;
//   - Millrace: the SQL layer with its `nexmark` table, judged against the oracle as
//     sql:conformance judges it (equal, or equal up to Top-N ties).
// Flink's rows must equal the oracle's exactly (same checksum), Millrace's verdict must be equal
// (or equal up to ties), and both sides' row counts must be equal; otherwise the run fails.

import { createHash } from 'node:crypto';

export interface FinalRows {
  readonly table: string;
  /** canonical JSON rows of the final result (changelog applied), any order */
  readonly rows: readonly string[];
}

export interface SqlVerification {
  /** bounded events every side ran on */
  readonly events: number;
  readonly oracle: { readonly rows: number; readonly checksum: string };
  readonly flink: { readonly rows: number; readonly checksum: string; readonly equalToOracle: boolean };
  /** sql:conformance's verdict for Millrace against the oracle, and its detail */
  readonly millrace: { readonly rows: number | null; readonly verdict: string; readonly detail: string };
  readonly rowCountsEqual: boolean;
  readonly ok: boolean;
  /** why the run fails, when it does */
  readonly problem: string | null;
}

/** First 16 hex digits of the SHA-256 of the rows, sorted, one per line: the same multiset, the same checksum. */
export function checksumOf(rows: readonly string[]): string {
  return createHash('sha256').update([...rows].sort().join('\n')).digest('hex').slice(0, 16);
}

const allRows = (sinks: readonly FinalRows[], tables: readonly string[]): string[] =>
  tables.flatMap((t) => sinks.filter((s) => s.table === t).flatMap((s) => s.rows.map((r) => `${t}\t${r}`)));

const ACCEPTED = new Set(['equal', 'equal up to ties']);

/** The verification of one query from the three runs' facts. */
export function verifySqlQuery(input: {
  readonly events: number;
  /** the query's INSERT targets */
  readonly tables: readonly string[];
  readonly oracle: readonly FinalRows[];
  readonly flink: readonly FinalRows[];
  readonly millrace: { readonly rows: string; readonly verdict: string; readonly detail: string };
}): SqlVerification {
  const oracleRows = allRows(input.oracle, input.tables);
  const flinkRows = allRows(input.flink, input.tables);
  const oracle = { rows: oracleRows.length, checksum: checksumOf(oracleRows) };
  const missing = input.tables.filter((t) => !input.flink.some((s) => s.table === t) || !input.oracle.some((s) => s.table === t));
  const flinkChecksum = checksumOf(flinkRows);
  const flink = { rows: flinkRows.length, checksum: flinkChecksum, equalToOracle: missing.length === 0 && flinkChecksum === oracle.checksum };
  const millraceRows = /^\d+$/.test(input.millrace.rows) ? Number(input.millrace.rows) : null;
  const millrace = { rows: millraceRows, verdict: input.millrace.verdict, detail: input.millrace.detail };
  const rowCountsEqual = millraceRows !== null && millraceRows === flink.rows;
  const problems = [
    missing.length > 0 ? `no result for ${missing.join(', ')}` : null,
    missing.length === 0 && !flink.equalToOracle ? `Flink with the benchmark's nexmark table wrote ${flink.rows} rows (checksum ${flink.checksum}), the oracle on the same events ${oracle.rows} (checksum ${oracle.checksum})` : null,
    !ACCEPTED.has(millrace.verdict) ? `Millrace against the oracle: ${millrace.verdict} (${millrace.detail})` : null,
    ACCEPTED.has(millrace.verdict) && !rowCountsEqual ? `row counts differ: Millrace ${input.millrace.rows}, Flink ${flink.rows}` : null,
  ].filter((p): p is string => p !== null);
  return { events: input.events, oracle, flink, millrace, rowCountsEqual, ok: problems.length === 0, problem: problems.length === 0 ? null : problems.join('; ') };
}
