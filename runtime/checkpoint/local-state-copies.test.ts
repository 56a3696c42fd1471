// Local recovery on one TaskManager's disk: a checkpoint's upload leaves a local copy, a restore of
// that checkpoint reads it instead of the remote file, a damaged or foreign copy falls back to the
// remote file, and a completed checkpoint subsumes older copies. The "remote" store is a directory
// here; the real-process test (test/recovery/local-recovery.test.ts) uses MinIO.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeOperatorSnapshot } from '../state/state-file-format.ts';
import { LocalStateCopies } from './local-state-copies.ts';
import { localRecoveryOf } from './local-recovery-option.ts';
import { noRestoreReads, TaskStateIO } from './task-state-io.ts';
import type { TaskCheckpointSnapshot } from './task-snapshot.ts';
import type { SubtaskRestore } from './messages.ts';

const snapshotOf = (checkpointId: number, n: number): TaskCheckpointSnapshot => ({
  checkpointId, vertexId: 'v', subtaskIndex: 0, alignmentMs: 0, syncMs: 0, serializeMs: 0, serializeWallMs: 0,
  states: [{ operatorUid: 'counts', parallelism: 1, maxParallelism: 128, chunks: encodeOperatorSnapshot({ operator: { n } }) }],
});

describe('local copies of checkpoint state (local recovery)', () => {
  let remote: string;
  let local: string;
  let copies: LocalStateCopies;
  let io: TaskStateIO;
  const errors: string[] = [];

  beforeEach(() => {
    remote = mkdtempSync(path.join(os.tmpdir(), 'local-recovery-remote-'));
    local = mkdtempSync(path.join(os.tmpdir(), 'local-recovery-local-'));
    copies = new LocalStateCopies(local);
    io = new TaskStateIO({}, copies, (e) => errors.push(e.message));
  });
  afterEach(() => {
    io.close();
    rmSync(remote, { recursive: true, force: true });
    rmSync(local, { recursive: true, force: true });
  });

  async function checkpoint(id: number, n: number, keepLocal = true): Promise<SubtaskRestore> {
    const target = { storageUri: remote, dir: `chk-${id}/` };
    const handles = await io.upload(target, snapshotOf(id, n), keepLocal ? { jobId: 'job1' } : undefined);
    const { operatorUid: _uid, parallelism: _p, maxParallelism: _m, ...entry } = handles[0]!;
    return { storageUri: remote, dir: target.dir, checkpointId: id, files: { counts: [entry] } };
  }

  test('a restore of the checkpoint reads the local copy, not the remote file', async () => {
    const restore = await checkpoint(1, 41);
    // the remote file is still there, but damaged: a restore that read it would fail
    const remoteFile = path.join(remote, 'chk-1', restore.files.counts![0]!.file);
    writeFileSync(remoteFile, Buffer.alloc(readFileSync(remoteFile).length));
    const reads = noRestoreReads();
    await expect(io.load(restore, { jobId: 'job1' }, reads)).resolves.toEqual({ counts: [{ operator: { n: 41 } }] });
    expect(reads).toEqual({ localFiles: 1, localBytes: restore.files.counts![0]!.size, remoteFiles: 0, remoteBytes: 0, localRejected: 0 });
  });

  test('a damaged local copy (same size) fails its sha256 check and the remote file is read', async () => {
    const restore = await checkpoint(1, 7);
    const [copy] = readdirSync(path.join(local, copies.dirOf({ jobId: 'job1', checkpointId: 1, storageUri: remote, dir: 'chk-1/' })), { withFileTypes: true }).map((f) => path.join(f.parentPath, f.name));
    const bytes = readFileSync(copy!);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(copy!, bytes);
    const reads = noRestoreReads();
    await expect(io.load(restore, { jobId: 'job1' }, reads)).resolves.toEqual({ counts: [{ operator: { n: 7 } }] });
    expect(reads).toMatchObject({ localFiles: 0, remoteFiles: 1, localRejected: 1 });
  });

  test('a truncated copy, another job\'s or another checkpoint\'s is not used; without local recovery nothing is kept', async () => {
    const restore = await checkpoint(1, 3);
    const reads = noRestoreReads();
    await io.load(restore, { jobId: 'job2' }, reads);
    await io.load({ ...restore, checkpointId: 2 }, { jobId: 'job1' }, reads);
    await io.load(restore, undefined, reads);
    expect(reads).toMatchObject({ localFiles: 0, remoteFiles: 3, localRejected: 0 });

    const copyDir = path.join(local, copies.dirOf({ jobId: 'job1', checkpointId: 1, storageUri: remote, dir: 'chk-1/' }));
    const file = path.join(copyDir, readdirSync(copyDir)[0]!);
    writeFileSync(file, readFileSync(file).subarray(0, 10));
    await io.load(restore, { jobId: 'job1' }, reads);
    expect(reads).toMatchObject({ localFiles: 0, remoteFiles: 4 });

    await checkpoint(2, 4, false);
    expect(await copies.checkpointsOf('job1')).toEqual([1]);
  });

  test('bounded: a completed checkpoint deletes older copies; a completion without a copy here (a savepoint) deletes none', async () => {
    await checkpoint(1, 1);
    await checkpoint(2, 2);
    await checkpoint(3, 3);
    expect(await copies.checkpointsOf('job1')).toEqual([1, 2, 3]);
    await copies.subsume('job1', 2);
    expect(await copies.checkpointsOf('job1')).toEqual([2, 3]);
    await copies.subsume('job1', 4);
    expect(await copies.checkpointsOf('job1')).toEqual([2, 3]);
    await copies.subsume('job1', 3);
    expect(await copies.checkpointsOf('job1')).toEqual([3]);
    await copies.clear();
    expect(await copies.checkpointsOf('job1')).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('a copy that cannot be written leaves the checkpoint as it is and is reported', async () => {
    writeFileSync(path.join(local, 'job1'), 'not a directory');
    const restore = await checkpoint(1, 9);
    expect(errors).toHaveLength(1);
    const reads = noRestoreReads();
    await expect(io.load(restore, { jobId: 'job1' }, reads)).resolves.toEqual({ counts: [{ operator: { n: 9 } }] });
    expect(reads).toMatchObject({ localFiles: 0, remoteFiles: 1 });
    errors.length = 0;
  });

  test('a canceled deployment stops its restore: the reads reject with the cancellation, locally and remotely', async () => {
    const restore = await checkpoint(1, 5);
    const canceled = new Error('the deployment was canceled');
    const aborted = new AbortController();
    aborted.abort(canceled);
    await expect(io.load(restore, { jobId: 'job1' }, noRestoreReads(), aborted.signal)).rejects.toBe(canceled);
    // aborted while the files are being read
    for (const local of [{ jobId: 'job1' }, undefined]) {
      const during = new AbortController();
      const reads = noRestoreReads();
      const loading = io.load(restore, local, reads, during.signal);
      during.abort(canceled);
      await expect(loading).rejects.toBe(canceled);
      expect(reads).toMatchObject({ localFiles: 0, remoteFiles: 0 });
    }
  });

  test('state.backend.local-recovery: off by default, true/false, anything else refused naming the key', () => {
    expect(localRecoveryOf({})).toBe(false);
    expect(localRecoveryOf({ 'state.backend.local-recovery': 'true' })).toBe(true);
    expect(localRecoveryOf({ 'state.backend.local-recovery': 'FALSE' })).toBe(false);
    expect(() => localRecoveryOf({ 'state.backend.local-recovery': 'yes' })).toThrow(expect.objectContaining({ code: 'MR_ERR_SUBMIT', message: expect.stringContaining('state.backend.local-recovery must be true or false') }));
  });
});
