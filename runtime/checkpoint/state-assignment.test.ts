import type { JobGraph, JobVertex } from '../graph/job-graph.ts';
import type { SnapshotMetadata } from '../storage/snapshot-metadata.ts';
import { assignState } from './state-assignment.ts';

const file = (subtaskIndex: number, keyGroupRange?: { start: number; end: number }) => ({ subtaskIndex, file: `f-${subtaskIndex}`, size: 1, sha256: '0'.repeat(64), ...(keyGroupRange ? { keyGroupRange } : {}) });
const metadata: SnapshotMetadata = {
  formatVersion: 1, kind: 'savepoint', jobId: 'j', checkpointId: 3, timestamp: 1, totalSize: 6,
  operators: {
    src: { parallelism: 2, maxParallelism: 128, files: [file(0), file(1)] },
    counts: { parallelism: 2, maxParallelism: 128, files: [file(0, { start: 0, end: 63 }), file(1, { start: 64, end: 127 })] },
  },
};
const vertex = (id: string, uids: string[], parallelism: number): JobVertex => ({ id, name: id, parallelism, maxParallelism: 128, chain: [], uids, isSource: id === 'v0', inputs: [], outputs: [] });
const graph = (p: number, countsUid = 'counts'): JobGraph => ({ name: 'g', bounded: true, maxParallelism: 128, vertices: [vertex('v0', ['src', 'map'], p), vertex('v1', [countsUid], p)] });

describe('state assignment on restore', () => {
  test('same parallelism: every subtask gets its own files', () => {
    const a = assignState(metadata, graph(2), false);
    expect(a.files.get('v0/1')!.src!.map((f) => f.subtaskIndex)).toEqual([1]);
    expect(a.files.get('v1/0')!.counts!.map((f) => f.subtaskIndex)).toEqual([0]);
  });

  test('more subtasks: keyed state by overlapping key groups, other state round-robin (some subtasks get none)', () => {
    const a = assignState(metadata, graph(3), false);
    // ranges at 3: 0..42, 43..85, 86..127
    expect(a.files.get('v1/0')!.counts!.map((f) => f.subtaskIndex)).toEqual([0]);
    expect(a.files.get('v1/1')!.counts!.map((f) => f.subtaskIndex)).toEqual([0, 1]);
    expect(a.files.get('v1/2')!.counts!.map((f) => f.subtaskIndex)).toEqual([1]);
    expect(a.files.get('v0/2')!.src).toEqual([]);
  });

  test('fewer subtasks: one subtask takes over the state of several', () => {
    const a = assignState(metadata, graph(1), false);
    expect(a.files.get('v0/0')!.src!.map((f) => f.subtaskIndex)).toEqual([0, 1]);
    expect(a.files.get('v1/0')!.counts!.map((f) => f.subtaskIndex)).toEqual([0, 1]);
  });

  test('state of a uid the job lacks is refused, naming the uid and the fix, unless allowNonRestoredState', () => {
    expect(() => assignState(metadata, graph(2, 'renamed'), false, 's3://b/sp/')).toThrow(/MR_ERR_RESTORE_UNMATCHED_STATE: s3:\/\/b\/sp\/ has state of operator uid\(s\) 'counts'.*allowNonRestoredState/);
    const a = assignState(metadata, graph(2, 'renamed'), true);
    expect(a.unmatched).toEqual(['counts']);
    expect(a.files.get('v1/0')).toBeUndefined();
  });
});
