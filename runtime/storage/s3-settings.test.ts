import { resolveS3Settings } from './s3-settings.ts';

describe('S3 settings from the environment', () => {
  test('AWS S3 by default: no endpoint, virtual-hosted style, 5 attempts, 8 MiB parts, credentials re-read every 5 min', () => {
    expect(resolveS3Settings({})).toEqual({ region: 'us-east-1', forcePathStyle: false, maxAttempts: 5, partSizeBytes: 8 * 1024 * 1024, requestTimeoutMs: 30_000, credentialsRereadMs: 300_000 });
  });

  test('a custom endpoint turns path-style on unless told otherwise', () => {
    expect(resolveS3Settings({ AWS_ENDPOINT_URL: 'http://127.0.0.1:19000', AWS_REGION: 'eu-west-1' })).toMatchObject({ endpoint: 'http://127.0.0.1:19000', region: 'eu-west-1', forcePathStyle: true });
    expect(resolveS3Settings({ AWS_ENDPOINT_URL: 'https://s3.example.com', MILLRACE_S3_PATH_STYLE: 'false' })).toMatchObject({ forcePathStyle: false });
  });

  test('MILLRACE_ variables win over AWS_ ones, explicit options over both', () => {
    const env = { MILLRACE_S3_ENDPOINT: 'http://minio:9000', AWS_ENDPOINT_URL_S3: 'http://other:1', AWS_ENDPOINT_URL: 'http://third:2', MILLRACE_S3_REGION: 'r1', AWS_REGION: 'r2' };
    expect(resolveS3Settings(env)).toMatchObject({ endpoint: 'http://minio:9000', region: 'r1' });
    expect(resolveS3Settings(env, { endpoint: 'http://x:3', region: 'r3', forcePathStyle: false })).toMatchObject({ endpoint: 'http://x:3', region: 'r3', forcePathStyle: false });
  });

  test('credentials directory, attempts, part size and timeout are read', () => {
    expect(resolveS3Settings({ MILLRACE_S3_CREDENTIALS_DIR: '/var/run/secrets/millrace/s3', MILLRACE_S3_MAX_ATTEMPTS: '8', MILLRACE_S3_PART_SIZE_MB: '16', MILLRACE_S3_REQUEST_TIMEOUT_MS: '5000' }))
      .toMatchObject({ credentialsDir: '/var/run/secrets/millrace/s3', maxAttempts: 8, partSizeBytes: 16 * 1024 * 1024, requestTimeoutMs: 5000 });
  });

  test.each([
    [{ AWS_ENDPOINT_URL: 'minio:9000' }, 'not an http(s) URL'],
    [{ MILLRACE_S3_PATH_STYLE: 'yes' }, 'must be true or false'],
    [{ MILLRACE_S3_MAX_ATTEMPTS: '0' }, 'MILLRACE_S3_MAX_ATTEMPTS=0'],
    [{ MILLRACE_S3_PART_SIZE_MB: '4' }, 'MILLRACE_S3_PART_SIZE_MB=4 is not an integer ≥ 5'],
  ])('%j is refused with a message naming the variable', (env, message) => {
    expect(() => resolveS3Settings(env)).toThrow(expect.objectContaining({ code: 'MR_ERR_STORAGE_URI', message: expect.stringContaining(message) }));
  });
});
