import { homedir } from 'node:os';
import { join } from 'node:path';
import { versions } from './versions.ts';

// Where things live. Builds are cached by version; everything a running cluster writes
// (pids, logs, PKI, etcd data, kubelet root) is under the run directory and goes on `down`.
// Nothing is written inside the repository.
export function cacheRoot(): string {
  return process.env.MILLRACE_CACHE_DIR ?? join(homedir(), '.cache', 'millrace');
}

export function binDir(): string {
  return join(cacheRoot(), 'kube', versions.kubernetes, 'bin');
}

export function kubeBinary(component: string): string {
  return join(binDir(), component);
}

export function corednsBinary(): string {
  return join(cacheRoot(), 'coredns', versions.coredns, 'coredns');
}

export function pauseBinary(): string {
  return join(cacheRoot(), 'pause', versions.pause, 'pause');
}

export function imageArchive(name: string): string {
  return join(cacheRoot(), 'images', `${name}.tar`);
}

export function runDir(): string {
  return join(cacheRoot(), 'run');
}

export function runPath(...parts: string[]): string {
  return join(runDir(), ...parts);
}

export function adminKubeconfigPath(): string {
  return runPath('admin.kubeconfig');
}
