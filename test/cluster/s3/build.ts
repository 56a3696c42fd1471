import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { S3EnvironmentError } from './errors.ts';
import { minio } from './version.ts';

export interface BuildOptions {
  binary: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export async function isBuilt(binary: string): Promise<boolean> {
  try {
    await access(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function goInstallArgs(): string[] {
  const cmd = `${minio.modulePath}/cmd`;
  const ldflags = [
    '-s -w',
    `-X ${cmd}.ReleaseTag=DEVELOPMENT.${minio.version}`,
    `-X ${cmd}.CommitID=${minio.shortCommit}`,
    `-X ${cmd}.ShortCommitID=${minio.shortCommit}`,
  ].join(' ');
  return ['install', '-trimpath', `-ldflags=${ldflags}`, `${minio.modulePath}@${minio.version}`];
}

// Builds MinIO from the Go module proxy into the cache, once per pinned version. The binary
// appears atomically (built into a temporary GOBIN, then renamed), so a crashed build leaves
// nothing that looks finished.
export async function ensureMinioBinary({ binary, env = process.env, log = () => {} }: BuildOptions): Promise<string> {
  if (await isBuilt(binary)) return binary;
  const dir = dirname(binary);
  await mkdir(dir, { recursive: true });
  const gobin = await mkdtemp(join(dir, '.build-'));
  const started = Date.now();
  log(`building MinIO ${minio.version} from the Go module proxy (first time only, several minutes)`);
  try {
    await run(env.GO ?? 'go', goInstallArgs(), { ...env, GOBIN: gobin, CGO_ENABLED: '0' });
    await rename(join(gobin, 'minio'), binary);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
  log(`built ${binary} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdout goes to stderr too: `s3:up` keeps its stdout for the export lines.
    const child = spawn(command, args, { env, stdio: ['ignore', 2, 2] });
    child.on('error', (error) =>
      reject(new S3EnvironmentError('MR_ERR_S3_BUILD_FAILED', `cannot run ${command} (${error.message}); install Go ≥ 1.24 or set GO to its path`)),
    );
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new S3EnvironmentError('MR_ERR_S3_BUILD_FAILED', `${command} ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}; see its output above`));
    });
  });
}
