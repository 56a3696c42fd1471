// Names of the files the filesystem sink writes, per (job, subtask). Hidden in-progress objects
// carry the attempt so two attempts never share one; visible names are deterministic per
// checkpoint, so a replay after a restore writes the same names again. Readers skip names that
// start with '.' or '_' (as Flink's and Hive's readers do), so a hidden object is never read.

export interface PartName {
  readonly job: string;
  readonly subtask: number;
  /** the checkpoint whose completion made it visible; undefined for end-of-input files */
  readonly checkpointId?: number;
  readonly index: number;
}

export interface HiddenName {
  readonly job: string;
  readonly subtask: number;
  readonly attempt: number;
  readonly seq: number;
}

/** Up to 8 letters and digits of the job id: enough to keep runs of different jobs apart. */
export const shortJobId = (jobId: string): string => jobId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'job';

const PART = /^part-([A-Za-z0-9]+)-(\d+)-(?:c(\d+)|end)-(\d+)(?:\.[A-Za-z0-9]+)?$/;
const HIDDEN = /^\.part-([A-Za-z0-9]+)-(\d+)-a(\d+)-(\d+)\.inprogress$/;

export const hiddenName = (h: HiddenName): string => `.part-${h.job}-${h.subtask}-a${h.attempt}-${h.seq}.inprogress`;

export const partName = (p: PartName, ext: string): string =>
  `part-${p.job}-${p.subtask}-${p.checkpointId === undefined ? 'end' : `c${p.checkpointId}`}-${p.index}${ext === '' ? '' : `.${ext}`}`;

/** The file name (last path segment) as a visible part, or undefined. */
export function parsePartName(name: string): PartName | undefined {
  const m = PART.exec(name);
  if (!m) return undefined;
  return { job: m[1]!, subtask: Number(m[2]), ...(m[3] === undefined ? {} : { checkpointId: Number(m[3]) }), index: Number(m[4]) };
}

export function parseHiddenName(name: string): HiddenName | undefined {
  const m = HIDDEN.exec(name);
  return m ? { job: m[1]!, subtask: Number(m[2]), attempt: Number(m[3]), seq: Number(m[4]) } : undefined;
}

/** Whether readers skip the file (hidden, in progress, or a marker such as `_SUCCESS`). */
export const isHiddenFile = (name: string): boolean => name.startsWith('.') || name.startsWith('_');

export const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/** Keys readers see: no segment of the key hidden. */
export const visibleKeys = (keys: readonly string[]): string[] => keys.filter((k) => !k.split('/').some(isHiddenFile)).sort();
