// The filesystem sink: exactly-once append into a local directory or an S3 prefix, optionally
// partitioned into `col=value/` directories, in a line format (json, csv, raw) or a bulk format
// (parquet). Two-phase commit as Flink's FileSink does it (in-progress → pending → finished):
//
//   in-progress  rows of an open file, in memory, one per partition directory;
//   pending      a rolled file uploaded under a hidden name (`.part-...inprogress`), listed in the
//                subtask's checkpoint state under the visible name it will get;
//   finished     when the checkpoint completes, pending files are promoted to
//                `part-<job>-<subtask>-c<checkpoint>-<i>.<ext>` (rename on disk, copy + delete
//                on S3); then partitions whose commit trigger fired get their success file.
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
import { checkRestoredFiles } from './restored-state.ts';
import { committablePartitions, type KnownPartition, type PartitionCommitPolicy } from './partition-commit.ts';
import { DEFAULT_PARTITION_NAME, partitionPath, partitionTime } from './partitions.ts';
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
  /** partition directories to commit once the files are visible */
  readonly partitions: string[];
}

/** A sink subtask's state in a checkpoint (JSON). */
export interface FilesystemSinkState {
  readonly job: string;
  readonly subtask: number;
  readonly checkpointId: number;
  readonly pending: PendingCheckpoint[];
  /** partitions written and not committed yet */
  readonly partitions: KnownPartition[];
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
  return {
    name: `filesystem:${o.table}`,
    createWriter: () => new FilesystemWriter(o, partIdx, dataIdx, dataFormat, ext),
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
  private attempt = 0;
  private seq = 0;
  private open_ = new Map<string, OpenFile>();
  /** rolled since the last checkpoint: uploaded (or uploading) under `hidden` in partition `dir` */
  private rolled: Array<{ dir: string; hidden: string }> = [];
  private pending: PendingCheckpoint[] = [];
  private known = new Map<string, KnownPartition>();
  private watermark = Number.NEGATIVE_INFINITY;
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
    this.attempt = ctx.attempt;
    this.lastTimeCheck = this.now();
    // a failover without a checkpoint replays from the start: this subtask's earlier files go
    if (ctx.attempt > 0 && !ctx.restoring) this.enqueue(() => this.rollBack(this.job, this.subtask, 0));
  }

  initializeState(states: unknown[]): void {
    // names from storage are checked before anything moves (restored-state.ts)
    for (const s of states as FilesystemSinkState[]) checkRestoredFiles(s, this.o.path);
    for (const s of states as FilesystemSinkState[]) for (const p of s.partitions) if (!this.known.has(p.path)) this.known.set(p.path, p);
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
    if (this.partIdx.length > 0 && !this.known.has(dir)) {
      const time = partitionTime(this.o.partitionKeys, partValues, this.o.timestampPattern);
      this.known.set(dir, { path: dir, createdAt: now, ...(time === undefined ? {} : { time }) });
    }
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

  onWatermark(watermark: number): void {
    this.watermark = watermark;
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
    const ready = this.o.commit ? committablePartitions(this.o.commit, [...this.known.values()], this.now(), this.watermark) : [];
    for (const p of ready) this.known.delete(p.path);
    if (files.length > 0 || ready.length > 0) this.pending.push({ checkpointId, files, partitions: ready.map((p) => p.path) });
    return {
      job: this.job, subtask: this.subtask, checkpointId,
      pending: this.pending.map((p) => ({ checkpointId: p.checkpointId, files: [...p.files], partitions: [...p.partitions] })),
      partitions: [...this.known.values()],
    };
  }

  flushPending(): Promise<void> {
    return this.settled();
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const done = this.pending.filter((p) => p.checkpointId <= checkpointId);
    this.pending = this.pending.filter((p) => p.checkpointId > checkpointId);
    if (done.length > 0) this.enqueue(async () => {
      for (const p of done) await this.commit(p);
    });
  }

  /** Phase 2: files of a completed checkpoint become visible, then its partitions are committed. */
  private async commit(p: PendingCheckpoint): Promise<void> {
    for (const f of p.files) await this.store.promote(f.hidden, f.final);
    if (this.o.commit) for (const dir of p.partitions) await this.store.put(joinKey(dir, this.o.commit.successFileName), new Uint8Array(0));
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

  /** End of input: everything becomes visible (pending under their names, the rest as end files) and every partition is committed. */
  async finish(): Promise<void> {
    this.rollAll();
    const end: PendingCheckpoint = {
      checkpointId: Number.MAX_SAFE_INTEGER,
      files: this.rolled.map((r, i) => ({ hidden: r.hidden, final: joinKey(r.dir, partName({ job: this.job, subtask: this.subtask, index: i }, this.ext)) })),
      partitions: this.o.commit ? [...this.known.keys()] : [],
    };
    this.rolled = [];
    this.known.clear();
    const all = [...this.pending, end];
    this.pending = [];
    this.enqueue(async () => {
      for (const p of all) await this.commit(p);
    });
    await this.settled();
  }

  async close(): Promise<void> {
    // a canceled or failed task leaves hidden files; the next restore removes them
    await this.chain;
    this.store?.close();
  }
}
