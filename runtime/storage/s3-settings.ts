// S3 client settings from explicit options and the environment. Pure: the environment is passed
// in, so the precedence rules are unit-tested.
import { StorageError } from './errors.ts';

export interface S3Settings {
  /** unset for AWS S3 itself */
  readonly endpoint?: string;
  readonly region: string;
  /** path-style URLs (http://host/bucket/key), needed by most self-hosted servers */
  readonly forcePathStyle: boolean;
  /** directory of a mounted Secret; unset = the SDK's default chain (environment, profile, web identity, ...) */
  readonly credentialsDir?: string;
  /** how often the credentials directory is read again (renewed short-lived credentials) */
  readonly credentialsRereadMs: number;
  /** attempts per request including the first (the SDK's standard retry strategy with backoff) */
  readonly maxAttempts: number;
  readonly partSizeBytes: number;
  readonly requestTimeoutMs: number;
}

export const S3_ENV = {
  endpoint: ['MILLRACE_S3_ENDPOINT', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'],
  region: ['MILLRACE_S3_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION'],
  forcePathStyle: 'MILLRACE_S3_PATH_STYLE',
  credentialsDir: 'MILLRACE_S3_CREDENTIALS_DIR',
  credentialsRereadMs: 'MILLRACE_S3_CREDENTIALS_REREAD_MS',
  maxAttempts: 'MILLRACE_S3_MAX_ATTEMPTS',
  partSizeMb: 'MILLRACE_S3_PART_SIZE_MB',
  requestTimeoutMs: 'MILLRACE_S3_REQUEST_TIMEOUT_MS',
} as const;

function firstSet(env: Record<string, string | undefined>, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = env[n]?.trim();
    if (v) return v;
  }
  return undefined;
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number, min = 1): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new StorageError('MR_ERR_STORAGE_URI', `${name}=${raw} is not an integer ≥ ${min}; fix or unset it`);
  return n;
}

export function resolveS3Settings(env: Record<string, string | undefined>, overrides: Partial<S3Settings> = {}): S3Settings {
  const endpoint = overrides.endpoint ?? firstSet(env, S3_ENV.endpoint);
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw new StorageError('MR_ERR_STORAGE_URI', `S3 endpoint '${endpoint}' is not an http(s) URL; set ${S3_ENV.endpoint[0]} to e.g. http://minio.storage:9000`);
  }
  const pathStyleRaw = env[S3_ENV.forcePathStyle]?.trim().toLowerCase();
  if (pathStyleRaw && pathStyleRaw !== 'true' && pathStyleRaw !== 'false') {
    throw new StorageError('MR_ERR_STORAGE_URI', `${S3_ENV.forcePathStyle}=${pathStyleRaw} must be true or false`);
  }
  // A custom endpoint is almost always a self-hosted server without per-bucket DNS names.
  const forcePathStyle = overrides.forcePathStyle ?? (pathStyleRaw ? pathStyleRaw === 'true' : endpoint !== undefined);
  const credentialsDir = overrides.credentialsDir ?? firstSet(env, [S3_ENV.credentialsDir]);
  return {
    ...(endpoint !== undefined ? { endpoint } : {}),
    region: overrides.region ?? firstSet(env, S3_ENV.region) ?? 'us-east-1',
    forcePathStyle,
    ...(credentialsDir !== undefined ? { credentialsDir } : {}),
    credentialsRereadMs: overrides.credentialsRereadMs ?? positiveInt(env, S3_ENV.credentialsRereadMs, 5 * 60_000, 0),
    maxAttempts: overrides.maxAttempts ?? positiveInt(env, S3_ENV.maxAttempts, 5),
    partSizeBytes: overrides.partSizeBytes ?? positiveInt(env, S3_ENV.partSizeMb, 8, 5) * 1024 * 1024,
    requestTimeoutMs: overrides.requestTimeoutMs ?? positiveInt(env, S3_ENV.requestTimeoutMs, 30_000),
  };
}
