// Two-phase commit of the file sink's output, per subtask. Records go to a hidden in-progress
// file; at a checkpoint barrier it is closed and becomes *pending* for that checkpoint (phase 1,
// its name is in the checkpoint's state); when the checkpoint completes, pending files are
// renamed to their visible names (phase 2). Readers of the directory therefore only ever see data
// of completed checkpoints, plus at end of input the rest (`-end`).
//
// Names are deterministic per (job, subtask, checkpoint): `part-<job>-<subtask>-c<n>.<ext>` and
// `part-<job>-<subtask>-end.<ext>`; hidden files start with a dot and carry the attempt, so
// parallel attempts never share one. On restore from checkpoint n of job J, a subtask takes the
// states of the old subtasks assigned to it: it commits their pending files (they belong to a
// completed checkpoint), then rolls back everything else those old subtasks left: hidden files,
// and files made visible after n (end-of-input files, which a replay writes again). A failover
// without any checkpoint replays from the start, so it rolls back all of its own subtask's files.
// One job per output directory.

import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import path from 'node:path';
import { FilePathError } from './file-roots.ts';

export interface PendingFile {
  /** hidden name in the directory */
  readonly hidden: string;
  /** visible name after commit */
  readonly final: string;
}

/** The sink subtask's state in a checkpoint (JSON). */
export interface FileCommitState {
  readonly job: string;
  readonly subtask: number;
  /** the checkpoint this state was taken at */
  readonly checkpointId: number;
  /** pending files, oldest checkpoint first */
  readonly pending: Array<{ readonly checkpointId: number; readonly files: PendingFile[] }>;
}

/** Up to 8 letters and digits of the job id: enough to keep runs of different jobs apart. */
export const shortJobId = (jobId: string): string => jobId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'job';

const PART = /^part-([A-Za-z0-9]+)-(\d+)-(c(\d+)|end)\.[A-Za-z0-9]+$/;
const HIDDEN = /^\.part-([A-Za-z0-9]+)-(\d+)-a\d+-\d+\.inprogress$/;

/** Refuses a restored pending file whose names are not a hidden part file and a visible part file of the directory itself. */
export function checkPendingFile(f: PendingFile, dir: string): void {
  const ok = typeof f?.hidden === 'string' && typeof f.final === 'string' && HIDDEN.test(f.hidden) && PART.test(f.final);
  if (!ok) throw new FilePathError(`the file sink's restored state names ${JSON.stringify(f)}, not a part file of ${dir}; refusing to move files outside the output directory`, dir);
}

export class FileCommitter {
  readonly dir: string;
  private readonly job: string;
  private readonly subtask: number;
  private readonly attempt: number;
  private readonly ext: string;
  private seq = 0;
  private current: { hidden: string; fd: number } | undefined;
  private pending: Array<{ checkpointId: number; files: PendingFile[] }> = [];

  constructor(o: { dir: string; jobId: string; subtask: number; attempt: number; ext: string }) {
    this.dir = o.dir;
    this.job = shortJobId(o.jobId);
    this.subtask = o.subtask;
    this.attempt = o.attempt;
    this.ext = o.ext;
  }

  private at(name: string): string {
    return path.join(this.dir, name);
  }

  /** Appends bytes to the in-progress file (opened on first use). */
  write(data: string): void {
    if (!this.current) {
      const hidden = `.part-${this.job}-${this.subtask}-a${this.attempt}-${this.seq++}.inprogress`;
      this.current = { hidden, fd: openSync(this.at(hidden), 'w', 0o644) };
    }
    writeSync(this.current.fd, data);
  }

  private closeCurrent(): string | undefined {
    const c = this.current;
    if (!c) return undefined;
    fsyncSync(c.fd);
    closeSync(c.fd);
    this.current = undefined;
    return c.hidden;
  }

  /** Phase 1 at the barrier of checkpoint n: the in-progress file becomes pending for n. */
  snapshot(checkpointId: number): FileCommitState {
    const hidden = this.closeCurrent();
    if (hidden) this.pending.push({ checkpointId, files: [{ hidden, final: `part-${this.job}-${this.subtask}-c${checkpointId}.${this.ext}` }] });
    return { job: this.job, subtask: this.subtask, checkpointId, pending: this.pending.map((p) => ({ checkpointId: p.checkpointId, files: [...p.files] })) };
  }

  /** Phase 2: checkpoint n completed; commits everything pending up to n. */
  commitUpTo(checkpointId: number): void {
    const [done, rest] = [this.pending.filter((p) => p.checkpointId <= checkpointId), this.pending.filter((p) => p.checkpointId > checkpointId)];
    for (const p of done) for (const f of p.files) this.commit(f);
    this.pending = rest;
  }

  /** Renames a pending file into place; idempotent (a restore may commit what was committed). */
  private commit(f: PendingFile): void {
    if (existsSync(this.at(f.hidden))) renameSync(this.at(f.hidden), this.at(f.final));
  }

  /**
   * Restore: commit the pending files recorded in the states of the old subtasks assigned here,
   * then roll back what else those subtasks left behind (hidden files, and files made visible
   * after the restored checkpoint).
   */
  restore(states: readonly FileCommitState[]): void {
    // A state comes from storage: its names must be the committer's own, so a rename never
    // leaves the output directory (`../`, absolute paths, other files of the directory).
    for (const s of states) for (const p of s.pending) for (const f of p.files) checkPendingFile(f, this.dir);
    for (const s of states) for (const p of s.pending) for (const f of p.files) this.commit(f);
    for (const s of states) this.rollBack(s.job, s.subtask, s.checkpointId);
  }

  /** A failover that restores nothing replays from the start: our earlier files go. */
  rollBackAll(): void {
    this.rollBack(this.job, this.subtask, 0);
  }

  private rollBack(job: string, subtask: number, after: number): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const hidden = HIDDEN.exec(name);
      if (hidden && hidden[1] === job && Number(hidden[2]) === subtask) {
        if (!(job === this.job && subtask === this.subtask && this.isMine(name))) rmSync(this.at(name), { force: true });
        continue;
      }
      const part = PART.exec(name);
      if (part && part[1] === job && Number(part[2]) === subtask && (part[3] === 'end' || Number(part[4]) > after)) rmSync(this.at(name), { force: true });
    }
  }

  private isMine(name: string): boolean {
    return name.startsWith(`.part-${this.job}-${this.subtask}-a${this.attempt}-`);
  }

  /**
   * End of input: everything written is final. Pending files are committed under their own
   * names, the rest becomes the end file; an empty rest removes an end file of an earlier run.
   */
  finish(): void {
    for (const p of this.pending) for (const f of p.files) this.commit(f);
    this.pending = [];
    const hidden = this.closeCurrent();
    const end = `part-${this.job}-${this.subtask}-end.${this.ext}`;
    if (hidden) renameSync(this.at(hidden), this.at(end));
    else rmSync(this.at(end), { force: true });
  }

  /** Cancellation or failure: the in-progress file stays hidden (a restore removes it). */
  close(): void {
    if (this.current) closeSync(this.current.fd);
    this.current = undefined;
  }
}
