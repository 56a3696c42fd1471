// The composition edge of the storage layer: a storage URI (and the environment) in, a ready
// ObjectStore out. The only place that builds S3 clients.
import { S3Client } from '@aws-sdk/client-s3';
import { LocalObjectStore } from './local-object-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';
import type { S3Settings } from './s3-settings.ts';
import { resolveS3Settings } from './s3-settings.ts';
import type { Clock } from '../time/clock.ts';
import { secretFileCredentials } from './secret-file-credentials.ts';
import type { StorageLocation } from './storage-uri.ts';
import { parseStorageUri } from './storage-uri.ts';

export interface OpenObjectStoreOptions {
  readonly env?: Record<string, string | undefined>;
  readonly s3?: Partial<S3Settings> & { credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } };
  readonly clock?: Clock;
  readonly cwd?: string;
}

export function createS3Client(settings: S3Settings, explicit?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, clock: Clock = Date): S3Client {
  const credentials = explicit ?? (settings.credentialsDir ? secretFileCredentials(settings.credentialsDir, clock, settings.credentialsRereadMs) : undefined);
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(credentials ? { credentials } : {}),
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    requestHandler: { requestTimeout: settings.requestTimeoutMs, connectionTimeout: Math.min(10_000, settings.requestTimeoutMs) },
  });
}

export function openObjectStoreAt(location: StorageLocation, options: OpenObjectStoreOptions = {}): ObjectStore {
  if (location.kind === 'local') return new LocalObjectStore({ directory: location.directory });
  const { credentials, ...overrides } = options.s3 ?? {};
  const settings = resolveS3Settings(options.env ?? process.env, overrides);
  return new S3ObjectStore({ client: createS3Client(settings, credentials, options.clock), bucket: location.bucket, prefix: location.prefix, partSizeBytes: settings.partSizeBytes });
}

/** `s3://bucket/prefix`, `file:///path` or a plain directory path. */
export function openObjectStore(uri: string, options: OpenObjectStoreOptions = {}): ObjectStore {
  return openObjectStoreAt(parseStorageUri(uri, options.cwd), options);
}
