/** An error with a stable code that tests and callers can match on. */
export class ClusterError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'ClusterError';
    this.code = code;
  }
}
