import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './commands.ts';
import { buildImageArchive } from './image-archive.ts';

let work = '';
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'image-archive-test-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

test('an image archive holds a manifest, a config whose diff id is the layer digest, and the files', async () => {
  await writeFile(join(work, 'tool'), '#!/bin/sh\necho hi\n');
  const archive = join(work, 'image.tar');
  await buildImageArchive(archive, {
    ref: 'millrace.local/test:1', files: { '/bin/tool': join(work, 'tool') }, texts: { '/etc/motd': 'hello' },
    links: { '/bin/alias': 'tool' }, dirs: ['/tmp'], entrypoint: ['/bin/tool'], user: '65534:65534',
  });
  const out = join(work, 'out');
  await run('mkdir', ['-p', out]);
  await run('tar', ['-C', out, '-xf', archive]);
  const [manifest] = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { Config: string; RepoTags: string[]; Layers: string[] }[];
  expect(manifest?.RepoTags).toEqual(['millrace.local/test:1']);
  const config = JSON.parse(await readFile(join(out, manifest?.Config ?? ''), 'utf8')) as { config: { Entrypoint: string[]; User: string }; rootfs: { diff_ids: string[] } };
  expect(config.config.Entrypoint).toEqual(['/bin/tool']);
  expect(config.config.User).toBe('65534:65534');
  const layer = await readFile(join(out, manifest?.Layers[0] ?? ''));
  expect(config.rootfs.diff_ids).toEqual([`sha256:${createHash('sha256').update(layer).digest('hex')}`]);
  const listing = await run('tar', ['-tvf', join(out, 'layer.tar')]);
  expect(listing).toMatch(/drwxrwxrwt 0\/0 .* \.\/tmp\//);
  expect(listing).toMatch(/0\/0 .* \.\/bin\/alias -> tool/);
  expect(listing).toContain('./etc/motd');
  expect(listing).toContain('./bin/tool');
});
