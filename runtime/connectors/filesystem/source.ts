// The filesystem source: a bounded read of every visible file under a local directory or an S3
// prefix (names starting with '.' or '_' are skipped: in-progress files, success markers), in a
// line format or parquet. Partition columns come from the `col=value/` directories, as Flink
// reads them. Files are split over subtasks (file i → subtask i mod p, keys sorted); the state
// is the list of files still to read, the first with how many records of it were read, so a
// restore (also onto another parallelism) continues exactly. A file is read whole into memory
// (its size is bounded by the writer's rolling policy).

import type { Source, SourceOutput, SourceReader } from '../../api/source.ts';
import type { RowField } from '../../sql/types/data-type.ts';
import type { ResolvedFormat } from '../factory/format.ts';
import { insertRow, type ChangelogRow } from '../factory/row.ts';
import { fromTextValue } from '../factory/values.ts';
import { openSourceFileStore, type FileStore } from './file-store.ts';
import { isHiddenFile } from './part-names.ts';
import { DEFAULT_PARTITION_NAME, partitionValuesOf } from './partitions.ts';

export interface FilesystemSourceOptions {
  readonly table: string;
  readonly path: string;
  readonly columns: readonly RowField[];
  readonly partitionKeys: readonly string[];
  readonly format: ResolvedFormat;
  readonly defaultPartitionName?: string;
  readonly env?: Record<string, string | undefined>;
}

/**
 * What a checkpoint records: the files not read to the end, and records already read of the
 * first; or, before the directory was listed, which share of the listing is this subtask's.
 */
export type FilesystemSourcePosition =
  | { readonly files: Array<{ readonly key: string; readonly skip: number }> }
  | { readonly unlisted: Array<{ readonly subtask: number; readonly parallelism: number }> };

/** Keys readers see: no segment of the key hidden. */
export const visibleKeys = (keys: readonly string[]): string[] => keys.filter((k) => !k.split('/').some(isHiddenFile)).sort();

export function filesystemSource(o: FilesystemSourceOptions): Source<ChangelogRow> {
  const partIdx = new Set(o.partitionKeys.map((k) => o.columns.findIndex((c) => c.name === k)));
  const dataColumns = o.columns.filter((_, i) => !partIdx.has(i));
  const format = o.format.forColumns(dataColumns);
  return {
    name: `filesystem:${o.table}`,
    bounded: true,
    createReader(): SourceReader<ChangelogRow> {
      let store: FileStore | undefined;
      let files: Array<{ key: string; skip: number }> | undefined;
      /** until listed: the shares of the listing to read (this subtask's, or restored ones) */
      let shares: Array<{ subtask: number; parallelism: number }> | undefined;
      /** records of the current file, decoded; `read` of them emitted */
      let current: { key: string; rows: Array<unknown[] | null>; read: number } | undefined;
      /** files of restored listed states, read before the shares this subtask still has to list */
      let restoredFiles: Array<{ key: string; skip: number }> = [];
      let loading: Promise<void> | undefined;
      let failure: Error | undefined;
      const bulk = format.createBulk?.();
      const decoder = bulk ? undefined : format.createDecoder();

      const fail = (err: unknown): void => {
        failure = new Error(`MR_ERR_FILESYSTEM_SOURCE: table '${o.table}' at ${store?.description ?? o.path}: ${(err as Error).message}`, { cause: err });
      };
      const startLoading = (): void => {
        loading = (async () => {
          if (files === undefined) {
            const keys = visibleKeys(await store!.list());
            files = [...restoredFiles, ...keys.filter((_, i) => shares!.some((s) => i % s.parallelism === s.subtask)).map((key) => ({ key, skip: 0 }))];
            return;
          }
          const next = files[0]!;
          const bytes = await store!.get(next.key);
          let rows: Array<unknown[] | null>;
          if (bulk) rows = await bulk.decode(bytes);
          else {
            const text = Buffer.from(bytes).toString('utf8');
            const lines = text.split('\n');
            if (lines[lines.length - 1] === '') lines.pop();
            // one entry per line, so the skip count means the same on restore; null: skipped line
            rows = lines.map((l) => decoder!.decode(l.endsWith('\r') ? l.slice(0, -1) : l));
          }
          current = { key: next.key, rows, read: next.skip };
        })().then(() => {
          loading = undefined;
        }, (err: unknown) => {
          loading = undefined;
          fail(err);
        });
      };
      const toRow = (key: string, data: unknown[]): ChangelogRow => {
        if (partIdx.size === 0) return insertRow(data);
        const parts = partitionValuesOf(key, o.defaultPartitionName ?? DEFAULT_PARTITION_NAME);
        let d = 0;
        return insertRow(o.columns.map((c, i) => {
          if (!partIdx.has(i)) return data[d++];
          const text = parts.get(c.name);
          return text === null || text === undefined ? null : fromTextValue(c.type, text, c.name);
        }));
      };
      const restore = (states: FilesystemSourcePosition[]): void => {
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
              if (files.length === 0) return 'end';
              startLoading();
              return emitted > 0 ? 'more' : 'wait';
            }
            if (current.read >= current.rows.length) {
              files.shift();
              current = undefined;
              continue;
            }
            const data = current.rows[current.read++];
            files[0] = { key: current.key, skip: current.read };
            if (data === null || data === undefined) continue;
            out.collect(toRow(current.key, data));
            emitted++;
          }
          return 'more';
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
