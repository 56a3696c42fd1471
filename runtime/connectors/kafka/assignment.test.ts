import { assignState } from '../../checkpoint/state-assignment.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import type { SnapshotMetadata } from '../../storage/snapshot-metadata.ts';
import { ownerOf, restoreFrom, type KafkaSourceState, type KafkaSourceStateV1 } from './assignment.ts';

const partitions = (topics: string[], n: number) => topics.flatMap((t) => Array.from({ length: n }, (_, p) => ({ t, p })));

describe('Kafka source partition ownership', () => {
  test('every partition has exactly one owner, spread over the subtasks', () => {
    const owners = partitions(['orders', 'payments'], 12).map(({ t, p }) => ownerOf(t, p, [4]));
    for (const o of owners) expect(o >= 0 && o < 4).toBe(true);
    expect(new Set(owners).size).toBe(4);
  });

  test('the first assignment is Flink KafkaSourceEnumerator\'s rule', () => {
    // values printed by Java 17 for ((topic.hashCode() * 31) & 0x7FFFFFFF) + partition) % readers
    expect(ownerOf('orders', 5, [7])).toBe(1);
    expect(ownerOf('payments', 5, [7])).toBe(2);
    expect(ownerOf('orders', 0, [3])).toBe(0);
  });

  test('after a rescale, a partition no state held lands where its former owner\'s state went', () => {
    for (const [from, to] of [[4, 3], [2, 5], [6, 2], [3, 3]] as const) {
      for (const { t, p } of partitions(['a', 'bb'], 10)) {
        const oldOwner = ownerOf(t, p, [from]);
        expect(ownerOf(t, p, [from, to])).toBe(oldOwner % to); // runtime: old subtask j -> new j mod p
      }
    }
  });

  test('version 1 positions: restored at the parallelism they were saved at; a rescale from them is refused with the way round', () => {
    const a: KafkaSourceStateV1 = { v: 1, chain: [4, 2], splits: [{ topic: 'x', partition: 0, offset: 7 }], started: true };
    const b: KafkaSourceStateV1 = { v: 1, chain: null, splits: [], started: true };
    expect(restoreFrom([a], 2, 0)).toEqual({ chain: [4, 2], splits: [{ topic: 'x', partition: 0, offset: 7 }], started: true });
    expect(restoreFrom([b], 2, 1)).toEqual({ chain: null, splits: [], started: true });
    expect(() => restoreFrom([a], 3, 0)).toThrow(/MR_ERR_KAFKA_STATE: .*saved at parallelism 2 by an older version.*restore it at parallelism 2, take a new savepoint, then restore that one at 3/);
    // checkpointed before the start offsets were resolved: the restored subtask resolves them by the start mode
    expect(restoreFrom([{ v: 1, chain: [2], splits: [] }], 2, 0).started).toBe(false);
    expect(() => restoreFrom([{ offsets: {} }], 2, 0)).toThrow(/MR_ERR_KAFKA_STATE/);
  });

  test('no saved position (a source the snapshot does not have): every partition by the rule, from the start mode', () => {
    expect(restoreFrom([], 8, 5)).toEqual({ chain: [8], splits: [], started: false });
  });

  // 3 old subtasks of 12 partitions of one topic, each holding the partitions the rule gave it at 3
  const oldStates = (started = true): KafkaSourceState[] => [0, 1, 2].map((subtask) => ({
    v: 2, restoreAsUnion: true, subtask, parallelism: 3,
    splits: Array.from({ length: 12 }, (_, p) => p).filter((p) => ownerOf('t', p, [3]) === subtask).map((p) => ({ topic: 't', partition: p, offset: 100 + p })),
    ...(started ? { started } : {}),
  }));

  test('union positions: at any new parallelism every partition goes to exactly one subtask, by the rule, with its offset', () => {
    for (const to of [1, 2, 3, 5, 12, 16]) {
      const restored = Array.from({ length: to }, (_, i) => restoreFrom(oldStates(), to, i));
      const all = restored.flatMap((r) => r.splits).sort((a, b) => a.partition - b.partition);
      expect(all).toEqual(Array.from({ length: 12 }, (_, p) => ({ topic: 't', partition: p, offset: 100 + p })));
      restored.forEach((r, i) => {
        expect(r.chain).toEqual([to]);
        for (const s of r.splits) expect(ownerOf(s.topic, s.partition, [to])).toBe(i);
      });
      // scaled up: every subtask reads (12 partitions over at most 12 subtasks)
      if (to <= 12) for (const r of restored) expect(r.splits.length).toBeGreaterThan(0);
    }
  });

  test('union positions: a partial set is refused (it would drop partitions), an early checkpoint restores to the start mode', () => {
    expect(() => restoreFrom(oldStates().slice(0, 2), 4, 3)).toThrow(/MR_ERR_KAFKA_STATE: Kafka source subtask 3 got the positions of old subtasks \[0, 1\] of 3; it needs all of them/);
    expect(restoreFrom([oldStates()[0], oldStates(false)[1], oldStates()[2]], 2, 0).started).toBe(false);
    expect(() => restoreFrom([oldStates()[0], { v: 1, chain: [3], splits: [] }], 2, 0)).toThrow(/MR_ERR_KAFKA_STATE.*mixed/);
  });

  test('the job manager hands union positions to every subtask (assignState), other positions j mod p', () => {
    const file = (subtaskIndex: number, sourcePosition: unknown) => ({ subtaskIndex, file: `f-${subtaskIndex}`, size: 1, sha256: '0'.repeat(64), sourcePosition });
    const metadata: SnapshotMetadata = {
      formatVersion: 1, kind: 'savepoint', jobId: 'j', checkpointId: 1, timestamp: 1, totalSize: 3,
      operators: {
        kafka: { parallelism: 3, maxParallelism: 128, files: oldStates().map((s) => file(s.subtask, s)) },
        other: { parallelism: 3, maxParallelism: 128, files: [0, 1, 2].map((i) => file(i, { i })) },
      },
    };
    const graph: JobGraph = { name: 'g', bounded: false, maxParallelism: 128, vertices: [{ id: 'v0', name: 'src', parallelism: 5, maxParallelism: 128, chain: [], uids: ['kafka', 'other'], isSource: true, inputs: [], outputs: [] }] };
    const a = assignState(metadata, graph, false);
    for (let s = 0; s < 5; s++) expect(a.files.get(`v0/${s}`)!.kafka!.map((f) => f.subtaskIndex)).toEqual([0, 1, 2]);
    expect(a.files.get('v0/4')!.other).toEqual([]);
  });
});
