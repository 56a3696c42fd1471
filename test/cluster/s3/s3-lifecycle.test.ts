// npm run s3:up / s3:status / s3:down as a user runs them, in a state directory of its own (the
// cached MinIO binary is shared): up prints working export lines, a second up reuses the server,
// asking for a host address restarts it there with the data kept, down stops exactly that pid.
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { s3Client } from './bucket.ts';
import { ensureMinioBinary } from './build.ts';
import { s3Paths } from './paths.ts';
import type { S3Connection } from './plan.ts';
import { readServerRecord } from './server.ts';

const cli = join(dirname(fileURLToPath(import.meta.url)), 'cli.ts');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

function parseExports(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.replace(/^'(.*)'$/, '$1')]));
}

function connectionOf(vars: Record<string, string>): S3Connection {
  return {
    endpoint: vars.AWS_ENDPOINT_URL!,
    accessKeyId: vars.AWS_ACCESS_KEY_ID!,
    secretAccessKey: vars.AWS_SECRET_ACCESS_KEY!,
    region: vars.AWS_REGION!,
    bucket: vars.MILLRACE_S3_BUCKET!,
  };
}

/** Whether pid is a live process (an exited one may linger a moment as a zombie until reaped). */
function isLive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('npm run s3:up, s3:status and s3:down', () => {
  let cacheDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const binary = await ensureMinioBinary({ binary: s3Paths().binary, log: (line) => process.stderr.write(`[s3] ${line}\n`) });
    cacheDir = await mkdtemp(join(tmpdir(), 'millrace-s3-lifecycle-'));
    const isolated = s3Paths({ MILLRACE_CACHE_DIR: cacheDir });
    await mkdir(dirname(isolated.binary), { recursive: true });
    await symlink(binary, isolated.binary);
    const { AWS_ENDPOINT_URL: _e, AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, ...rest } = process.env;
    env = { ...rest, MILLRACE_CACHE_DIR: cacheDir, MILLRACE_S3_PORT: String(await freePort()), MILLRACE_S3_BUCKET: 'lifecycle', MILLRACE_S3_HOST_ADDRESS: '' }; // '' = loopback only, even while the cluster runs
  }, 600_000); // builds MinIO first if the cache lacks it (CI runs npm run s3:build before)

  afterAll(async () => {
    if (env) await runCli(['down'], env);
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  test('up, up again, up on a host address, status, down, down again', async () => {
    const first = await runCli(['up'], env);
    expect(first).toMatchObject({ code: 0 });
    const vars = parseExports(first.stdout);
    expect(Object.keys(vars)).toEqual(['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'MILLRACE_S3_BUCKET']);
    expect(vars.AWS_ENDPOINT_URL).toBe(`http://127.0.0.1:${env.MILLRACE_S3_PORT}`);
    const { pid } = (await readServerRecord(s3Paths(env).serverFile))!;
    expect(isLive(pid)).toBe(true);

    // The exported variables are all a client needs; the bucket exists.
    const client = s3Client(connectionOf(vars));
    const buckets = await client.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toContain('lifecycle');
    await client.send(new PutObjectCommand({ Bucket: 'lifecycle', Key: 'kept', Body: 'across restarts' }));
    client.destroy();

    // Twice up is harmless: same server, same credentials.
    const second = await runCli(['up'], env);
    expect(second.code).toBe(0);
    expect(parseExports(second.stdout)).toEqual(vars);
    expect((await readServerRecord(s3Paths(env).serverFile))!.pid).toBe(pid);

    // Pods need it on the host address: restarted there, loopback still served, data kept.
    const onHost = await runCli(['up', '--host-address', '127.0.0.2'], env);
    expect(onHost.code).toBe(0);
    const hostVars = parseExports(onHost.stdout);
    expect(hostVars.AWS_ENDPOINT_URL).toBe(`http://127.0.0.2:${env.MILLRACE_S3_PORT}`);
    const restarted = (await readServerRecord(s3Paths(env).serverFile))!;
    expect(restarted.pid).not.toBe(pid);
    expect(isLive(pid)).toBe(false);
    for (const connection of [connectionOf(hostVars), connectionOf(vars)]) {
      const c = s3Client(connection);
      const kept = await c.send(new GetObjectCommand({ Bucket: 'lifecycle', Key: 'kept' }));
      expect(await kept.Body?.transformToString()).toBe('across restarts');
      c.destroy();
    }

    const status = await runCli(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`pid ${restarted.pid}, on 127.0.0.1:${env.MILLRACE_S3_PORT} and 127.0.0.2:${env.MILLRACE_S3_PORT}`);

    const down = await runCli(['down'], env);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(`stopped MinIO (pid ${restarted.pid})`);
    expect(isLive(restarted.pid)).toBe(false);
    expect(existsSync(s3Paths(env).serverFile)).toBe(false);

    expect(await runCli(['status'], env)).toMatchObject({ code: 3, stdout: 's3: not running\n' });
    const again = await runCli(['down'], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('MinIO was not running');
  }, 120_000);
});
