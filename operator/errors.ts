// Errors with stable codes. Transient errors are retried with backoff by the controller
// runner; terminal ones become a condition and an Event and are not retried.

export type ErrorCode =
  | 'MR_ERR_INVALID_RESOURCE'
  | 'MR_ERR_CRDS_STALE'
  | 'MR_ERR_CONFIG'
  | 'MR_ERR_KUBE_API'
  | 'MR_ERR_JOBMANAGER_API'
  | 'MR_ERR_STORAGE'
  | 'MR_ERR_NOT_LEADER'
  | 'MR_ERR_AUTH_SECRET_FOREIGN';

export class MillraceError extends Error {
  readonly code: ErrorCode;
  /** Retrying the same reconcile may succeed (API conflicts, network, 5xx). */
  readonly transient: boolean;
  constructor(code: ErrorCode, message: string, options: { transient?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'MillraceError';
    this.code = code;
    this.transient = options.transient ?? false;
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof MillraceError ? error.transient : true;
}
