// Which savepoint directories of a namespace no one owns any more (pure). A directory under
// `<prefix>flink-savepoints/<namespace>/<deployment>/savepoint-<id>/` is owned while a Savepoint
// object or a Deployment's status names it. Unowned ones come from a trigger whose Savepoint
// never recorded it (a pass that triggered twice, an operator that stopped between the trigger
// and the status write, a Savepoint deleted while its savepoint was still being written). They
// are deleted only when: no savepoint of their deployment is being taken (its path is not known
// until it completes), nothing was written in them for the grace period, and they do not carry
// the kept marker (the files of a Savepoint deleted with spec.disposeOnDelete false), and they
// were written after sweeping began for the namespace: files of Savepoints deleted by an operator
// that wrote no kept marker yet are user data and never swept.
import { SAVEPOINTS_ROOT } from '../../runtime/storage/layout.ts';

/** The marker left in the directory of a Savepoint deleted with spec.disposeOnDelete false. */
export const KEPT_MARKER = '_millrace-kept';

export interface StoredSavepointDirectory {
  /** Key of the directory, ending in '/'. */
  key: string;
  /** Newest LastModified of its files (ms). */
  newestAt: number;
  /** It holds KEPT_MARKER. */
  kept: boolean;
}

export interface SweepInput {
  /** `<prefix>flink-savepoints/<namespace>/` */
  parentKey: string;
  directories: readonly StoredSavepointDirectory[];
  /** Directory keys ('/'-terminated) that a Savepoint or a Deployment status names. */
  ownedKeys: readonly string[];
  /** Deployments with a savepoint being taken. */
  busyDeployments: readonly string[];
  graceMs: number;
  now: number;
  /** When this operator began sweeping the namespace (ms): older directories are never touched. */
  sweepSince: number;
}

export interface UnownedDirectory { key: string; deployment: string }

const DIRECTORY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/savepoint-[A-Za-z0-9][A-Za-z0-9_-]{0,127}\/$/;

/** `<prefix>flink-savepoints/<namespace>/` of a workspace prefix ('' or ending in '/') and a namespace. */
export function namespaceSavepointsKey(prefix: string, namespace: string): string {
  return `${prefix}${SAVEPOINTS_ROOT}${namespace}/`;
}

/** The directory key of an `s3://<bucket>/<key>` path in `bucket`, '/'-terminated; undefined for other buckets and other schemes. */
export function directoryKeyOf(path: string, bucket: string): string | undefined {
  const m = /^s3a?:\/\/([^/]+)\/(.+)$/.exec(path.trim());
  if (!m || m[1] !== bucket || !m[2]) return undefined;
  return m[2].endsWith('/') ? m[2] : `${m[2]}/`;
}

export function unownedSavepointDirectories(input: SweepInput): UnownedDirectory[] {
  const owned = new Set(input.ownedKeys);
  const busy = new Set(input.busyDeployments);
  const out: UnownedDirectory[] = [];
  for (const d of input.directories) {
    if (!d.key.startsWith(input.parentKey)) continue;
    const m = DIRECTORY.exec(d.key.slice(input.parentKey.length));
    const deployment = m?.[1];
    if (!deployment) continue; // not a savepoint directory of the layout: never touched
    if (d.kept || owned.has(d.key) || busy.has(deployment)) continue;
    if (input.now - d.newestAt < input.graceMs || d.newestAt < input.sweepSince) continue;
    out.push({ key: d.key, deployment });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
