import { homedir } from 'node:os';
import { join } from 'node:path';

// What the project image is made of, and where the pieces are cached (outside the repository).

/** The base image: Debian from Debian packages, made locally with debootstrap. */
export const baseImage = {
  release: 'bookworm',
  variant: 'minbase',
  /** Beyond minbase: CA certificates for TLS to S3 and the API server, tini as PID 1. */
  packages: ['ca-certificates', 'tini'],
  mirror: 'http://deb.debian.org/debian',
  repository: 'localhost/millrace/base',
} as const;

/** npm, only used inside the build to install production dependencies. */
export const npmVersion = '11.19.1';

export const projectImage = {
  ref: 'localhost/millrace:dev',
  /** The numeric user the Dockerfile runs as. */
  uid: 10001,
} as const;

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.MILLRACE_CACHE_DIR ?? join(env.HOME ?? homedir(), '.cache', 'millrace');
}

export interface ImagePaths {
  root: string;
  baseDir: string;
  packagesDir: string;
  npmCacheDir: string;
  /** containers/storage of buildah, kept so layers are reused across builds. */
  storageRoot: string;
  storageRunRoot: string;
  archive: string;
}

export function imagePaths(env: NodeJS.ProcessEnv = process.env): ImagePaths {
  const root = join(cacheRoot(env), 'image');
  return {
    root,
    baseDir: join(root, 'base'),
    packagesDir: join(root, 'packages'),
    npmCacheDir: join(root, 'npm-cache'),
    storageRoot: join(root, 'containers', 'storage'),
    storageRunRoot: '/run/millrace/buildah',
    archive: join(cacheRoot(env), 'images', 'millrace-dev.tar'),
  };
}
