// Coded errors of the connector factory. Tests and callers match on `code`; messages name the
// table, the option and the fix, and never contain a value read from a secret.

export type ConnectorErrorCode =
  /** `'connector'` is missing or names no registered connector. */
  | 'MR_ERR_CONNECTOR_UNKNOWN'
  /** An option is unsupported, missing or has a value of the wrong kind (Flink's ValidationException). */
  | 'MR_ERR_CONNECTOR_OPTIONS'
  /** The connector cannot be used as asked: as a source when it only writes, an update stream into an append-only sink. */
  | 'MR_ERR_CONNECTOR_ABILITY'
  /** `'format'` names no registered format, or the format cannot carry the table's columns. */
  | 'MR_ERR_FORMAT_UNKNOWN'
  /** A record could not be read or written by the format (and the format was not told to skip it). */
  | 'MR_ERR_FORMAT_DATA'
  /** A `${secret:<name>/<key>}` reference is malformed or its file cannot be read. */
  | 'MR_ERR_SECRET';

export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  constructor(code: ConnectorErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'ConnectorError';
    this.code = code;
  }
}
