import { assignState } from '../checkpoint/state-assignment.ts';
import type { JobGraph, JobVertex } from '../graph/job-graph.ts';
import type { SnapshotMetadata } from '../storage/snapshot-metadata.ts';
import { attemptDeployments } from './attempt-deployment.ts';

const vertex = (id: string, uids: string[]): JobVertex => ({ id, name: `op ${id}`, parallelism: 2, maxParallelism: 128, chain: [], uids, isSource: id === 'v0', inputs: [], outputs: [] });
const jobGraph: JobGraph = { name: 'g', bounded: false, maxParallelism: 128, vertices: [vertex('v0', ['src']), vertex('v1', ['counts'])] };
const slots = [{ taskManagerId: 'tm-a', index: 0, address: 'tm-a:1' }, { taskManagerId: 'tm-b', index: 0, address: 'tm-b:1' }];
const spec = { jobUrl: 'file:///job.ts', params: { events: '5' }, parallelism: 2, batchMode: false, latencyTrackingIntervalMs: 0 };

describe('attempt deployment', () => {
  test('subtask i of every vertex goes to slot i and knows every subtask\'s data address', () => {
    const ds = attemptDeployments({ jobId: 'job-1', attempt: 3, spec, jobGraph, slots, restore: undefined, startTime: 42 });
    expect(ds.map((d) => [d.task, d.slot.taskManagerId])).toEqual([['op v0 (1/2)', 'tm-a'], ['op v0 (2/2)', 'tm-b'], ['op v1 (1/2)', 'tm-a'], ['op v1 (2/2)', 'tm-b']]);
    expect(ds[3]!.tdd).toEqual({
      jobId: 'job-1', attempt: 3, jobUrl: 'file:///job.ts', params: { events: '5' }, parallelism: 2, vertexId: 'v1', subtaskIndex: 1,
      locations: { v0: ['tm-a:1', 'tm-b:1'], v1: ['tm-a:1', 'tm-b:1'] }, batchMode: false, latencyTrackingIntervalMs: 0, startTime: 42,
    });
  });

  test('a restored attempt tells each subtask the files of its key groups', () => {
    const file = (subtaskIndex: number, start: number, end: number) => ({ subtaskIndex, file: `counts-${subtaskIndex}`, size: 1, sha256: '0'.repeat(64), keyGroupRange: { start, end } });
    const metadata: SnapshotMetadata = {
      formatVersion: 1, kind: 'checkpoint', jobId: 'job-1', checkpointId: 9, timestamp: 1, totalSize: 2,
      operators: { counts: { parallelism: 2, maxParallelism: 128, files: [file(0, 0, 63), file(1, 64, 127)] } },
    };
    const restore = {
      snapshot: { checkpointId: 9, path: '/store/chk-9', metadata, target: { storageUri: '/store', dir: 'chk-9/' } },
      isSavepoint: false,
      assignment: assignState(metadata, jobGraph, true),
    };
    const ds = attemptDeployments({ jobId: 'job-1', attempt: 4, spec, jobGraph, slots, restore, startTime: 0 });
    const v1s1 = ds.find((d) => d.vertexId === 'v1' && d.subtaskIndex === 1)!.tdd;
    expect(v1s1.restoring).toBe(true);
    expect(v1s1.restore?.checkpointId).toBe(9);
    expect(v1s1.restore?.dir).toBe('chk-9/');
    expect(Object.fromEntries(Object.entries(v1s1.restore!.files).map(([uid, fs]) => [uid, fs.map((f) => f.file)]))).toEqual({ counts: ['counts-1'] });
    // an operator without state in the snapshot restores nothing
    expect(ds.find((d) => d.vertexId === 'v0')!.tdd.restore?.files).toEqual({});
  });
});
