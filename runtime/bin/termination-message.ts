// A fatal start-up error, written where Kubernetes looks for a container's last words: the
// termination log (terminationMessagePath, /dev/termination-log). The kubelet copies it into the
// pod status (state.terminated.message), where the operator reads it and reports the cause in the
// Deployment's status and Events (operator/controllers/deployment/pod-problems.ts): a job module
// that does not load (MR_ERR_JOB_LOAD) or whose build() throws (MR_ERR_JOB_INVALID).
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

export const TERMINATION_LOG = '/dev/termination-log';
/** The kubelet keeps at most 4096 bytes of a termination message. */
const MAX_BYTES = 4096;

const CODE = /^(MR_ERR_[A-Z0-9_]+):\s*/;

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('MR_ERR_') ? code : undefined;
}

/**
 * `<MR_ERR_CODE>: <message>`, with the most specific code: the one the message starts with, else
 * the deepest coded cause (a load error wrapped as an invalid job), else the error's own.
 */
export function terminationMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  let deepest: string | undefined;
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    deepest = codeOf(e) ?? deepest;
  }
  let text = message;
  const leading = CODE.exec(text)?.[1];
  while (CODE.test(text)) text = text.replace(CODE, '');
  const code = leading ?? deepest ?? codeOf(err);
  const full = code ? `${code}: ${text}` : text;
  const bytes = Buffer.from(full);
  return bytes.length <= MAX_BYTES ? full : `${bytes.subarray(0, MAX_BYTES - 3).toString('utf8').replace(/\uFFFD$/, '')}...`;
}

/**
 * Writes the message to the termination log if that file exists (Kubernetes mounts it into
 * every container; outside a pod there is none and nothing is written). Never throws: the
 * process is failing already and its stderr says the same.
 */
export function writeTerminationMessage(err: unknown, path: string = process.env.MILLRACE_TERMINATION_LOG ?? TERMINATION_LOG): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r+'); // only an existing file: never creates one in /dev
    ftruncateSync(fd, 0);
    writeSync(fd, terminationMessage(err));
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
