// The filesystem sink: exactly-once append into a local directory or an S3 prefix, optionally
// partitioned into `col=value/` directories, in a line format (json, csv, raw) or a bulk format
// (parquet). Two-phase commit as Flink's FileSink does it (in-progress → pending → finished):
//
//   in-progress  rows of an open file, in memory, one per partition directory;
//   pending      a rolled file uploaded under a hidden name (`.part-...inprogress`), listed in the
//                subtask's checkpoint state under the visible name it will get;
//   finished     when the checkpoint completes, pending files are promoted to
//                `part-<job>-<subtask>-c<checkpoint>-<i>.<ext>` (rename on disk, copy + delete
//                on S3).
//
// With a partition commit policy the sink has a global committer (partition-committer.ts, one
// subtask after the writers, as Flink's PartitionCommitter): after promoting a completed
// checkpoint's files, each writer subtask reports to it the partitions those files are in, and the
// committer writes a partition's success file once every subtask has reported the checkpoint and
// the commit trigger fired. A restored subtask reports the partitions of the pending files it
// finished on restore with its next report (the committer's state may predate them).
//
// A checkpoint rolls every open file (Flink does so for bulk formats; here for all, so the state
// never holds a half-written object). A restore first finishes the pending files recorded in the
// restored states (their checkpoint completed), then deletes what else those old subtasks left:
// hidden files and files made visible after the restored checkpoint (a replay writes them again).
// Uploads, promotions and deletions run one after another on a promise chain; a checkpoint is
// acknowledged only when its uploads are durable (flushPending), and a failure fails the task.
// Connector metrics: records and bytes out counted when a rolled file's upload is stored.

import type { Sink, SinkContext, SinkWriter } from '../../api/functions.ts';
import type { RowField } from '../../sql/types/data-type.ts';
import { ConnectorError } from '../factory/errors.ts';
import type { BulkCodec, ResolvedFormat, RowEncoder } from '../factory/format.ts';
import type { ChangelogRow } from '../factory/row.ts';
import type { ConnectorMetricGroup } from '../../metrics/connector-metric-group.ts';
import { toTextValue } from '../factory/values.ts';
import { openFileStore, type FileStore } from './file-store.ts';
import { baseName, hiddenName, parseHiddenName, parsePartName, partName, shortJobId } from './part-names.ts';
import { checkRestoredFiles, checkRestoredPartitions } from './restored-state.ts';
import { FilesystemPartitionCommitter } from './partition-committer.ts';
import { END_OF_INPUT, type PartitionCommitInfo, type PartitionCommitPolicy, type ReportedPartition } from './partition-commit.ts';
import { DEFAULT_PARTITION_NAME, partitionPath, partitionTime, partitionValuesOf } from './partitions.ts';
import { rollsOnSize, rollsOnTime, type RollingPolicy } from './rolling-policy.ts';

export interface FilesystemSinkOptions {
  /** the table, for messages */
  readonly table: string;
  /** s3://bucket/prefix, file:///dir or a directory */
  readonly path: string;
  /** all columns of the table, partition columns included */
  readonly columns: readonly RowField[];
  readonly partitionKeys: readonly string[];
  /** the table's format (over all columns; the files hold only the non-partition columns) */
  readonly format: ResolvedFormat;
  readonly rolling: RollingPolicy;
  /** partition commit (only with partition keys) */
  readonly commit?: PartitionCommitPolicy;
  readonly timestampPattern?: string;
  readonly defaultPartitionName?: string;
  /** file name extension (default: the format's name; raw: txt) */
  readonly ext?: string;
  /** processing-time clock (tests pass a manual one) */
  readonly now?: () => number;
  readonly env?: Record<string, string | undefined>;
}

interface PendingFile {
  readonly hidden: string;
  readonly final: string;
}

interface PendingCheckpoint {
  readonly checkpointId: number;
  readonly files: PendingFile[];
  /** partition directories written into, reported to the committer once the files are visible */
  readonly partitions: string[];
}

/** A sink subtask's state in a checkpoint (JSON). */
export interface FilesystemSinkState {
  readonly job: string;
  readonly subtask: number;
  readonly checkpointId: number;
  readonly pending: PendingCheckpoint[];
  /** partitions with visible files not reported to the committer yet (after a restore) */
  readonly unreported?: string[];
  /** checkpoints of releases before the global committer: partitions written and not committed yet */
  readonly partitions?: ReadonlyArray<{ readonly path: string }>;
}

interface OpenFile {
  lines: string[];
  rows: unknown[][];
  bytes: number;
  readonly openedAt: number;
  lastWriteAt: number;
}

const joinKey = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);
const estimateBytes = (values: readonly unknown[]): number => values.reduce<number>((n, v) => n + (typeof v === 'string' ? v.length : v instanceof Uint8Array ? v.length : 8), 0);

export function filesystemSink(o: FilesystemSinkOptions): Sink<ChangelogRow> {
  const partIdx = o.partitionKeys.map((k) => {
    const i = o.columns.findIndex((c) => c.name === k);
    if (i < 0) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${o.table}': partition column '${k}' is not a column of the table`);
    return i;
  });
  const dataIdx = o.columns.map((_, i) => i).filter((i) => !partIdx.includes(i));
  if (dataIdx.length === 0) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${o.table}': every column is a partition column; a filesystem table needs at least one column that is not in PARTITIONED BY`);
  const dataFormat = o.format.forColumns(dataIdx.map((i) => o.columns[i]!));
  const ext = o.ext ?? (o.format.name === 'raw' ? 'txt' : o.format.name);
  const commit = o.partitionKeys.length > 0 ? o.commit : undefined;
  return {
    name: `filesystem:${o.table}`,
    createWriter: () => new FilesystemWriter(o, partIdx, dataIdx, dataFormat, ext),
    ...(commit ? { createCommitter: () => new FilesystemPartitionCommitter({ table: o.table, path: o.path, policy: commit, ...(o.env ? { env: o.env } : {}) }) as never } : {}),
  };
}

class FilesystemWriter implements SinkWriter<ChangelogRow> {
  private readonly o: FilesystemSinkOptions;
  private readonly partIdx: number[];
  private readonly dataIdx: number[];
  private readonly encoder: RowEncoder | undefined;
  private readonly bulk: BulkCodec | undefined;
  private readonly ext: string;
  private readonly now: () => number;
  private store!: FileStore;
  private job = '';
  private subtask = 0;
  private parallelism = 1;
  private attempt = 0;
  private seq = 0;
  private open_ = new Map<string, OpenFile>();
  /** rolled since the last checkpoint: uploaded (or uploading) under `hidden` in partition `dir` */
  private rolled: Array<{ dir: string; hidden: string }> = [];
  private pending: PendingCheckpoint[] = [];
  /** partitions written since the last checkpoint */
  private written = new Set<string>();
  /** partitions with visible files not reported yet (restored) */
  private unreported = new Set<string>();
  /** reports built and not yet handed to the committer's channel (their promotions still run) */
  private inFlight: PartitionCommitInfo[] = [];
  private sendToCommitter: ((info: PartitionCommitInfo) => void) | undefined;
  private lastTimeCheck = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private metrics: ConnectorMetricGroup | undefined;

  constructor(o: FilesystemSinkOptions, partIdx: number[], dataIdx: number[], format: ResolvedFormat, ext: string) {
    this.o = o;
    this.partIdx = partIdx;
    this.dataIdx = dataIdx;
    this.bulk = format.createBulk?.();
    this.encoder = this.bulk ? undefined : format.createEncoder();
    this.ext = ext;
    this.now = o.now ?? Date.now;
  }

  /** Runs `step` after everything queued before it; the first failure is kept and rethrown. */
  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => {
      this.failure ??= new Error(`MR_ERR_FILESYSTEM_SINK: table '${this.o.table}' at ${this.store.description}: ${(err as Error).message}`, { cause: err });
    });
  }

  private async settled(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }

  open(ctx: SinkContext): void {
    this.store = openFileStore(this.o.path, this.o.env);
    this.metrics = ctx.connectorMetrics?.('filesystem');
    this.job = shortJobId(ctx.jobId);
    this.subtask = ctx.subtaskIndex;
    this.parallelism = ctx.parallelism;
    this.attempt = ctx.attempt;
    if (this.o.commit && this.o.partitionKeys.length > 0) this.sendToCommitter = ctx.sendToCommitter;
    this.lastTimeCheck = this.now();
    // a failover without a checkpoint replays from the start: this subtask's earlier files go
    if (ctx.attempt > 0 && !ctx.restoring) this.enqueue(() => this.rollBack(this.job, this.subtask, 0));
  }

  initializeState(states: unknown[]): void {
    // names from storage are checked before anything moves (restored-state.ts)
    for (const s of states as FilesystemSinkState[]) checkRestoredFiles(s, this.o.path);
    for (const s of states as FilesystemSinkState[]) checkRestoredPartitions([...(s.unreported ?? []), ...(s.partitions ?? [])], this.o.path);
    // the restored pending files become visible now: their partitions go with the next report
    if (this.sendToCommitter) for (const s of states as FilesystemSinkState[]) {
      for (const p of s.pending) for (const dir of p.partitions) this.unreported.add(dir);
      for (const dir of s.unreported ?? []) this.unreported.add(dir);
      for (const p of s.partitions ?? []) this.unreported.add(p.path);
    }
    this.enqueue(async () => {
      for (const s of states as FilesystemSinkState[]) for (const p of s.pending) await this.commit(p);
      for (const s of states as FilesystemSinkState[]) await this.rollBack(s.job, s.subtask, s.checkpointId);
    });
  }

  write(row: ChangelogRow): void {
    if (this.failure) throw this.failure;
    if (row.kind !== '+I') {
      throw new ConnectorError('MR_ERR_CONNECTOR_ABILITY', `table '${this.o.table}': the filesystem sink is append-only and got a ${row.kind} row; write updates to an upsert sink`);
    }
    const now = this.now();
    const partValues = this.partIdx.map((i) => (row.values[i] === null || row.values[i] === undefined ? null : toTextValue(this.o.columns[i]!.type, row.values[i])));
    const dir = this.partIdx.length === 0 ? '' : partitionPath(this.o.partitionKeys, partValues, this.o.defaultPartitionName ?? DEFAULT_PARTITION_NAME);
    if (this.partIdx.length > 0) this.written.add(dir);
    let f = this.open_.get(dir);
    if (!f) {
      f = { lines: [], rows: [], bytes: 0, openedAt: now, lastWriteAt: now };
      this.open_.set(dir, f);
    }
    const data = this.dataIdx.map((i) => row.values[i]);
    if (this.bulk) {
      f.rows.push(data);
      f.bytes += estimateBytes(data);
    } else {
      const line = `${this.encoder!.encode(data)}\n`;
      f.lines.push(line);
      f.bytes += Buffer.byteLength(line);
    }
    f.lastWriteAt = now;
    if (rollsOnSize(this.o.rolling, f)) this.roll(dir);
    if (now - this.lastTimeCheck >= this.o.rolling.checkIntervalMs) {
      this.lastTimeCheck = now;
      for (const [d, file] of [...this.open_]) if (rollsOnTime(this.o.rolling, file, now)) this.roll(d);
    }
  }

  /** Closes the open file of a partition: its bytes go to a hidden object (pending from the next checkpoint). */
  private roll(dir: string): void {
    const f = this.open_.get(dir);
    if (!f) return;
    this.open_.delete(dir);
    const bytes = this.bulk ? this.bulk.encode(f.rows) : Buffer.from(f.lines.join(''));
    const records = this.bulk ? f.rows.length : f.lines.length;
    const hidden = joinKey(dir, hiddenName({ job: this.job, subtask: this.subtask, attempt: this.attempt, seq: this.seq++ }));
    this.rolled.push({ dir, hidden });
    this.enqueue(async () => {
      await this.store.put(hidden, bytes);
      // counted when the object is stored (visible when its checkpoint completes), as Kafka counts acknowledged records
      this.metrics?.written(records, bytes.length);
    });
  }

  private rollAll(): void {
    for (const dir of [...this.open_.keys()]) this.roll(dir);
  }

  snapshotState(checkpointId: number): FilesystemSinkState {
    this.rollAll();
    const files = this.rolled.map((r, i) => ({ hidden: r.hidden, final: joinKey(r.dir, partName({ job: this.job, subtask: this.subtask, checkpointId, index: i }, this.ext)) }));
    this.rolled = [];
    const partitions = [...this.written];
    this.written = new Set();
    if (files.length > 0 || partitions.length > 0) this.pending.push({ checkpointId, files, partitions });
    return {
      job: this.job, subtask: this.subtask, checkpointId,
      pending: this.pending.map((p) => ({ checkpointId: p.checkpointId, files: [...p.files], partitions: [...p.partitions] })),
      // a report still in flight at this barrier reaches the committer after it: a restore from here sends it again
      ...(this.unreported.size + this.inFlight.length > 0 ? { unreported: [...new Set([...this.unreported, ...this.inFlight.flatMap((r) => r.partitions.map((p) => p.path))])] } : {}),
    };
  }

  flushPending(): Promise<void> {
    return this.settled();
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const done = this.pending.filter((p) => p.checkpointId <= checkpointId);
    this.pending = this.pending.filter((p) => p.checkpointId > checkpointId);
    const report = this.report(checkpointId, done);
    if (done.length > 0 || report) this.enqueue(async () => {
      for (const p of done) await this.commit(p);
      // every subtask reports every completed checkpoint (also with no partitions): the committer waits for all
      if (report) this.send(report);
    });
  }

  /** The report to the committer for `checkpointId` (undefined without a committer); takes the unreported partitions. */
  private report(checkpointId: number, done: readonly PendingCheckpoint[]): PartitionCommitInfo | undefined {
    if (!this.sendToCommitter) return undefined;
    const dirs = new Set(this.unreported);
    this.unreported.clear();
    for (const p of done) for (const dir of p.partitions) dirs.add(dir);
    const report = { checkpointId, subtask: this.subtask, parallelism: this.parallelism, partitions: [...dirs].map((dir) => this.reported(dir)) };
    this.inFlight.push(report);
    return report;
  }

  /** Hands a report to the committer's channel (the sink operator emits it before its next barrier). */
  private send(report: PartitionCommitInfo): void {
    this.inFlight = this.inFlight.filter((r) => r !== report);
    this.sendToCommitter!(report);
  }

  private reported(dir: string): ReportedPartition {
    const values = partitionValuesOf(`${dir}/x`, this.o.defaultPartitionName ?? DEFAULT_PARTITION_NAME);
    const time = partitionTime(this.o.partitionKeys, this.o.partitionKeys.map((k) => values.get(k) ?? null), this.o.timestampPattern);
    return time === undefined ? { path: dir } : { path: dir, time };
  }

  /** Phase 2: files of a completed checkpoint become visible. */
  private async commit(p: PendingCheckpoint): Promise<void> {
    for (const f of p.files) await this.store.promote(f.hidden, f.final);
  }

  /** Deletes what (job, subtask) left besides committed data up to checkpoint `after`. */
  private async rollBack(job: string, subtask: number, after: number): Promise<void> {
    for (const key of await this.store.list()) {
      const name = baseName(key);
      const h = parseHiddenName(name);
      if (h && h.job === job && h.subtask === subtask && !(h.job === this.job && h.subtask === this.subtask && h.attempt === this.attempt)) {
        await this.store.delete(key);
        continue;
      }
      const p = parsePartName(name);
      if (p && p.job === job && p.subtask === subtask && (p.checkpointId === undefined || p.checkpointId > after)) await this.store.delete(key);
    }
  }

  /** End of input: everything becomes visible (pending under their names, the rest as end files); the committer then commits every partition. */
  async finish(): Promise<void> {
    this.rollAll();
    const end: PendingCheckpoint = {
      checkpointId: END_OF_INPUT,
      files: this.rolled.map((r, i) => ({ hidden: r.hidden, final: joinKey(r.dir, partName({ job: this.job, subtask: this.subtask, index: i }, this.ext)) })),
      partitions: [...this.written],
    };
    this.rolled = [];
    this.written = new Set();
    const all = [...this.pending, end];
    this.pending = [];
    const report = this.report(END_OF_INPUT, all);
    this.enqueue(async () => {
      for (const p of all) await this.commit(p);
      if (report) this.send(report);
    });
    await this.settled();
  }

  async close(): Promise<void> {
    // a canceled or failed task leaves hidden files; the next restore removes them
    await this.chain;
    this.store?.close();
  }
}
