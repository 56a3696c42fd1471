// The global committer's decision (partition-commit.ts), pure, with a manual clock: a partition is
// committed only when every writer subtask has reported a checkpoint, by process time or by the
// watermark at that checkpoint's barrier plus the delay; a restore keeps what was pending.
import { END_OF_INPUT, PartitionCommitTracker, type PartitionCommitPolicy, type PartitionCommitState } from './partition-commit.ts';

const MIN = 60_000;
const T10 = Date.UTC(2024, 0, 2, 10, 0);
const partitionTime: PartitionCommitPolicy = { trigger: 'partition-time', delayMs: MIN, successFileName: '_SUCCESS' };
const processTime = (delayMs: number): PartitionCommitPolicy => ({ trigger: 'process-time', delayMs, successFileName: '_SUCCESS' });
const p = (hm: string, minutes: number) => ({ path: `dt=2024-01-02/hm=10%3A${hm}`, time: T10 + minutes * MIN });
const report = (checkpointId: number, subtask: number, partitions: ReturnType<typeof p>[] = [], parallelism = 2) => ({ checkpointId, subtask, parallelism, partitions });

describe('partition commit decision (global committer)', () => {
  test('no partition is committed before every writer subtask reported the checkpoint', () => {
    const t = new PartitionCommitTracker(processTime(0));
    expect(t.receive(report(1, 0, [p('00', 0)]), 1_000)).toEqual([]);
    expect(t.receive(report(1, 0, [p('01', 1)]), 1_000)).toEqual([]); // the same subtask twice is still one
    expect(t.receive(report(1, 1), 1_000)).toEqual([p('00', 0).path, p('01', 1).path]);
    expect(t.pendingPartitions()).toEqual([]);
  });

  test('a later complete checkpoint covers an earlier incomplete one', () => {
    const t = new PartitionCommitTracker(processTime(0));
    expect(t.receive(report(1, 0, [p('00', 0)]), 0)).toEqual([]); // subtask 1 missed checkpoint 1's notification
    expect(t.receive(report(2, 1, [p('01', 1)]), 0)).toEqual([]);
    expect(t.receive(report(2, 0), 0)).toEqual([p('00', 0).path, p('01', 1).path]);
    expect(t.snapshot(3, 0).reported).toEqual([]);
  });

  test('process-time: committed at the first complete checkpoint after first report + delay', () => {
    const t = new PartitionCommitTracker(processTime(5_000));
    t.receive(report(1, 0, [p('00', 0)]), 1_000);
    expect(t.receive(report(1, 1), 6_000)).toEqual([]); // 6000 is not past 1000 + 5000
    t.receive(report(2, 1, [p('00', 0)]), 6_001); // reported again: the first report's time counts
    expect(t.receive(report(2, 0), 6_001)).toEqual([p('00', 0).path]);
  });

  test('partition-time: the watermark at the checkpoint\'s barrier decides, not a later one', () => {
    const t = new PartitionCommitTracker(partitionTime);
    t.snapshot(1, T10 + MIN); // barrier 1: watermark 10:01, not past 10:00 + 1 min
    t.snapshot(2, T10 + 2 * MIN); // barrier 2 reached the committer before checkpoint 1's reports
    t.receive(report(1, 0, [p('00', 0), p('01', 1)]), 0);
    expect(t.receive(report(1, 1), 0)).toEqual([]);
    t.receive(report(2, 0), 0);
    expect(t.receive(report(2, 1), 0)).toEqual([p('00', 0).path]); // 10:02 > 10:00 + 1 min; 10:01 + 1 min is not passed
    t.snapshot(3, T10 + 2 * MIN + 1);
    t.receive(report(3, 0), 0);
    expect(t.receive(report(3, 1), 0)).toEqual([p('01', 1).path]);
  });

  test('partition-time: a partition without a time waits for the end of input', () => {
    const t = new PartitionCommitTracker(partitionTime);
    t.snapshot(1, Number.MAX_SAFE_INTEGER - 1);
    t.receive(report(1, 0, [{ path: 'dt=__DEFAULT_PARTITION__' } as never]), 0);
    expect(t.receive(report(1, 1), 0)).toEqual([]);
    t.receive(report(END_OF_INPUT, 1), 0);
    expect(t.receive(report(END_OF_INPUT, 0), 0)).toEqual(['dt=__DEFAULT_PARTITION__']);
  });

  test('end of input commits every pending partition once all subtasks ended', () => {
    const t = new PartitionCommitTracker(processTime(60 * MIN));
    t.receive(report(END_OF_INPUT, 0, [p('00', 0)]), 0);
    expect(t.receive(report(END_OF_INPUT, 1, [p('05', 5)]), 0)).toEqual([p('00', 0).path, p('05', 5).path]);
  });

  test('a restore keeps pending partitions, reports and barrier watermarks (through JSON); no watermark yet is stored as none', () => {
    const t = new PartitionCommitTracker(partitionTime);
    expect(t.snapshot(1, Number.NEGATIVE_INFINITY).watermarks).toEqual([]);
    t.receive(report(1, 0, [p('00', 0)]), 0);
    const state = JSON.parse(JSON.stringify(t.snapshot(2, T10 + 2 * MIN + 1))) as PartitionCommitState;
    const r = new PartitionCommitTracker(partitionTime);
    r.restore([state]);
    expect(r.pendingPartitions()).toEqual([p('00', 0).path]);
    expect(r.receive(report(1, 1), 0)).toEqual([]); // watermark at barrier 1 unknown: nothing past it
    r.receive(report(2, 1), 0);
    expect(r.receive(report(2, 0), 0)).toEqual([p('00', 0).path]);
  });

  test('a restore with another parallelism drops the old subtasks\' reports and waits for all new ones', () => {
    const t = new PartitionCommitTracker(processTime(0));
    t.receive(report(4, 0, [p('00', 0)]), 0);
    const r = new PartitionCommitTracker(processTime(0));
    r.restore([t.snapshot(5, 0)]);
    expect(r.receive(report(6, 0, [], 3), 0)).toEqual([]);
    expect(r.receive(report(6, 1, [], 3), 0)).toEqual([]);
    expect(r.receive(report(6, 2, [], 3), 0)).toEqual([p('00', 0).path]);
  });
});
