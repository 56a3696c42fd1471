// A MinIO server of the test's own (same cached binary as test/cluster/s3, its own port, data
// directory and credentials under a temp dir), so a test can stop S3 on purpose without touching
// the shared server other tests and helpers use.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureBucket } from '../../cluster/s3/bucket.ts';
import { ensureMinioBinary } from '../../cluster/s3/build.ts';
import { generateCredentials, type S3Credentials } from '../../cluster/s3/credentials.ts';
import { s3Paths } from '../../cluster/s3/paths.ts';
import type { S3Connection, ServerRecord } from '../../cluster/s3/plan.ts';
import { startServer, stopServer } from '../../cluster/s3/server.ts';
import { minio } from '../../cluster/s3/version.ts';
import { freePort } from './free-port.ts';

export class PrivateMinio {
  readonly dir: string;
  readonly port: number;
  readonly credentials: S3Credentials;
  readonly connection: S3Connection;
  private record: ServerRecord | undefined;

  private readonly hostAddress: string | undefined;

  private constructor(dir: string, port: number, credentials: S3Credentials, hostAddress: string | undefined) {
    this.dir = dir;
    this.port = port;
    this.credentials = credentials;
    this.hostAddress = hostAddress;
    this.connection = { endpoint: `http://${hostAddress ?? '127.0.0.1'}:${port}`, region: 'us-east-1', bucket: 'recovery-private', ...credentials };
  }

  /**
   * Builds (once, cached) and starts a private server with data under `dir`, and creates its bucket.
   * `hostAddress`: an address of this machine pods reach (`(await useNode()).hostAddress`); the
   * server listens there and the endpoint uses it, as with useS3.
   */
  static async start(dir: string, options: { hostAddress?: string } = {}): Promise<PrivateMinio> {
    mkdirSync(dir, { recursive: true });
    const server = new PrivateMinio(dir, await freePort(), generateCredentials(), options.hostAddress);
    await server.resume();
    await ensureBucket(server.connection);
    return server;
  }

  get running(): boolean {
    return this.record !== undefined;
  }

  /** Starts the server again on the same port with the same data (after `pause`). */
  async resume(): Promise<void> {
    const binary = await ensureMinioBinary({ binary: s3Paths().binary, log: (line) => process.stderr.write(`[private-minio] ${line}\n`) });
    this.record = await startServer({
      binary, version: minio.version, credentials: this.credentials, port: this.port, region: this.connection.region,
      dataDir: path.join(this.dir, 'data'), logFile: path.join(this.dir, 'minio.log'), serverFile: this.serverFile, owner: 'recovery-test',
      ...(this.hostAddress ? { hostAddress: this.hostAddress } : {}),
    });
  }

  /** Stops exactly this server's process (by its recorded pid); the shared server is never touched. */
  async pause(): Promise<void> {
    if (!this.record) return;
    await stopServer(this.record, this.serverFile, 5000);
    this.record = undefined;
  }

  private get serverFile(): string {
    return path.join(this.dir, 'server.json');
  }
}
