// Credential fields pino replaces with "[redacted]" in every log line of the operator and the
// runtime: S3 keys (as the AWS SDK and our Secrets name them), passwords, tokens, private keys
// and authorization headers (not `key`: the operator logs its work-queue keys, namespace/name),
// at the top of a log object and up to two levels down (an error's `config`, a request's `headers`). A log line is readable by namespace viewers
// (pod logs), so a field that only sometimes carries a secret is redacted always.
import type { LoggerOptions } from 'pino';

export const CREDENTIAL_FIELDS = [
  'accessKeyId', 'secretAccessKey', 'sessionToken', 'credentials',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'password', 'passwd', 'clientSecret', 'token', 'apiKey', 'privateKey', 'authorization', 'Authorization', 'cookie',
] as const;

export const REDACT_PATHS: string[] = CREDENTIAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export const redactOptions: NonNullable<LoggerOptions['redact']> = { paths: REDACT_PATHS, censor: '[redacted]' };
