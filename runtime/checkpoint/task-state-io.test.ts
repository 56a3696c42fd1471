import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeOperatorSnapshot } from '../state/state-file-format.ts';
import { LocalObjectStore } from '../storage/local-object-store.ts';
import { SnapshotWriter } from '../storage/snapshot-writer.ts';
import { TaskStateIO } from './task-state-io.ts';

describe('TaskStateIO.load', () => {
  test('a damaged state file is named in the error, whichever check notices it first', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'task-state-io-'));
    const store = new LocalObjectStore({ directory: dir });
    const handle = await new SnapshotWriter(store, 'chk-1/').writeStateFile(
      { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 128 },
      Buffer.concat(encodeOperatorSnapshot({ operator: { n: 1 } })),
    );
    const io = new TaskStateIO({});
    const restore = { storageUri: dir, dir: 'chk-1/', checkpointId: 1, files: { op: [handle] } };
    await expect(io.load(restore)).resolves.toEqual({ op: [{ operator: { n: 1 } }] });

    // damaged, same size: the first byte no longer starts the binary format, so the decoder reads
    // it as an old JSON-lines file, whose first line fails before the size and sha256 check at the
    // end of the stream (as a damaged object arriving from S3 in several chunks did in CI)
    const onDisk = path.join(dir, 'chk-1', handle.file);
    const bytes = readFileSync(onDisk);
    const junk = Buffer.from('x\n');
    writeFileSync(onDisk, Buffer.concat([junk, bytes.subarray(junk.length)]));
    const failure = io.load(restore);
    await expect(failure).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_CORRUPT' });
    await expect(failure).rejects.toThrow(handle.file);
    io.close();
  });
});
