// The project image, as built by `npm run image:build`, run the way Kubernetes runs it with a
// restricted security context: by runc, as the image's own non-root user, with a read-only root
// file system and no capabilities.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage } from './build-image.ts';
import { buildah } from './buildah.ts';
import type { Buildah } from './buildah.ts';
import { imagePaths, projectImage } from './config.ts';
import { capture } from './exec.ts';

const projectDir = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');

interface ImageConfig {
  User: string;
  Entrypoint: string[];
  Cmd: string[];
  Env: string[];
  WorkingDir: string;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the project image', () => {
  const paths = imagePaths();
  let tool: Buildah;
  let config: ImageConfig;
  let container: string;
  let rootfs: string;
  let bundles: string;

  beforeAll(async () => {
    tool = buildah(paths);
    // CI builds it beforehand (npm run image:build); a cold build here takes minutes.
    if (!(await tool.hasImage(projectImage.ref))) await buildImage({ importMode: 'never', log: (line) => process.stderr.write(`[image] ${line}\n`) });
    // The configuration as Kubernetes gets it: from the exported archive containerd imports.
    const [entry] = JSON.parse(await capture('tar', ['-xOf', paths.archive, 'manifest.json'])) as Array<{ Config: string }>;
    config = (JSON.parse(await capture('tar', ['-xOf', paths.archive, entry!.Config])) as { config: ImageConfig }).config;
    container = (await tool.capture(['from', '--pull=never', projectImage.ref])).trim();
    rootfs = (await tool.capture(['mount', container])).trim();
    bundles = await mkdtemp(join(tmpdir(), 'millrace-image-test-'));
  }, 1_800_000);

  afterAll(async () => {
    if (container) {
      await tool.capture(['umount', container]).catch(() => undefined);
      await tool.capture(['rm', container]).catch(() => undefined);
    }
    if (bundles) await rm(bundles, { recursive: true, force: true });
  });

  /** Runs the image's entry point (or `args` in place of it) under runc, as the image says. */
  async function runContainer(args: string[] | { command: string[] }): Promise<RunResult> {
    const id = `millrace-image-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const bundle = join(bundles, id);
    await capture('mkdir', ['-p', bundle]);
    await capture('runc', ['spec', '--bundle', bundle]);
    const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8'));
    const [uid, gid] = config.User.split(':').map(Number);
    spec.root = { path: rootfs, readonly: true };
    spec.process.terminal = false;
    spec.process.user = { uid, gid };
    spec.process.cwd = config.WorkingDir;
    spec.process.env = config.Env;
    spec.process.args = Array.isArray(args) ? [...config.Entrypoint, ...args] : args.command;
    spec.process.capabilities = { bounding: [], effective: [], permitted: [], ambient: [] };
    spec.hostname = 'millrace';
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
    return new Promise((done) => {
      execFile('runc', ['--root', join(bundles, 'runc-state'), 'run', '--bundle', bundle, id], { timeout: 60_000 }, (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  test('runs as a numeric non-root user with tini and the millrace dispatcher as entry point', () => {
    expect(config.User).toBe(`${projectImage.uid}:${projectImage.uid}`);
    expect(config.Entrypoint).toEqual(['/usr/bin/tini', '--', '/usr/local/bin/millrace']);
    expect(config.Env).toContain('NODE_ENV=production');
  });

  test('runs Node.js 24 (the version of the node devDependency) on a read-only root', async () => {
    const lock = JSON.parse(await readFile(join(projectDir, 'package-lock.json'), 'utf8'));
    const version: string = lock.packages['node_modules/node'].version;
    const result = await runContainer(['version']);
    expect(result).toMatchObject({ code: 0, stdout: `millrace 0.1.0, node v${version}\n` });
  });

  test('cannot write to its root file system, and is not root inside', async () => {
    const result = await runContainer({ command: ['/bin/sh', '-c', 'id -u; touch /opt/millrace/x 2>&1; touch /tmp/x 2>&1; true'] });
    expect(result.stdout).toBe(`${projectImage.uid}\ntouch: cannot touch '/opt/millrace/x': Read-only file system\ntouch: cannot touch '/tmp/x': Read-only file system\n`);
  });

  test('loads its production dependencies and holds none of the development-only packages', async () => {
    const manifest = JSON.parse(await readFile(join(projectDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const lock = JSON.parse(await readFile(join(projectDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const installed = (name: string) => existsSync(join(rootfs, 'opt/millrace/node_modules', name));
    // Packages the lockfile marks dev-only (jest, typescript, eslint, the node binary package, ...).
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.dev && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path))
      .map(([path]) => path.slice('node_modules/'.length));
    expect(devOnly).toEqual(expect.arrayContaining(['jest', 'typescript', 'eslint', 'node']));
    expect(devOnly.filter(installed)).toEqual([]);
    expect(Object.keys(manifest.dependencies).filter((name) => !installed(name))).toEqual([]);
    expect(existsSync(join(rootfs, 'opt/npm'))).toBe(false);

    const script = `for (const name of ${JSON.stringify(Object.keys(manifest.dependencies))}) await import(name); console.log('loaded');`;
    const result = await runContainer({ command: ['/usr/local/bin/node', '--input-type=module', '-e', script] });
    expect(result).toMatchObject({ code: 0, stdout: 'loaded\n' });
  });

  test('ships the sources without their tests', async () => {
    expect(existsSync(join(rootfs, 'opt/millrace/package.json'))).toBe(true);
    expect(existsSync(join(rootfs, 'opt/millrace/operator'))).toBe(true);
    expect(existsSync(join(rootfs, 'opt/millrace/runtime'))).toBe(true);
    const tests = await capture('find', [join(rootfs, 'opt/millrace/operator'), join(rootfs, 'opt/millrace/runtime'), '-name', '*.test.ts']);
    expect(tests).toBe('');
    expect(existsSync(join(rootfs, 'opt/millrace/test'))).toBe(false);
  });

  test('is exported as a docker archive that containerd can import', async () => {
    const manifest = JSON.parse(await capture('tar', ['-xOf', paths.archive, 'manifest.json'])) as Array<{ RepoTags: string[] }>;
    expect(manifest.map((m) => m.RepoTags)).toEqual([[projectImage.ref]]);
  });
});
