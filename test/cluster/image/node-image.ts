import { existsSync } from 'node:fs';
import { imagePaths, projectImage } from './config.ts';
import { containerdAddress, containerdAnswers, importIntoContainerd } from './containerd.ts';
import { capture } from './exec.ts';
import { ImageBuildError } from './errors.ts';

// The project image on the node tier. `npm run image:build` imports the image when the node
// already runs; the node tier imports the archive when it starts after the build. Whichever comes
// second, the kubelet finds the image. Tests that run pods from it call `requireNodeImage` first,
// so a missing image is one clear error instead of pods stuck in ImagePullBackOff.

async function listed(address: string, ref: string): Promise<boolean> {
  const out = await capture('ctr', ['--address', address, '-n', 'k8s.io', 'images', 'ls', '--quiet', `name==${ref}`]);
  return out.split('\n').includes(ref);
}

/** Imports the project image's archive into the node's containerd if it was built; returns whether it did. */
export async function importProjectImageIfBuilt(ref: string = projectImage.ref, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const { archive } = imagePaths(env, ref);
  if (!existsSync(archive)) return false;
  await importIntoContainerd(containerdAddress(env), archive, ref);
  return true;
}

/**
 * Makes sure the node's containerd has `ref`: imports its archive when it was built but not
 * imported, else fails with what to run. Only for images made by `npm run image:build` (a
 * `localhost/` reference); another reference (an existing cluster's registry) is left to the kubelet.
 */
export async function requireNodeImage(ref: string = projectImage.ref, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!ref.startsWith('localhost/') || env.KUBECONFIG) return;
  const address = containerdAddress(env);
  if (!(await containerdAnswers(address))) {
    throw new ImageBuildError('MR_ERR_IMAGE_MISSING', `the node tier's containerd does not answer on ${address}; start the node tier (npm run cluster:up) before tests that run ${ref}`);
  }
  if (await listed(address, ref)) return;
  if (await importProjectImageIfBuilt(ref, env)) return;
  throw new ImageBuildError('MR_ERR_IMAGE_MISSING', `${ref} is not in the node's containerd and ${imagePaths(env, ref).archive} does not exist; run npm run image:build (it imports the image when the node tier runs)`);
}
