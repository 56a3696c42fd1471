// The interactive SQL client (`millrace sql` without -f), with Flink's SQL client behaviour:
// statements end with `;` and may span lines; DDL, SET/RESET, SHOW, DESCRIBE, EXPLAIN answer
// at once; a SELECT runs on the local runtime and shows its rows in the session's result mode
// (`SET 'sql-client.execution.result-mode' = 'table' | 'changelog' | 'tableau'`); an INSERT is
// submitted as a job in this process (`'table.dml-sync' = 'true'` waits for it); BEGIN STATEMENT
// SET; ... END; runs several INSERTs as one job; HELP, SHOW JOBS, STOP JOB '<id>' [WITH SAVEPOINT
// [WITH DRAIN]] (local-savepoints.ts), CLEAR, QUIT. An error is
// printed with its code, line and column, and the client goes on.
//
// This class is the client's logic with its I/O passed in (lines in, text out), so the REPL
// (repl.ts) and tests drive the same code.
import { createConnectorRegistry } from '../../connectors/factory/index.ts';
import type { ConnectorRegistry } from '../../connectors/factory/index.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import { SqlError } from '../errors.ts';
import { parseScript } from '../parser/index.ts';
import type { ParsedStatement } from '../parser/index.ts';
import type { PlannedTree } from '../planner/planner.ts';
import { registryCapabilities } from '../planner/registry-capabilities.ts';
import { formatTable } from '../session/result.ts';
import { SqlSession } from '../session/sql-session.ts';
import { HELP_TEXT } from './help.ts';
import { startInsertJob, startQueryJob } from './local-jobs.ts';
import { IGNORE_UNCLAIMED_STATE_KEY, SAVEPOINT_DIR_KEYS, SAVEPOINT_PATH_KEY } from './local-savepoints.ts';
import type { RunningJob } from './local-jobs.ts';
import { changelogView, DEFAULT_MAX_COLUMN_WIDTH, MAX_COLUMN_WIDTH_KEY, RESULT_MODE_KEY, RESULT_MODES, TableauView, tableView } from './result-view.ts';
import type { ResultMode } from './result-view.ts';
import { StatementBuffer } from './statement-buffer.ts';
import { UdfLoader } from '../udf/udf-loader.ts';

export const DML_SYNC_KEY = 'table.dml-sync';

export interface SqlClientOptions {
  /** writes one block of output (the client adds no newline of its own beyond this call) */
  readonly out: (text: string) => void;
  /** initial session configuration (`--set k=v`) */
  readonly config?: Record<string, string>;
  readonly parallelism?: number;
  readonly registry?: ConnectorRegistry;
}

interface JobRecord {
  readonly job: RunningJob;
  readonly name: string;
  readonly startTime: string;
  status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';
}

export class SqlClient {
  readonly session: SqlSession;
  private readonly out: (text: string) => void;
  private readonly registry: ConnectorRegistry;
  private readonly parallelism: number;
  private readonly buffer = new StatementBuffer();
  private readonly jobs = new Map<string, JobRecord>();
  /** INSERTs collected between BEGIN STATEMENT SET; and END; */
  private statementSet: string[] | undefined;
  private query: RunningJob | undefined;
  private interrupted = false;
  /** set by QUIT / EXIT */
  quit = false;
  /** statements that ended in an error so far (an init script must have none) */
  errors = 0;

  constructor(options: SqlClientOptions) {
    this.out = options.out;
    this.registry = options.registry ?? createConnectorRegistry();
    this.parallelism = options.parallelism ?? 1;
    const udfs = new UdfLoader({ baseDir: process.cwd() });
    this.session = new SqlSession({ capabilities: registryCapabilities(this.registry), udfTypes: udfs.typeResolver, ...(options.config ? { config: options.config } : {}) });
  }

  /** true while a statement is incomplete: the REPL shows a continuation prompt */
  get pending(): boolean {
    return this.buffer.pending || this.statementSet !== undefined;
  }

  /** One line of input: runs every statement it completes, in order. */
  async line(text: string): Promise<void> {
    for (const s of this.buffer.push(text)) {
      if (this.quit) return;
      await this.statement(s.text);
    }
  }

  /** End of input: an unterminated statement is named, not run (Flink's client waits for the `;`). */
  async end(): Promise<void> {
    const rest = this.buffer.rest();
    if (rest !== undefined && !this.quit) this.out(`[ERROR] The statement starting at line ${rest.line} has no terminating ';' and was not run.`);
    await this.close();
  }

  /** Ctrl-C: stops the running SELECT (its rows so far are shown); false when none runs. */
  interrupt(): boolean {
    if (this.query === undefined) return false;
    this.interrupted = true;
    this.query.cancel();
    return true;
  }

  /** Leaves: jobs still running in this process are canceled (they end with the client). */
  async close(): Promise<void> {
    for (const [id, r] of this.jobs) {
      if (r.status !== 'RUNNING') continue;
      r.job.cancel();
      await r.job.done.catch(() => undefined);
      r.status = 'CANCELED';
      this.out(`[INFO] Job ${id} canceled: jobs of the SQL client run in its process and end with it.`);
    }
  }

  private get mode(): ResultMode {
    return (this.session.config.get(RESULT_MODE_KEY) ?? 'table') as ResultMode;
  }

  /** Runs one complete statement (its text without the `;`). */
  async statement(text: string): Promise<void> {
    const word = text.replace(/\s+/g, ' ').trim().toUpperCase();
    try {
      if (word === 'HELP') return this.out(HELP_TEXT);
      if (word === 'QUIT' || word === 'EXIT') {
        this.quit = true;
        this.out('[INFO] Exiting Millrace SQL CLI Client...');
        return;
      }
      if (word === 'CLEAR') return this.out('\u001b[2J\u001b[H');
      if (word === 'SHOW JOBS') return this.out(this.showJobs());
      const stop = /^STOP\s+JOB\s+'([^']*)'(\s+WITH\s+SAVEPOINT)?(\s+WITH\s+DRAIN)?$/i.exec(text.trim());
      if (stop !== null) return await this.stopJob(stop[1]!, stop[2] !== undefined, stop[3] !== undefined);
      if (word === 'BEGIN STATEMENT SET') {
        if (this.statementSet !== undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', 'a statement set is already open: add INSERTs, then END;');
        this.statementSet = [];
        return this.out('[INFO] Begin a statement set.');
      }
      if (this.statementSet !== undefined) {
        if (word === 'END') {
          const inserts = this.statementSet;
          this.statementSet = undefined;
          if (inserts.length === 0) return this.out('[INFO] The statement set is empty; nothing was run.');
          return await this.run(`EXECUTE STATEMENT SET BEGIN\n${inserts.map((i) => `${i};`).join('\n')}\nEND`);
        }
        if (!/^INSERT /.test(word)) throw new SqlError('MR_ERR_SQL_VALIDATE', 'only INSERT statements can be added to a statement set; END; runs it');
        parseScript(text); // a syntax error is reported now, not at END
        this.statementSet.push(text);
        return this.out('[INFO] Add SQL update statement to the statement set.');
      }
      await this.run(text);
    } catch (err) {
      this.error(err);
    }
  }

  /** Every error is printed and the client goes on (coded errors carry their code, line and column). */
  private error(err: unknown): void {
    this.errors++;
    const msg = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown } | null)?.code;
    this.out(`[ERROR] Could not execute SQL statement. Reason:\n${typeof code === 'string' && !msg.startsWith(code) ? `${code}: ` : ''}${msg}`);
  }

  private async run(text: string): Promise<void> {
    for (const parsed of parseScript(text)) await this.execute(parsed);
  }

  private async execute(parsed: ParsedStatement): Promise<void> {
    const s = parsed.statement;
    if (s.kind === 'set' && s.key === RESULT_MODE_KEY && !(RESULT_MODES as readonly string[]).includes(s.value ?? '')) {
      throw new SqlError('MR_ERR_SQL_VALIDATE', `'${RESULT_MODE_KEY}' is one of ${RESULT_MODES.map((m) => `'${m}'`).join(', ')}, not '${s.value ?? ''}'`, s.pos);
    }
    const r = this.session.execute(parsed);
    switch (r.kind) {
      case 'ok': return this.out(r.message);
      case 'table': return this.out(formatTable(r.table));
      case 'explain': return this.out(r.text);
      case 'job': return this.insert(r.trees, parsed.text);
      case 'query': return this.select(r.tree);
    }
  }

  private async insert(trees: PlannedTree[], text: string): Promise<void> {
    // as Flink: every INSERT while 'execution.savepoint.path' is set starts from that savepoint
    const path = this.session.config.get(SAVEPOINT_PATH_KEY);
    const restore = path === undefined || path === '' ? undefined : { path, allowNonRestoredState: (this.session.config.get(IGNORE_UNCLAIMED_STATE_KEY) ?? 'false').toLowerCase() === 'true' };
    const job = await startInsertJob(trees, this.registry, this.parallelism, restore);
    const record: JobRecord = { job, name: text.replace(/\s+/g, ' ').slice(0, 60), startTime: new Date().toISOString(), status: 'RUNNING' };
    this.jobs.set(job.id, record);
    const ended = job.done.then(() => { if (record.status === 'RUNNING') record.status = 'FINISHED'; }, (err: unknown) => {
      if (record.status !== 'RUNNING') return;
      record.status = 'FAILED';
      this.out(`[ERROR] Job ${job.id} failed: ${(err as Error).message}`);
    });
    this.out('[INFO] Submitting SQL update statement to the cluster...');
    if ((this.session.config.get(DML_SYNC_KEY) ?? 'false').toLowerCase() === 'true') {
      await ended;
      if (record.status === 'FINISHED') this.out(`[INFO] Complete execution of the SQL update statement (job ${job.id}).`);
      return;
    }
    this.out(`[INFO] SQL update statement has been successfully submitted to the cluster:\nJob ID: ${job.id}`);
  }

  private async select(tree: PlannedTree): Promise<void> {
    const fields = tree.optimized.fields;
    const mode = this.mode;
    const rows: ChangelogRow[] = [];
    const maxWidth = Number(this.session.config.get(MAX_COLUMN_WIDTH_KEY) ?? DEFAULT_MAX_COLUMN_WIDTH) || DEFAULT_MAX_COLUMN_WIDTH;
    const tableau = mode === 'tableau' ? new TableauView(fields, maxWidth) : undefined;
    let headerShown = false;
    this.interrupted = false;
    this.query = startQueryJob(tree, this.registry, this.parallelism, (row) => {
      if (tableau === undefined) return void rows.push(row);
      if (!headerShown) {
        headerShown = true;
        this.out(tableau.header());
      }
      this.out(tableau.row(row));
    });
    try {
      await this.query.done;
    } catch (err) {
      if (!this.interrupted) throw err;
    } finally {
      this.query = undefined;
    }
    if (this.interrupted) this.out('[INFO] Query stopped (Ctrl-C); the rows received so far:');
    if (tableau !== undefined) this.out(tableau.footer());
    else this.out(mode === 'changelog' ? changelogView(fields, rows) : tableView(fields, rows));
  }

  /**
   * STOP JOB '<id>': the job ends (CANCELED); its sinks keep what they committed. WITH SAVEPOINT:
   * a savepoint into the configured directory first (WITH DRAIN: after the final watermark, so
   * every window fires), then the job ends FINISHED and the savepoint's path is shown. As in
   * Flink's client, WITH DRAIN without WITH SAVEPOINT just stops the job.
   */
  private async stopJob(id: string, withSavepoint: boolean, drain: boolean): Promise<void> {
    const r = this.jobs.get(id);
    if (r === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `no job '${id}' was started by this client (SHOW JOBS lists them)`);
    if (withSavepoint) {
      const dir = SAVEPOINT_DIR_KEYS.map((k) => this.session.config.get(k)).find((v) => v !== undefined && v !== '');
      if (dir === undefined) throw new SqlError('MR_ERR_SQL_SAVEPOINT', `No savepoint directory is configured: SET '${SAVEPOINT_DIR_KEYS[0]}' = '<directory or s3://bucket/prefix>' first`);
      if (r.status !== 'RUNNING' || r.job.stopWithSavepoint === undefined) throw new SqlError('MR_ERR_SQL_SAVEPOINT', `job ${id} is ${r.status}${r.status === 'RUNNING' ? ' (a SELECT)' : ''}: only a running INSERT job stops with a savepoint`);
      const path = await r.job.stopWithSavepoint(dir, drain, () => (r.status = 'FINISHED'));
      await r.job.done.catch(() => undefined);
      this.out(formatTable({ columns: ['savepoint path'], rows: [[path]] }));
      return;
    }
    if (r.status === 'RUNNING') {
      r.status = 'CANCELED';
      r.job.cancel();
      await r.job.done.catch(() => undefined);
    }
    this.out('[INFO] Execute statement succeeded.');
  }

  private showJobs(): string {
    const rows = [...this.jobs].map(([id, r]) => [id, r.name, r.status, r.startTime]);
    if (rows.length === 0) return 'Empty set';
    return formatTable({ columns: ['job id', 'job name', 'status', 'start time'], rows });
  }
}
