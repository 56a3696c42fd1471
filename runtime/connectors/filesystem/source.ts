// The filesystem source: every visible file under a local directory or an S3 prefix (names
// starting with '.' or '_' are skipped: in-progress files, success markers), in a line format or
// parquet. Partition columns come from the `col=value/` directories, as Flink reads them.
//
// Bounded (the default): one listing; files are split over subtasks (file i → subtask i mod p,
// keys sorted); the state is the list of files still to read, the first with how many records of
// it were read, so a restore (also onto another parallelism) continues exactly.
// Continuous (`monitorIntervalMs`, SQL `source.monitor-interval`): the directory is listed again
// every interval and new files (new partition directories too) are read once; which subtask reads
// which file and what the checkpoint keeps is file-discovery.ts.
//
// A file is read whole into memory (its size is bounded by the writer's rolling policy). The
// reader reports records and bytes read (the file's size) as connector metrics.

import type { Source, SourceOutput, SourceReader, SourceReaderContext } from '../../api/source.ts';
import type { RowField } from '../../sql/types/data-type.ts';
import type { ResolvedFormat } from '../factory/format.ts';
import type { ConnectorMetricGroup } from '../../metrics/connector-metric-group.ts';
import { insertRow, type ChangelogRow } from '../factory/row.ts';
import { fromTextValue } from '../factory/values.ts';
import { FileDiscovery, isContinuousPosition, type ContinuousPosition } from './file-discovery.ts';
import { openSourceFileStore, type FileStore } from './file-store.ts';
import { visibleKeys } from './part-names.ts';
import { DEFAULT_PARTITION_NAME, partitionValuesOf } from './partitions.ts';

export { visibleKeys };

export interface FilesystemSourceOptions {
  readonly table: string;
  readonly path: string;
  readonly columns: readonly RowField[];
  readonly partitionKeys: readonly string[];
  readonly format: ResolvedFormat;
  readonly defaultPartitionName?: string;
  readonly env?: Record<string, string | undefined>;
  /** list the directory again every this many ms (continuous); undefined: bounded */
  readonly monitorIntervalMs?: number;
}

/**
 * What a checkpoint records: the files not read to the end, and records already read of the
 * first; or, before the directory was listed, which share of the listing is this subtask's.
 */
export type FilesystemSourcePosition =
  | { readonly files: Array<{ readonly key: string; readonly skip: number }> }
  | { readonly unlisted: Array<{ readonly subtask: number; readonly parallelism: number }> };

/** Decodes whole files of the table: rows of data columns (null: a skipped line), and table rows with the partition values. */
function fileDecoding(o: FilesystemSourceOptions): { decode(bytes: Uint8Array): Promise<Array<unknown[] | null>>; toRow(key: string, data: unknown[]): ChangelogRow } {
  const partIdx = new Set(o.partitionKeys.map((k) => o.columns.findIndex((c) => c.name === k)));
  const format = o.format.forColumns(o.columns.filter((_, i) => !partIdx.has(i)));
  const bulk = format.createBulk?.();
  const decoder = bulk ? undefined : format.createDecoder();
  return {
    async decode(bytes) {
      if (bulk) return bulk.decode(bytes);
      const lines = Buffer.from(bytes).toString('utf8').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      // one entry per line, so the skip count means the same on restore; null: skipped line
      return lines.map((l) => decoder!.decode(l.endsWith('\r') ? l.slice(0, -1) : l));
    },
    toRow(key, data) {
      if (partIdx.size === 0) return insertRow(data);
      const parts = partitionValuesOf(key, o.defaultPartitionName ?? DEFAULT_PARTITION_NAME);
      let d = 0;
      return insertRow(o.columns.map((c, i) => {
        if (!partIdx.has(i)) return data[d++];
        const text = parts.get(c.name);
        return text === null || text === undefined ? null : fromTextValue(c.type, text, c.name);
      }));
    },
  };
}

const sourceError = (o: FilesystemSourceOptions, store: FileStore | undefined, err: unknown): Error =>
  new Error(`MR_ERR_FILESYSTEM_SOURCE: table '${o.table}' at ${store?.description ?? o.path}: ${(err as Error).message}`, { cause: err });

export function filesystemSource(o: FilesystemSourceOptions): Source<ChangelogRow> {
  if (o.monitorIntervalMs !== undefined) {
    return { name: `filesystem:${o.table}`, bounded: false, createReader: () => continuousReader(o, o.monitorIntervalMs!) };
  }
  return {
    name: `filesystem:${o.table}`,
    bounded: true,
    createReader(): SourceReader<ChangelogRow> {
      let store: FileStore | undefined;
      let metrics: ConnectorMetricGroup | undefined;
      let files: Array<{ key: string; skip: number }> | undefined;
      /** until listed: the shares of the listing to read (this subtask's, or restored ones) */
      let shares: Array<{ subtask: number; parallelism: number }> | undefined;
      /** records of the current file, decoded; `read` of them emitted */
      let current: { key: string; rows: Array<unknown[] | null>; read: number } | undefined;
      /** files of restored listed states, read before the shares this subtask still has to list */
      let restoredFiles: Array<{ key: string; skip: number }> = [];
      let loading: Promise<void> | undefined;
      let failure: Error | undefined;
      const decoding = fileDecoding(o);

      const startLoading = (): void => {
        loading = (async () => {
          if (files === undefined) {
            const keys = visibleKeys(await store!.list());
            files = [...restoredFiles, ...keys.filter((_, i) => shares!.some((s) => i % s.parallelism === s.subtask)).map((key) => ({ key, skip: 0 }))];
            return;
          }
          const next = files[0]!;
          const bytes = await store!.get(next.key);
          metrics?.read(0, bytes.length);
          current = { key: next.key, rows: await decoding.decode(bytes), read: next.skip };
        })().then(() => {
          loading = undefined;
        }, (err: unknown) => {
          loading = undefined;
          failure = sourceError(o, store, err);
        });
      };
      const restore = (states: FilesystemSourcePosition[]): void => {
        if (states.some(isContinuousPosition)) throw sourceError(o, store, new Error("the restored state is of a continuous source ('source.monitor-interval' set); restore with the same option, or start without the savepoint"));
        const unlisted = states.flatMap((s) => ('unlisted' in s ? s.unlisted : []));
        const listed = states.flatMap((s) => ('files' in s ? s.files : []));
        // old subtasks that had not listed yet: this one lists for them (their files come after)
        if (unlisted.length > 0) {
          shares = unlisted;
          files = undefined;
          restoredFiles = listed;
        } else files = listed;
      };
      return {
        open(ctx) {
          store = openSourceFileStore(o.path, o.env);
          metrics = ctx.connectorMetrics?.('filesystem');
          if (files === undefined && shares === undefined) shares = [{ subtask: ctx.subtaskIndex, parallelism: ctx.parallelism }];
        },
        pollNext(out: SourceOutput<ChangelogRow>, max: number) {
          if (failure) throw failure;
          if (loading) return 'wait';
          if (files === undefined) {
            startLoading();
            return 'wait';
          }
          let emitted = 0;
          while (emitted < max) {
            if (current === undefined) {
              if (files.length === 0) break;
              startLoading();
              break;
            }
            if (current.read >= current.rows.length) {
              files.shift();
              current = undefined;
              continue;
            }
            const data = current.rows[current.read++];
            files[0] = { key: current.key, skip: current.read };
            if (data === null || data === undefined) continue;
            out.collect(decoding.toRow(current.key, data));
            emitted++;
          }
          metrics?.read(emitted, 0);
          if (current === undefined && files.length === 0) return 'end';
          return emitted > 0 ? 'more' : loading ? 'wait' : 'more';
        },
        available: () => loading ?? Promise.resolve(),
        snapshotState: (): FilesystemSourcePosition => (files === undefined ? { unlisted: [...(shares ?? [])] } : { files: files.map((f) => ({ ...f })) }),
        restoreState(s) {
          restore([s as FilesystemSourcePosition]);
        },
        restoreStates(states) {
          restore(states as FilesystemSourcePosition[]);
        },
        close() {
          store?.close();
        },
      };
    },
  };
}

/** While nothing is due, the reader still wakes this often, so the task can mark itself idle and run its periodic watermarks. */
const IDLE_POLL_MS = 200;

function continuousReader(o: FilesystemSourceOptions, intervalMs: number): SourceReader<ChangelogRow> {
  let store: FileStore | undefined;
  let ctx: SourceReaderContext | undefined;
  let metrics: ConnectorMetricGroup | undefined;
  let discovery: FileDiscovery | undefined;
  let current: { key: string; rows: Array<unknown[] | null>; read: number } | undefined;
  let loading: Promise<void> | undefined;
  let failure: Error | undefined;
  /** the idle wake-up while nothing is due (one at a time) */
  let idleWait: { promise: Promise<void>; timer: NodeJS.Timeout; resolve: () => void } | undefined;
  const decoding = fileDecoding(o);

  const load = (step: () => Promise<void>): void => {
    loading = step().then(() => {
      loading = undefined;
    }, (err: unknown) => {
      loading = undefined;
      failure = sourceError(o, store, err);
    });
  };
  return {
    open(c) {
      ctx = c;
      store = openSourceFileStore(o.path, o.env);
      metrics = c.connectorMetrics?.('filesystem');
      discovery = new FileDiscovery(c.subtaskIndex, c.parallelism, intervalMs);
    },
    pollNext(out: SourceOutput<ChangelogRow>, max: number) {
      if (failure) throw failure;
      if (loading) return 'wait';
      const d = discovery!;
      let emitted = 0;
      while (emitted < max) {
        if (current === undefined) {
          const next = d.next();
          if (next !== undefined) {
            load(async () => {
              const bytes = await store!.get(next.key);
              metrics?.read(0, bytes.length);
              current = { key: next.key, rows: await decoding.decode(bytes), read: next.skip };
            });
          } else if (d.listingDue(ctx!.now())) {
            d.listingStarted(ctx!.now());
            load(async () => {
              d.discovered(await store!.list());
            });
          }
          break;
        }
        if (current.read >= current.rows.length) {
          d.finished(current.key);
          current = undefined;
          continue;
        }
        const data = current.rows[current.read++];
        d.progress(current.key, current.read);
        if (data === null || data === undefined) continue;
        out.collect(decoding.toRow(current.key, data));
        emitted++;
      }
      metrics?.read(emitted, 0);
      return emitted > 0 || (current !== undefined && !loading) ? 'more' : 'wait';
    },
    available() {
      if (loading) return loading;
      if (failure || current !== undefined || discovery!.next() !== undefined) return Promise.resolve();
      if (idleWait) return idleWait.promise;
      const ms = Math.min(IDLE_POLL_MS, discovery!.msUntilListing(ctx!.now()));
      const { promise, resolve } = Promise.withResolvers<void>();
      const timer = setTimeout(() => {
        idleWait = undefined;
        resolve();
      }, ms);
      idleWait = { promise, timer, resolve };
      return promise;
    },
    snapshotState: (): ContinuousPosition => discovery!.snapshot(),
    restoreState(s) {
      this.restoreStates!([s]);
    },
    restoreStates(states) {
      if (!states.every(isContinuousPosition)) throw sourceError(o, store, new Error("the restored state is of a bounded source ('source.monitor-interval' not set); restore without the option, or start without the savepoint"));
      // back to the start of the first queued file: the restored skip counts say where to go on
      current = undefined;
      discovery!.restore(states);
    },
    close() {
      if (idleWait) {
        clearTimeout(idleWait.timer);
        idleWait.resolve();
        idleWait = undefined;
      }
      store?.close();
    },
  };
}
