// Where file sources and sinks may read and write. A pipeline is data a namespace member writes,
// yet its file connectors run with the pod's filesystem: without a check, `path:
// /var/run/secrets/millrace/s3` plus a print sink copies the storage keys into logs every viewer
// reads. So: never the secret mounts, /proc, /sys or /dev; and when MILLRACE_FILE_ROOTS is set
// (the operator sets it in JobManager and TaskManager pods) only under those roots. Paths are
// compared after resolving symbolic links, so a link under an allowed root cannot lead out.
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Never readable or writable by a file connector, in a cluster or locally. */
export const DENIED_FILE_ROOTS = ['/var/run/secrets', '/run/secrets', '/proc', '/sys', '/dev'] as const;
/** Colon-separated absolute directories; unset: anywhere except DENIED_FILE_ROOTS (local mode). */
export const FILE_ROOTS_ENV = 'MILLRACE_FILE_ROOTS';

export class FilePathError extends Error {
  readonly code = 'MR_ERR_FILE_PATH_NOT_ALLOWED';
  readonly subject: string;
  constructor(message: string, subject: string) {
    super(`MR_ERR_FILE_PATH_NOT_ALLOWED: ${message}`);
    this.name = 'FilePathError';
    this.subject = subject;
  }
}

/**
 * The real path of `p`: links resolved for the part that exists, the rest appended as written.
 * A link whose target does not exist (yet) is followed by hand, so it is judged by where it leads.
 */
export function realPathOf(p: string, depth = 0): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    const tail = [...rest].reverse();
    try {
      return path.join(realpathSync(cur), ...tail);
    } catch {
      // not there, or a dangling link
    }
    let link: string | undefined;
    try {
      if (lstatSync(cur).isSymbolicLink()) link = readlinkSync(cur);
    } catch {
      // not there
    }
    if (link !== undefined && depth < 40) return realPathOf(path.join(path.resolve(path.dirname(cur), link), ...tail), depth + 1);
    const parent = path.dirname(cur);
    if (parent === cur) return abs;
    rest.push(path.basename(cur));
    cur = parent;
  }
}

const within = (p: string, root: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

export function configuredFileRoots(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const v = env[FILE_ROOTS_ENV];
  if (v === undefined || v.trim() === '') return undefined;
  return v.split(':').filter((r) => r !== '').map((r) => path.resolve(r));
}

/**
 * Throws FilePathError unless `p` (option `option` of a file connector) lies under an allowed
 * root and under no denied one; returns the resolved real path.
 */
export function checkFilePath(p: string, option: string, roots: string[] | undefined = configuredFileRoots()): string {
  const real = realPathOf(p);
  for (const denied of DENIED_FILE_ROOTS) {
    if (within(real, denied) || within(real, realPathOf(denied)) || within(path.resolve(p), denied)) {
      throw new FilePathError(`${option} '${p}' is inside ${denied}, which file connectors never read or write; use a data directory`, p);
    }
  }
  if (roots && !roots.some((r) => within(real, realPathOf(r)))) {
    throw new FilePathError(`${option} '${p}' is outside the directories this job may use (${roots.join(', ')}); use a path under one of them`, p);
  }
  return real;
}
