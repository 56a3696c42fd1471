import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Buildah } from './buildah.ts';
import { baseImage, debianMirror } from './config.ts';
import { capture, stream } from './exec.ts';

// The base image, made from Debian packages: debootstrap --variant=minbase plus a few packages,
// trimmed of documentation and apt lists, tarred once per (release, package set) and imported
// into buildah's storage as localhost/millrace/base:<release>-<key>.

// Bump when the way the root file system is made changes, so caches of the old recipe are not reused.
const recipeVersion = 1;

export interface BaseImageSpec {
  release: string;
  variant: string;
  packages: readonly string[];
}

export function baseImageTag(spec: BaseImageSpec = baseImage): string {
  const recipe = JSON.stringify({ recipeVersion, release: spec.release, variant: spec.variant, packages: [...spec.packages].sort() });
  return `${spec.release}-${createHash('sha256').update(recipe).digest('hex').slice(0, 12)}`;
}

export function baseImageRef(spec: BaseImageSpec = baseImage): string {
  return `${baseImage.repository}:${baseImageTag(spec)}`;
}

/** Paths removed from the root file system: documentation, caches, apt lists and logs. */
export const trimmedPaths = [
  'var/cache/apt/archives/*.deb',
  'var/cache/apt/*.bin',
  'var/lib/apt/lists/*',
  'usr/share/doc/*',
  'usr/share/man/*',
  'usr/share/info/*',
  'var/log/*',
  'var/cache/debconf/*-old',
];

export async function ensureBaseRootfs(baseDir: string, log: (line: string) => void): Promise<string> {
  const dir = join(baseDir, baseImageTag());
  const tarball = join(dir, 'rootfs.tar');
  if (existsSync(tarball)) return tarball;
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(dir, '.work-'));
  const rootfs = join(work, 'rootfs');
  const started = Date.now();
  log(`making the ${baseImage.release} base root file system with debootstrap (first time only)`);
  try {
    await stream('debootstrap', [`--variant=${baseImage.variant}`, `--include=${baseImage.packages.join(',')}`, baseImage.release, rootfs, debianMirror()]);
    await capture('sh', ['-c', `cd "$1" && rm -rf ${trimmedPaths.join(' ')}`, 'trim', rootfs]);
    await capture('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '-cf', join(work, 'rootfs.tar'), '.']);
    await rename(join(work, 'rootfs.tar'), tarball);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  log(`base root file system ready in ${Math.round((Date.now() - started) / 1000)} s: ${tarball}`);
  return tarball;
}

export async function ensureBaseImage(tool: Buildah, tarball: string, log: (line: string) => void): Promise<string> {
  const ref = baseImageRef();
  if (await tool.hasImage(ref)) return ref;
  log(`importing the base root file system as ${ref}`);
  const container = (await tool.capture(['from', '--pull=never', 'scratch'])).trim();
  try {
    await tool.capture(['add', container, tarball, '/']);
    await tool.capture(['config', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--cmd', '/bin/sh', '--label', `dev.millrace.base.recipe=${baseImageTag()}`, container]);
    await tool.capture(['commit', '--quiet', container, ref]);
  } finally {
    await tool.capture(['rm', container]).catch(() => undefined);
  }
  return ref;
}
