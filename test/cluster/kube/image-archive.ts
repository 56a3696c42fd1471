import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from './commands.ts';

// A one-layer image in the `docker save` archive format, made without any registry or
// daemon: a root file system tarred as the layer, an OCI image config and a manifest.
// `ctr -n k8s.io images import` (and `kind load image-archive`) read it.

export interface ImageSpec {
  ref: string;
  /** Path in the image → file on this machine to copy there. */
  files: Record<string, string>;
  /** Path in the image → text content. */
  texts?: Record<string, string>;
  /** Path in the image → symlink target. */
  links?: Record<string, string>;
  dirs?: readonly string[];
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  user?: string;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export async function buildImageArchive(output: string, spec: ImageSpec): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'millrace-image-'));
  try {
    const rootfs = join(work, 'rootfs');
    const place = async (path: string) => {
      const target = join(rootfs, path);
      await mkdir(dirname(target), { recursive: true });
      return target;
    };
    await mkdir(rootfs);
    for (const [path, source] of Object.entries(spec.files)) await copyFile(source, await place(path));
    for (const [path, text] of Object.entries(spec.texts ?? {})) await writeFile(await place(path), text);
    for (const [path, target] of Object.entries(spec.links ?? {})) await symlink(target, await place(path));
    for (const dir of spec.dirs ?? []) {
      // World-writable with the sticky bit, like /tmp (chmod: mkdir's mode is cut by the umask).
      await mkdir(join(rootfs, dir), { recursive: true });
      await chmod(join(rootfs, dir), 0o1777);
    }
    // Reproducible layer: sorted, owned by root, fixed times.
    await run('tar', ['--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '-C', rootfs, '-cf', join(work, 'layer.tar'), '.']);
    const diffId = `sha256:${sha256(await readFile(join(work, 'layer.tar')))}`;
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Entrypoint: spec.entrypoint ?? null, Cmd: spec.cmd ?? null, User: spec.user ?? '', Env: ['PATH=/bin'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created_by: 'millrace test/cluster/kube/image-archive.ts' }],
    });
    const configName = `${sha256(config)}.json`;
    await writeFile(join(work, configName), config);
    await writeFile(join(work, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [spec.ref], Layers: ['layer.tar'] }]));
    await mkdir(dirname(output), { recursive: true });
    await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', work, '-cf', `${output}.tmp`, 'manifest.json', configName, 'layer.tar']);
    await rename(`${output}.tmp`, output);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
