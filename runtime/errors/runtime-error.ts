// One error class for the runtime's coded errors and its wire form `{ code, message }`: what a
// REST response carries in `error`, what the TaskManager and JobManager read back, what the
// operator matches on. The HTTP status comes from the registry (codes.ts).

import { RUNTIME_ERRORS, isRuntimeErrorCode, type RuntimeErrorCode } from './codes.ts';

export interface WireError {
  readonly code: string;
  readonly message: string;
}

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  /** the file, object or peer concerned, when there is one (for logs and tests) */
  readonly subject: string | undefined;
  constructor(code: RuntimeErrorCode, message: string, options: { subject?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RuntimeError';
    this.code = code;
    this.subject = options.subject;
  }
  get status(): number {
    return RUNTIME_ERRORS[this.code].status;
  }
}

/** The code of any error that has one (RuntimeError, StorageError, RestoreError, MillraceError). */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('MR_ERR_') ? code : undefined;
}

/** The wire form; errors without a Millrace code become MR_ERR_INTERNAL without their stack. */
export function toWire(err: unknown): WireError {
  const code = errorCode(err);
  if (code) return { code, message: (err as Error).message };
  return { code: 'MR_ERR_INTERNAL', message: 'internal error; see the process log' };
}

/** HTTP status for an error: its registered status, else 400 for other coded errors, else 500. */
export function statusOf(err: unknown): number {
  const code = errorCode(err);
  if (isRuntimeErrorCode(code)) return RUNTIME_ERRORS[code].status;
  if (code) return (err as { statusCode?: number; status?: number }).statusCode ?? (err as { status?: number }).status ?? 400;
  return 500;
}

/** Reads `{ error: { code, message } }` from a response body; undefined when it is not one. */
export function fromWire(body: unknown): WireError | undefined {
  const e = (body as { error?: unknown } | null | undefined)?.error as { code?: unknown; message?: unknown } | undefined;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') return undefined;
  return { code: e.code, message: e.message };
}
