import { existsSync } from 'node:fs';
import { containerdSocket } from '../kube/node-config.ts';
import { capture } from './exec.ts';
import { ImageBuildError } from './errors.ts';

// Hands the built image to the node tier's containerd, in the `k8s.io` namespace the kubelet uses.

export function containerdAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.MILLRACE_CONTAINERD_SOCKET ?? containerdSocket;
}

/** Whether a containerd answers on the socket (the node tier runs). */
export async function containerdAnswers(address: string): Promise<boolean> {
  if (!existsSync(address)) return false;
  try {
    await capture('ctr', ['--address', address, 'version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * containerd's garbage collector can remove a layer's snapshot between the import's check that it
 * exists and its use as the parent of the next layer (`failed to prepare extraction snapshot ...
 * parent snapshot ... does not exist`), when an earlier version of the image was just replaced. The
 * next import unpacks that layer again.
 */
const SNAPSHOT_RACE = /failed to prepare extraction snapshot|parent snapshot .* does not exist/;
const IMPORT_ATTEMPTS = 3;

export async function importIntoContainerd(address: string, archive: string, ref: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Unpacked into containerd's default snapshotter (overlayfs), ready for the kubelet.
      await capture('ctr', ['--address', address, '-n', 'k8s.io', 'images', 'import', archive]);
      break;
    } catch (error) {
      const message = (error as Error).message;
      if (attempt < IMPORT_ATTEMPTS && SNAPSHOT_RACE.test(message)) continue;
      throw new ImageBuildError('MR_ERR_IMAGE_IMPORT', `importing ${archive} into containerd at ${address} failed: ${message}`);
    }
  }
  const listed = await capture('ctr', ['--address', address, '-n', 'k8s.io', 'images', 'ls', '--quiet', `name==${ref}`]);
  if (!listed.split('\n').includes(ref)) {
    throw new ImageBuildError('MR_ERR_IMAGE_IMPORT', `containerd at ${address} does not list ${ref} after the import; check ${archive} with tar -tf`);
  }
}
