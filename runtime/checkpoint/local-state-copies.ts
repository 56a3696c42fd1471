// Task-local copies of checkpoint state (Flink's local recovery, `state.backend.local-recovery`):
// a TaskManager keeps, on its own disk, the state files its tasks uploaded for a checkpoint, so a
// restart that places a task on this TaskManager again reads them from disk instead of from S3.
//
// Layout: <root>/<jobId>/chk-<n>-<hash of the remote snapshot directory>/<state file name>. A copy
// is used only for the very snapshot being restored (same job, checkpoint id and remote directory)
// and only when its size and sha256 match the checkpoint's _metadata (checked as it is read, as
// remote files are); anything else is not found here and the caller reads the remote copy.
// Bounded: when checkpoint n completes, copies of older checkpoints of the job are deleted (a
// savepoint leaves no local copy, so its completion deletes nothing); the TaskManager deletes the
// whole root when it starts and when it stops. Copies are written without fsync: a crash that
// loses or truncates one is caught by the checksum.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { LocalObjectStore } from '../storage/local-object-store.ts';
import type { StateFileEntry } from '../storage/snapshot-metadata.ts';
import { openStateFile } from '../storage/snapshot-reader.ts';

/** Which snapshot a local copy belongs to: the job, the checkpoint and its remote location. */
export interface LocalCopyKey {
  readonly jobId: string;
  readonly checkpointId: number;
  readonly storageUri: string;
  readonly dir: string;
}

const CHECKPOINT_DIR = /^chk-(\d+)-[0-9a-f]{12}$/;
const safeJobDir = (jobId: string): string => jobId.replace(/[^A-Za-z0-9_-]/g, '_');

export class LocalStateCopies {
  readonly root: string;
  private readonly store: LocalObjectStore;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.store = new LocalObjectStore({ directory: this.root });
  }

  /** The checkpoint's directory, relative to the root ('/'-terminated, as object store keys are). */
  dirOf(key: LocalCopyKey): string {
    const remote = createHash('sha256').update(`${key.storageUri}\n${key.dir}`).digest('hex').slice(0, 12);
    return `${safeJobDir(key.jobId)}/chk-${key.checkpointId}-${remote}/`;
  }

  /** Writes one state file's copy (temporary name, then rename, so a reader never sees half a file). */
  async keep(key: LocalCopyKey, file: string, chunks: readonly Uint8Array[]): Promise<void> {
    const dir = path.join(this.root, this.dirOf(key));
    const temp = path.join(dir, `.${file}.tmp-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(temp, chunks, { mode: 0o600 });
      await rename(temp, path.join(dir, file));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /**
   * The local copy of a state file as a stream checked against the entry's size and sha256 (the
   * stream fails at its end on a mismatch), or undefined when there is none of that size.
   */
  async open(key: LocalCopyKey, entry: StateFileEntry): Promise<Readable | undefined> {
    const dir = this.dirOf(key);
    const size = await stat(path.join(this.root, dir, entry.file)).then((s) => s.size, () => undefined);
    if (size !== entry.size) return undefined;
    return openStateFile({ store: this.store, dir }, entry);
  }

  /** Deletes the job's copies of checkpoints before `checkpointId` if this TaskManager holds a copy of it. */
  async subsume(jobId: string, checkpointId: number): Promise<void> {
    const jobDir = path.join(this.root, safeJobDir(jobId));
    const dirs = await readdir(jobDir).catch(() => [] as string[]);
    const idOf = (d: string): number | undefined => {
      const m = CHECKPOINT_DIR.exec(d);
      return m ? Number(m[1]) : undefined;
    };
    if (!dirs.some((d) => idOf(d) === checkpointId)) return;
    await Promise.all(dirs.filter((d) => (idOf(d) ?? checkpointId) < checkpointId).map((d) => rm(path.join(jobDir, d), { recursive: true, force: true })));
  }

  /** Deletes every copy (the TaskManager starts or stops: no task of it will restore from them). */
  async clear(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  /** Checkpoint ids the job has copies of, ascending (for tests and the log). */
  async checkpointsOf(jobId: string): Promise<number[]> {
    const dirs = await readdir(path.join(this.root, safeJobDir(jobId))).catch(() => [] as string[]);
    return dirs.flatMap((d) => {
      const m = CHECKPOINT_DIR.exec(d);
      return m ? [Number(m[1])] : [];
    }).sort((a, b) => a - b);
  }
}
