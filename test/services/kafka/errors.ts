// Errors of the local Kafka broker carry a stable code, so callers and tests can tell them apart.
export type KafkaEnvironmentErrorCode = 'MR_ERR_KAFKA_INSTALL_FAILED' | 'MR_ERR_KAFKA_START_FAILED' | 'MR_ERR_KAFKA_PORT';

export class KafkaEnvironmentError extends Error {
  readonly code: KafkaEnvironmentErrorCode;

  constructor(code: KafkaEnvironmentErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'KafkaEnvironmentError';
    this.code = code;
  }
}
