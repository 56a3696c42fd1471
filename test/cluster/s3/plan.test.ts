import { connectionFromEnv, decideServerAction, endpointFor, listenAddress, renderExports } from './plan.ts';
import type { ServerRecord } from './plan.ts';

const running: ServerRecord = {
  pid: 4242,
  binary: '/cache/s3/v1/minio',
  version: 'v1',
  port: 19000,
  region: 'us-east-1',
  startedAt: '2026-01-01T00:00:00.000Z',
  owner: 'manual',
};

describe('deciding whether to start, reuse or restart the S3 server', () => {
  test('starts when nothing runs', () => {
    expect(decideServerAction(undefined, { version: 'v1', port: 19000 })).toEqual({ kind: 'start' });
  });

  test('reuses a loopback server for loopback callers', () => {
    expect(decideServerAction(running, { version: 'v1', port: 19000 })).toEqual({ kind: 'reuse', record: running });
  });

  test('reuses a server on the host address for loopback callers too (MinIO always serves loopback)', () => {
    const onHost = { ...running, hostAddress: '10.96.255.1' };
    expect(decideServerAction(onHost, { version: 'v1', port: 19000 }).kind).toBe('reuse');
  });

  test('restarts a loopback-only server when pods need it on the host address', () => {
    const action = decideServerAction(running, { version: 'v1', port: 19000, hostAddress: '10.96.255.1' });
    expect(action).toMatchObject({ kind: 'restart', reason: 'it does not listen on 10.96.255.1 yet' });
  });

  test('restarts a server of another pinned version or port', () => {
    expect(decideServerAction(running, { version: 'v2', port: 19000 }).kind).toBe('restart');
    expect(decideServerAction(running, { version: 'v1', port: 39001 }).kind).toBe('restart');
  });
});

describe('addresses', () => {
  test('listens on loopback unless given a host address', () => {
    expect(listenAddress(19000)).toBe('127.0.0.1:19000');
    expect(listenAddress(19000, '10.96.255.1')).toBe('10.96.255.1:19000');
    expect(listenAddress(19000, 'fd00::1')).toBe('[fd00::1]:19000');
  });

  test('hands out the host address endpoint only to callers that asked for it', () => {
    const onHost = { port: 19000, hostAddress: '10.96.255.1' };
    expect(endpointFor(onHost, true)).toBe('http://10.96.255.1:19000');
    expect(endpointFor(onHost, false)).toBe('http://127.0.0.1:19000');
    expect(endpointFor({ port: 19000 }, true)).toBe('http://127.0.0.1:19000');
  });
});

describe('export lines', () => {
  test('prints AWS_* variables and the bucket, quoting what the shell would split', () => {
    const text = renderExports({
      endpoint: 'http://127.0.0.1:19000',
      accessKeyId: 'MRABC',
      secretAccessKey: "it's secret",
      region: 'us-east-1',
      bucket: 'millrace-test',
    });
    expect(text).toBe(
      [
        'export AWS_ENDPOINT_URL=http://127.0.0.1:19000',
        'export AWS_ACCESS_KEY_ID=MRABC',
        `export AWS_SECRET_ACCESS_KEY='it'\\''s secret'`,
        'export AWS_REGION=us-east-1',
        'export MILLRACE_S3_BUCKET=millrace-test',
        '',
      ].join('\n'),
    );
  });
});

describe('an S3 given by the environment', () => {
  test('is absent without AWS_ENDPOINT_URL', () => {
    expect(connectionFromEnv({}, 'b')).toEqual({ missing: [] });
  });

  test('needs the key pair with the endpoint', () => {
    expect(connectionFromEnv({ AWS_ENDPOINT_URL: 'http://s3:9000', AWS_ACCESS_KEY_ID: 'a' }, 'b').missing).toEqual(['AWS_SECRET_ACCESS_KEY']);
  });

  test('is used with its region and bucket, defaults otherwise', () => {
    const env = { AWS_ENDPOINT_URL: 'http://s3:9000', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's' };
    expect(connectionFromEnv(env, 'dflt').connection).toEqual({ endpoint: 'http://s3:9000', accessKeyId: 'a', secretAccessKey: 's', region: 'us-east-1', bucket: 'dflt' });
    expect(connectionFromEnv({ ...env, AWS_REGION: 'eu-west-1', MILLRACE_S3_BUCKET: 'mine' }, 'dflt').connection).toMatchObject({ region: 'eu-west-1', bucket: 'mine' });
  });
});
