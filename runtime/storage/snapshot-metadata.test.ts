import { buildMetadata, decodeMetadata, encodeMetadata, filesForKeyGroups } from './snapshot-metadata.ts';
import type { StateFileHandle } from './snapshot-metadata.ts';

const sha = (c: string) => c.repeat(64);
const handle = (uid: string, subtaskIndex: number, range: [number, number] | undefined, size: number, extra: Partial<StateFileHandle> = {}): StateFileHandle => ({
  operatorUid: uid, parallelism: 2, maxParallelism: 128, subtaskIndex,
  ...(range ? { keyGroupRange: { start: range[0], end: range[1] } } : {}),
  file: `${uid}-${subtaskIndex}.state`, size, sha256: sha(String(subtaskIndex)), ...extra,
});

describe('snapshot metadata', () => {
  const files = [
    handle('agg', 1, [64, 127], 300),
    handle('agg', 0, [0, 63], 200),
    handle('src', 0, undefined, 10, { sourcePosition: { emitted: 5000 } }),
  ];
  const metadata = buildMetadata({ kind: 'checkpoint', jobId: 'job-1', checkpointId: 7, timestamp: 1_700_000_000_000, files });

  test('groups files by operator uid, ordered by subtask, with source positions and the total size', () => {
    expect(metadata).toEqual({
      formatVersion: 1, kind: 'checkpoint', jobId: 'job-1', checkpointId: 7, timestamp: 1_700_000_000_000, totalSize: 510,
      operators: {
        agg: { parallelism: 2, maxParallelism: 128, files: [
          { subtaskIndex: 0, keyGroupRange: { start: 0, end: 63 }, file: 'agg-0.state', size: 200, sha256: sha('0') },
          { subtaskIndex: 1, keyGroupRange: { start: 64, end: 127 }, file: 'agg-1.state', size: 300, sha256: sha('1') },
        ] },
        src: { parallelism: 2, maxParallelism: 128, files: [{ subtaskIndex: 0, file: 'src-0.state', size: 10, sha256: sha('0'), sourcePosition: { emitted: 5000 } }] },
      },
    });
  });

  test('round-trips through its encoding', () => {
    expect(decodeMetadata(encodeMetadata(metadata), '_metadata')).toEqual(metadata);
  });

  test('a rescaled restore finds the files holding a key-group range', () => {
    expect(filesForKeyGroups(metadata.operators.agg!, { start: 32, end: 95 }).map((f) => f.file)).toEqual(['agg-0.state', 'agg-1.state']);
    expect(filesForKeyGroups(metadata.operators.agg!, { start: 64, end: 100 }).map((f) => f.file)).toEqual(['agg-1.state']);
  });

  test('refuses overlapping key groups, two files for one subtask and disagreeing parallelism', () => {
    const build = (fs: StateFileHandle[]) => () => buildMetadata({ kind: 'checkpoint', jobId: 'j', checkpointId: 1, timestamp: 0, files: fs });
    expect(build([handle('a', 0, [0, 64], 1), handle('a', 1, [64, 127], 1)])).toThrow('overlapping key-group ranges 0..64 and 64..127');
    expect(build([handle('a', 0, [0, 63], 1), { ...handle('a', 0, [0, 63], 1), file: 'other' }])).toThrow('subtask 0 reported two state files');
    expect(build([handle('a', 0, [0, 63], 1), { ...handle('a', 1, [64, 127], 1), parallelism: 3 }])).toThrow('parallelism');
    expect(build([handle('a', 0, [0, 200], 1)])).toThrow('beyond maxParallelism 128');
  });

  test.each([
    ['not json', 'is not valid JSON'],
    [JSON.stringify({ formatVersion: 2 }), 'format version 2'],
    [JSON.stringify({ ...JSON.parse(encodeMetadata(buildMetadata({ kind: 'checkpoint', jobId: 'j', checkpointId: 1, timestamp: 0, files: [] })).toString()), checkpointId: 0 }), 'checkpointId'],
    [JSON.stringify({ formatVersion: 1, kind: 'checkpoint', jobId: 'j', checkpointId: 1, timestamp: 0, totalSize: 0, operators: { a: { parallelism: 1, maxParallelism: 1, files: [{ subtaskIndex: 0, file: '../../etc/passwd', size: 1, sha256: sha('a') }] } } }), 'relative to the snapshot directory'],
  ])('unreadable metadata is MR_ERR_CHECKPOINT_CORRUPT naming the file (%#)', (text, message) => {
    expect(() => decodeMetadata(Buffer.from(text), 's3://b/chk-1/_metadata')).toThrow(expect.objectContaining({
      code: 'MR_ERR_CHECKPOINT_CORRUPT', file: 's3://b/chk-1/_metadata', message: expect.stringContaining(message),
    }));
  });
});
