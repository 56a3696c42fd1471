import { ensureBucket } from './bucket.ts';
import { S3EnvironmentError } from './errors.ts';
import { defaults, downS3, upS3 } from './lifecycle.ts';
import type { S3Connection } from './plan.ts';
import { connectionFromEnv, endpointFor } from './plan.ts';
import { localClusterHostAddress } from './host-address.ts';

export type { S3Connection } from './plan.ts';

export interface UseS3Options {
  /**
   * An address of this machine pods can reach (`(await useNode()).hostAddress`). The server then
   * listens there too and the endpoint returned uses it, so tests and pods share one endpoint.
   */
  hostAddress?: string;
}

const connections = new Map<string, Promise<S3Connection>>();

/**
 * An S3 endpoint with a bucket for tests. When AWS_ENDPOINT_URL (and the key pair) are set,
 * that S3 is used as is (bucket MILLRACE_S3_BUCKET, created if missing). Otherwise the local
 * MinIO server is reused, or built and started; a server started here is owned by the test run
 * (MILLRACE_TEST_RUN_ID) so the run's teardown can stop it with `stopS3StartedBy`.
 */
export function useS3(options: UseS3Options = {}): Promise<S3Connection> {
  const key = options.hostAddress ?? '';
  let connection = connections.get(key);
  if (!connection) {
    connection = resolveS3(options);
    connections.set(key, connection);
    connection.catch(() => connections.delete(key));
  }
  return connection;
}

async function resolveS3(options: UseS3Options): Promise<S3Connection> {
  const fromEnv = connectionFromEnv(process.env, defaults.bucket);
  if (fromEnv.missing.length > 0) {
    throw new S3EnvironmentError('MR_ERR_S3_ENV_INCOMPLETE', `AWS_ENDPOINT_URL is set but ${fromEnv.missing.join(' and ')} not; set them too, or unset AWS_ENDPOINT_URL to use the local MinIO server`);
  }
  if (fromEnv.connection) {
    await ensureBucket(fromEnv.connection);
    return fromEnv.connection;
  }
  // While the local cluster runs, a server started here listens on its host address even for
  // callers that only need loopback, so a later caller whose pods need S3 causes no restart; a
  // running server is never restarted for a caller that does not need the host address.
  const preferred = options.hostAddress === undefined && process.env.MILLRACE_S3_HOST_ADDRESS === undefined ? localClusterHostAddress() : undefined;
  const { connection, record } = await upS3({
    ...(options.hostAddress ? { hostAddress: options.hostAddress } : {}),
    ...(preferred ? { preferHostAddress: preferred } : {}),
    owner: process.env.MILLRACE_TEST_RUN_ID ?? 'test',
    log: (line) => process.stderr.write(`[s3] ${line}\n`),
  });
  return { ...connection, endpoint: endpointFor(record, options.hostAddress !== undefined) };
}

/** For a test run's global teardown: stops the server only if this run started it. */
export async function stopS3StartedBy(runId: string): Promise<boolean> {
  return (await downS3({ owner: runId })) !== undefined;
}
