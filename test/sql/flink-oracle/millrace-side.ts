// The Millrace side of sql:compare: `runSqlFile` from the SQL layer (runtime/sql/run-sql-file.ts).
// Contract: it runs the statements in-process (bounded input, so it ends), and returns, per INSERT
// target, the rows its sink received with their kinds; it replaces each target's connector by a
// collecting sink. Until the SQL layer provides it, the comparison fails with that reason.

import { existsSync } from 'node:fs';
import type { ChangelogRow } from '../../../runtime/connectors/factory/row.ts';

export interface MillraceSinkResult {
  /** the INSERT target as named in the SQL */
  readonly table: string;
  readonly changelog: readonly ChangelogRow[];
}

export interface RunSqlFileOptions {
  readonly parallelism?: number;
  /** where CREATE FUNCTION ... LANGUAGE JAVASCRIPT modules load from */
  readonly baseDir?: string;
  /** each INSERT target collects its rows in-process instead of using its connector */
  readonly collectSinks: true;
}

export type RunSqlFile = (sql: string, options: RunSqlFileOptions) => Promise<{ sinks: readonly MillraceSinkResult[] }>;

export const MILLRACE_SQL_MODULE = new URL('../../../runtime/sql/run-sql-file.ts', import.meta.url);

/** runSqlFile, or the reason it cannot be used. */
export async function loadRunSqlFile(module: URL = MILLRACE_SQL_MODULE): Promise<RunSqlFile | { unavailable: string }> {
  if (!existsSync(module)) return { unavailable: `Millrace SQL side not available yet (${module.pathname} does not exist)` };
  const mod = (await import(module.href)) as { runSqlFile?: unknown };
  if (typeof mod.runSqlFile !== 'function') return { unavailable: `Millrace SQL side not available yet (${module.pathname} exports no runSqlFile)` };
  return mod.runSqlFile as RunSqlFile;
}
