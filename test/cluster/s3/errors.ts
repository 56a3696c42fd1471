// Errors of the test S3 environment carry a stable code, so callers and tests can tell them apart.
export type S3ErrorCode =
  | 'MR_ERR_S3_BUILD_FAILED'
  | 'MR_ERR_S3_START_FAILED'
  | 'MR_ERR_S3_ENV_INCOMPLETE'
  | 'MR_ERR_S3_STATE_CORRUPT';

export class S3EnvironmentError extends Error {
  readonly code: S3ErrorCode;

  constructor(code: S3ErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'S3EnvironmentError';
    this.code = code;
  }
}
