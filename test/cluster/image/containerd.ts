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

export async function importIntoContainerd(address: string, archive: string, ref: string): Promise<void> {
  try {
    // Unpacked into containerd's default snapshotter (overlayfs), ready for the kubelet.
    await capture('ctr', ['--address', address, '-n', 'k8s.io', 'images', 'import', archive]);
  } catch (error) {
    throw new ImageBuildError('MR_ERR_IMAGE_IMPORT', `importing ${archive} into containerd at ${address} failed: ${(error as Error).message}`);
  }
  const listed = await capture('ctr', ['--address', address, '-n', 'k8s.io', 'images', 'ls', '--quiet', `name==${ref}`]);
  if (!listed.split('\n').includes(ref)) {
    throw new ImageBuildError('MR_ERR_IMAGE_IMPORT', `containerd at ${address} does not list ${ref} after the import; check ${archive} with tar -tf`);
  }
}
