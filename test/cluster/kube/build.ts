import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterError } from './errors.ts';
import { buildImageArchive } from './image-archive.ts';
import type { ImageSpec } from './image-archive.ts';
import { binDir, corednsBinary, imageArchive, kubeBinary, pauseBinary } from './layout.ts';
import { progress } from './progress.ts';
import { buildKubeRouter } from './kube-router.ts';
import { run, runVisible } from './commands.ts';
import { images, versions } from './versions.ts';

// Builds, once per version, everything the local cluster runs from the Go module proxy, and
// the local images. Each output has a stamp holding the hash of its inputs; a matching
// stamp means the cached output is used as is.

const sources = fileURLToPath(new URL('./build/', import.meta.url));

export const kubeComponents = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl'] as const;

function goEnv(): NodeJS.ProcessEnv {
  // Go's caches stay in the home directory (outside the repository); CGO off gives static
  // binaries, as Kubernetes' own release build does for these components.
  return { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH ?? ''}`, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' };
}

function versionLdflags(): string {
  const [major, minor] = versions.kubernetes.slice(1).split('.');
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(
      `-X ${pkg}.gitVersion=${versions.kubernetes}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
      `-X ${pkg}.buildDate=${versions.kubernetesReleaseDate}`,
    );
  }
  return flags.join(' ');
}

async function inputsHash(dir: string, extra: string): Promise<string> {
  const hash = createHash('sha256').update(extra);
  for (const file of ['go.mod', 'go.sum', 'main.go']) {
    if (existsSync(join(dir, file))) hash.update(file).update(await readFile(join(dir, file)));
  }
  return hash.digest('hex');
}

async function isFresh(output: string, stamp: string): Promise<boolean> {
  return existsSync(output) && (await readFile(`${output}.stamp`, 'utf8').catch(() => '')) === stamp;
}

async function goBuild(name: string, sourceDir: string, output: string, ldflags: string, expected: string): Promise<void> {
  const stamp = await inputsHash(sourceDir, ldflags);
  if (await isFresh(output, stamp)) {
    progress(`${name}: cached at ${output}`);
    return;
  }
  progress(`${name}: building with Go from the module proxy (cold, on 2 cores: ${expected})`);
  const started = Date.now();
  await mkdir(dirname(output), { recursive: true });
  await runVisible('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', `${output}.tmp`, '.'], { cwd: sourceDir, env: goEnv() });
  await rename(`${output}.tmp`, output);
  await writeFile(`${output}.stamp`, stamp);
  progress(`${name}: built in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function buildKube(): Promise<void> {
  const binary = join(binDir(), 'kube');
  await goBuild(`Kubernetes ${versions.kubernetes} (multi-call: ${kubeComponents.join(', ')})`, join(sources, 'multicall'), binary, versionLdflags(), 'about 11 minutes');
  for (const component of kubeComponents) {
    if (!existsSync(kubeBinary(component))) await symlink('kube', kubeBinary(component));
  }
}

async function buildImages(): Promise<void> {
  const busybox = '/bin/busybox';
  if (!existsSync(busybox)) throw new ClusterError('MR_ERR_CLUSTER_PREREQUISITE', `${busybox} is missing; install Debian's busybox-static (bash .ci/prepare-cluster.sh)`);
  const applets = (await run(busybox, ['--list'])).split('\n').filter((a) => a && a !== 'busybox');
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/false\n';
  const group = 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n';
  const specs: (ImageSpec & { name: string })[] = [
    { name: 'pause', ref: images.pause, files: { '/pause': pauseBinary() }, entrypoint: ['/pause'], user: '65535:65535' },
    { name: 'coredns', ref: images.coredns, files: { '/coredns': corednsBinary() }, entrypoint: ['/coredns'], user: '65532:65532', texts: { '/etc/passwd': passwd, '/etc/group': group } },
    {
      name: 'busybox', ref: images.busybox, files: { '/bin/busybox': busybox }, cmd: ['sh'], user: '65534:65534',
      links: Object.fromEntries(applets.map((a) => [`/bin/${a}`, 'busybox'])), texts: { '/etc/passwd': passwd, '/etc/group': group }, dirs: ['/tmp', '/www'],
    },
  ];
  for (const spec of specs) {
    const output = imageArchive(spec.name);
    const stamp = createHash('sha256').update(JSON.stringify(spec));
    for (const source of Object.values(spec.files)) stamp.update(await readFile(`${source}.stamp`, 'utf8').catch(() => source));
    const digest = stamp.digest('hex');
    if (await isFresh(output, digest)) continue;
    progress(`image ${spec.ref}: writing ${output}`);
    await buildImageArchive(output, spec);
    await writeFile(`${output}.stamp`, digest);
  }
}

/** Builds whatever is missing or stale. Safe to call again: cached outputs are kept. */
export async function buildAll(): Promise<void> {
  await buildKube();
  await goBuild(`pause ${versions.pause}`, join(sources, 'pause'), pauseBinary(), '-s -w', 'seconds');
  await goBuild(`CoreDNS ${versions.coredns}`, join(sources, 'coredns'), corednsBinary(), '-s -w', 'about 2 minutes after Kubernetes');
  await buildImages();
  // Only test/security/k8s-network-policy.test.ts runs it; built here so CI does not build it inside a test.
  await buildKubeRouter();
}

/** True when `buildAll` would have nothing to do for the given tier. */
export function isBuilt(tier: 'control-plane' | 'node'): boolean {
  const controlPlane = existsSync(join(binDir(), 'kube')) && kubeComponents.every((c) => existsSync(kubeBinary(c)));
  if (tier === 'control-plane') return controlPlane;
  return controlPlane && existsSync(pauseBinary()) && existsSync(corednsBinary()) && ['pause', 'coredns', 'busybox'].every((n) => existsSync(imageArchive(n)));
}
