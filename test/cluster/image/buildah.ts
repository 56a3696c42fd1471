import { capture, stream } from './exec.ts';
import type { ImagePaths } from './config.ts';

// buildah with its own storage under the cache (layers survive between builds) and chroot
// isolation: we run inside a container, where buildah cannot create its usual namespaces.
export interface Buildah {
  capture(args: readonly string[]): Promise<string>;
  stream(args: readonly string[]): Promise<void>;
  hasImage(ref: string): Promise<boolean>;
}

export function buildahGlobalArgs(paths: ImagePaths, env: NodeJS.ProcessEnv = process.env): string[] {
  // overlay is fast; vfs (MILLRACE_BUILDAH_DRIVER=vfs) works where overlay-on-overlay does not.
  return ['--root', paths.storageRoot, '--runroot', paths.storageRunRoot, '--storage-driver', env.MILLRACE_BUILDAH_DRIVER ?? 'overlay'];
}

export function buildah(paths: ImagePaths, env: NodeJS.ProcessEnv = process.env): Buildah {
  const global = buildahGlobalArgs(paths, env);
  const withIsolation = { env: { ...env, BUILDAH_ISOLATION: 'chroot' } };
  return {
    capture: (args) => capture('buildah', [...global, ...args], withIsolation),
    stream: (args) => stream('buildah', [...global, ...args], withIsolation),
    hasImage: async (ref) => {
      try {
        await capture('buildah', [...global, 'inspect', '--type', 'image', '--format', '{{.FromImageID}}', ref]);
        return true;
      } catch {
        return false;
      }
    },
  };
}
