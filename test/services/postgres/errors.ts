// Errors of the local PostgreSQL server carry a stable code, so callers and tests can tell them apart.
export type PostgresEnvironmentErrorCode = 'MR_ERR_POSTGRES_NOT_INSTALLED' | 'MR_ERR_POSTGRES_START_FAILED' | 'MR_ERR_POSTGRES_PORT';

export class PostgresEnvironmentError extends Error {
  readonly code: PostgresEnvironmentErrorCode;

  constructor(code: PostgresEnvironmentErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'PostgresEnvironmentError';
    this.code = code;
  }
}
