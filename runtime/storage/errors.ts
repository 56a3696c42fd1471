// Errors of the checkpoint storage layer. Callers branch on `code`: a MISSING or CORRUPT
// checkpoint is skipped in favour of the previous completed one; the others are configuration
// errors to show to the user as they are.

export type StorageErrorCode =
  | 'MR_ERR_STORAGE_URI'
  | 'MR_ERR_STORAGE_CREDENTIALS'
  | 'MR_ERR_STORAGE_LAYOUT'
  | 'MR_ERR_STORAGE_IO'
  | 'MR_ERR_STORAGE_NOT_FOUND'
  | 'MR_ERR_CHECKPOINT_MISSING'
  | 'MR_ERR_CHECKPOINT_CORRUPT'
  | 'MR_ERR_CHECKPOINT_INCOMPLETE';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  /** The object (file) concerned, as a full location (`s3://bucket/key` or a path), when there is one. */
  readonly file: string | undefined;

  constructor(code: StorageErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.code = code;
    this.file = options.file;
  }
}

/** True for the errors that mean "this checkpoint cannot be used, try the previous one". */
export function isUnusableCheckpoint(error: unknown): boolean {
  return error instanceof StorageError && (error.code === 'MR_ERR_CHECKPOINT_MISSING' || error.code === 'MR_ERR_CHECKPOINT_CORRUPT' || error.code === 'MR_ERR_CHECKPOINT_INCOMPLETE');
}
