// The `_metadata` file of a checkpoint or savepoint: which state file holds which operator
// subtask's state (by stable operator uid and key-group range), with each file's size and sha256,
// plus source positions. File names are relative to the snapshot's own directory, so a snapshot
// can be copied or moved as a whole. One zod schema is both the format's documentation and the
// validation of what is read back.
import { z } from 'zod';
import { StorageError } from './errors.ts';
import { isPlainFileName } from './layout.ts';

export const METADATA_FORMAT_VERSION = 1;

const keyGroupRangeSchema = z.object({
  start: z.number().int().min(0),
  end: z.number().int().min(0),
}).refine((r) => r.start <= r.end, { message: 'start must not exceed end' });

export const stateFileEntrySchema = z.object({
  subtaskIndex: z.number().int().min(0).describe('subtask that wrote the file'),
  keyGroupRange: keyGroupRangeSchema.optional().describe('key groups (inclusive) whose keyed state the file holds; absent for non-keyed operators'),
  file: z.string().refine(isPlainFileName, { message: 'must be a file name relative to the snapshot directory' }),
  size: z.number().int().min(0).describe('bytes'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('hex sha256 of the file'),
  sourcePosition: z.unknown().optional().describe('position a source subtask resumes from (JSON)'),
});

export const operatorStateSchema = z.object({
  parallelism: z.number().int().min(1),
  maxParallelism: z.number().int().min(1),
  files: z.array(stateFileEntrySchema),
});

export const snapshotMetadataSchema = z.object({
  formatVersion: z.literal(METADATA_FORMAT_VERSION),
  kind: z.enum(['checkpoint', 'savepoint']),
  jobId: z.string().min(1),
  checkpointId: z.number().int().min(1).describe('the checkpoint the snapshot was taken at (savepoints too)'),
  savepointId: z.string().min(1).optional(),
  timestamp: z.number().int().min(0).describe('epoch ms when the snapshot completed'),
  operators: z.record(z.string().min(1), operatorStateSchema).describe('operator uid → its state files'),
  totalSize: z.number().int().min(0).describe('sum of the state files in bytes'),
});

export type StateFileEntry = z.infer<typeof stateFileEntrySchema>;
export type OperatorState = z.infer<typeof operatorStateSchema>;
export type SnapshotMetadata = z.infer<typeof snapshotMetadataSchema>;
export type SnapshotKind = SnapshotMetadata['kind'];

/** What a subtask reports after writing its state file (JSON-able, so it can cross processes). */
export interface StateFileHandle extends StateFileEntry {
  readonly operatorUid: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

export interface MetadataInput {
  readonly kind: SnapshotKind;
  readonly jobId: string;
  readonly checkpointId: number;
  readonly savepointId?: string;
  readonly timestamp: number;
  readonly files: readonly StateFileHandle[];
}

/** Groups the handles by operator uid, checks they agree and do not overlap, and sums sizes. */
export function buildMetadata(input: MetadataInput): SnapshotMetadata {
  const operators: Record<string, OperatorState> = {};
  for (const h of [...input.files].sort((a, b) => a.subtaskIndex - b.subtaskIndex)) {
    const op = (operators[h.operatorUid] ??= { parallelism: h.parallelism, maxParallelism: h.maxParallelism, files: [] });
    if (op.parallelism !== h.parallelism || op.maxParallelism !== h.maxParallelism) {
      throw new StorageError('MR_ERR_CHECKPOINT_INCOMPLETE', `operator '${h.operatorUid}' reported parallelism ${h.parallelism}/${h.maxParallelism} and ${op.parallelism}/${op.maxParallelism} in one snapshot`);
    }
    if (op.files.some((f) => f.subtaskIndex === h.subtaskIndex)) {
      throw new StorageError('MR_ERR_CHECKPOINT_INCOMPLETE', `operator '${h.operatorUid}' subtask ${h.subtaskIndex} reported two state files (${h.file})`);
    }
    const { operatorUid: _uid, parallelism: _p, maxParallelism: _m, ...entry } = h;
    op.files.push(entry);
  }
  for (const [uid, op] of Object.entries(operators)) {
    const ranges = op.files.flatMap((f) => (f.keyGroupRange ? [f.keyGroupRange] : [])).sort((a, b) => a.start - b.start);
    for (let i = 1; i < ranges.length; i++) {
      if (ranges[i]!.start <= ranges[i - 1]!.end) {
        throw new StorageError('MR_ERR_CHECKPOINT_INCOMPLETE', `operator '${uid}' has overlapping key-group ranges ${ranges[i - 1]!.start}..${ranges[i - 1]!.end} and ${ranges[i]!.start}..${ranges[i]!.end}`);
      }
    }
    if (ranges.some((r) => r.end >= op.maxParallelism)) {
      throw new StorageError('MR_ERR_CHECKPOINT_INCOMPLETE', `operator '${uid}' has a key-group range beyond maxParallelism ${op.maxParallelism}`);
    }
  }
  const metadata: SnapshotMetadata = {
    formatVersion: METADATA_FORMAT_VERSION,
    kind: input.kind,
    jobId: input.jobId,
    checkpointId: input.checkpointId,
    ...(input.savepointId !== undefined ? { savepointId: input.savepointId } : {}),
    timestamp: input.timestamp,
    operators,
    totalSize: input.files.reduce((sum, f) => sum + f.size, 0),
  };
  return snapshotMetadataSchema.parse(metadata);
}

export function encodeMetadata(metadata: SnapshotMetadata): Buffer {
  return Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`);
}

/** Parses `_metadata` bytes; anything unreadable is MR_ERR_CHECKPOINT_CORRUPT naming `file`. */
export function decodeMetadata(bytes: Uint8Array, file: string): SnapshotMetadata {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `${file} is not valid JSON (${(cause as Error).message}); the snapshot cannot be used, fall back to an older one`, { file, cause });
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > METADATA_FORMAT_VERSION) {
    throw new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `${file} has format version ${version}, this runtime reads up to ${METADATA_FORMAT_VERSION}; restore with a newer Millrace`, { file });
  }
  const parsed = snapshotMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `${file} is not valid snapshot metadata: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, { file });
  }
  return parsed.data;
}

/** The files of the operator subtasks whose key-group ranges intersect `range` (for rescaled restores). */
export function filesForKeyGroups(op: OperatorState, range: { start: number; end: number }): StateFileEntry[] {
  return op.files.filter((f) => f.keyGroupRange !== undefined && f.keyGroupRange.start <= range.end && f.keyGroupRange.end >= range.start);
}
