import { homedir } from 'node:os';
import { join } from 'node:path';
import { minio } from './version.ts';

// Where the S3 server's binary (cache, keyed by version) and its run state (credentials, pid,
// data) live. Both are outside the repository; the cache survives `s3:down`, the state too,
// so credentials stay stable per machine.
export interface S3Paths {
  binary: string;
  stateDir: string;
  credentialsFile: string;
  serverFile: string;
  dataDir: string;
  logFile: string;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.MILLRACE_CACHE_DIR ?? join(env.HOME ?? homedir(), '.cache', 'millrace');
}

export function s3Paths(env: NodeJS.ProcessEnv = process.env): S3Paths {
  const root = cacheRoot(env);
  const stateDir = join(root, 'run', 's3');
  return {
    binary: join(root, 's3', minio.version, 'minio'),
    stateDir,
    credentialsFile: join(stateDir, 'credentials.json'),
    serverFile: join(stateDir, 'server.json'),
    dataDir: join(stateDir, 'data'),
    logFile: join(stateDir, 'minio.log'),
  };
}
