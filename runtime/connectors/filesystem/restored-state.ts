// A filesystem sink's state comes back from checkpoint storage, which a job of the namespace can
// write: its names must be the sink's own, or a restore would move (promote) or create files
// anywhere the process may write. A pending file is a hidden part object and a visible part
// object of the same partition directory; a partition is a relative path of `name=value` segments.
// Anything else is refused with MR_ERR_FILE_PATH_NOT_ALLOWED before a single file moves.
import { FilePathError } from '../file-roots.ts';
import { baseName, parseHiddenName, parsePartName } from './part-names.ts';

/** The directory part of a key ('' at the root); undefined when the key could leave the root. */
function safeDirectory(key: unknown): string | undefined {
  if (typeof key !== 'string' || key === '' || key.includes('\\') || key.includes('\0') || key.startsWith('/') || /^[A-Za-z]:/.test(key)) return undefined;
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return segments.slice(0, -1).join('/');
}

const safePartition = (dir: unknown): boolean =>
  typeof dir === 'string' && (dir === '' || (safeDirectory(`${dir}/x`) === dir && dir.split('/').every((s) => s.includes('=') && !s.startsWith('.') && !s.startsWith('_'))));

export interface RestoredFiles {
  readonly pending?: ReadonlyArray<{ readonly files?: ReadonlyArray<{ readonly hidden?: unknown; readonly final?: unknown }>; readonly partitions?: readonly unknown[] }>;
}

/** Throws FilePathError naming the first name of `state` that is not the sink's own, under `root` (for the message). */
export function checkRestoredFiles(state: RestoredFiles, root: string): void {
  for (const p of state?.pending ?? []) {
    for (const f of p.files ?? []) {
      const hiddenDir = safeDirectory(f.hidden);
      const finalDir = safeDirectory(f.final);
      const own = hiddenDir !== undefined && hiddenDir === finalDir && safePartition(hiddenDir)
        && parseHiddenName(baseName(f.hidden as string)) !== undefined && parsePartName(baseName(f.final as string)) !== undefined;
      if (!own) throw new FilePathError(`the filesystem sink's restored state names ${JSON.stringify(f)}, not a part file of ${root}; refusing to move files outside the output directory`, root);
    }
    checkRestoredPartitions(p.partitions ?? [], root);
  }
}

/** Throws FilePathError naming the first partition that is not a partition directory under `root` (the committer writes success files into them). */
export function checkRestoredPartitions(partitions: readonly unknown[], root: string): void {
  for (const p of partitions) {
    const dir = typeof p === 'object' && p !== null && 'path' in p ? (p as { path: unknown }).path : p;
    if (!safePartition(dir)) throw new FilePathError(`the filesystem sink's restored state names partition ${JSON.stringify(dir)}, not a partition directory of ${root}; refusing to write outside the output directory`, root);
  }
}
