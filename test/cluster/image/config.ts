import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ImageBuildError } from './errors.ts';

// What the project image is made of, and where the pieces are cached (outside the repository).

/** The base image: Debian from Debian packages, made locally with debootstrap. */
export const baseImage = {
  release: 'bookworm',
  variant: 'minbase',
  /** Beyond minbase: CA certificates for TLS to S3 and the API server, tini as PID 1. */
  packages: ['ca-certificates', 'tini'],
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
  /** The docker archive of `ref`, named after it (see archiveFileName). */
  archive: string;
}

/**
 * The archive's file name for an image reference: the reference without the `localhost/` of
 * local images, every run of characters a file name should not hold (`/`, `:`, `@`, …) as one
 * `-`. So the default `localhost/millrace:dev` keeps its `millrace-dev.tar`, and a build with
 * `--tag localhost/millrace:scratch` writes `millrace-scratch.tar` instead of replacing it.
 */
export function archiveFileName(ref: string): string {
  const name = ref.trim().replace(/^localhost\//, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  if (!name) throw new ImageBuildError('MR_ERR_IMAGE_REF', `'${ref}' is not an image reference; give --tag a name such as localhost/millrace:dev`);
  return `${name}.tar`;
}

export function imagePaths(env: NodeJS.ProcessEnv = process.env, ref: string = projectImage.ref): ImagePaths {
  const root = join(cacheRoot(env), 'image');
  return {
    root,
    baseDir: join(root, 'base'),
    packagesDir: join(root, 'packages'),
    npmCacheDir: join(root, 'npm-cache'),
    storageRoot: join(root, 'containers', 'storage'),
    storageRunRoot: '/run/millrace/buildah',
    archive: join(cacheRoot(env), 'images', archiveFileName(ref)),
  };
}

/**
 * The Debian mirror debootstrap fetches from: MILLRACE_DEBIAN_MIRROR, else the first one this
 * machine's apt uses (so the image comes from the same place as the machine's own packages).
 */
export function debianMirror(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MILLRACE_DEBIAN_MIRROR) return env.MILLRACE_DEBIAN_MIRROR;
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(text)?.[1];
    if (uri && !uri.includes('security')) return uri;
  }
  throw new Error('MR_ERR_IMAGE_NO_MIRROR: no Debian mirror found in /etc/apt sources; set MILLRACE_DEBIAN_MIRROR');
}
