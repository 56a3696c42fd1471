import { hostingPods, ranOnPodsFromBefore } from './recovery-node-pods.ts';
import { markersInLog, PROGRESS_LOG_PREFIX } from './recovery-detect.ts';

const pods = [
  { name: 'rec-tm-h-0', uid: 'u0', ip: '10.244.0.10' },
  { name: 'rec-tm-h-1', uid: 'u1', ip: '10.244.0.11' },
  { name: 'rec-tm-h-2', uid: 'u2', ip: '10.244.0.12' },
];
const taskManagers = [
  { id: 'tm-a', restUrl: 'http://10.244.0.10:6122' },
  { id: 'tm-b', restUrl: 'http://10.244.0.11:6122' },
  { id: 'tm-c', restUrl: 'http://10.244.0.12:6122' },
];

describe('node-tier recovery: which pods a job runs on', () => {
  test('subtasks map to pods through the TaskManagers\' addresses; the standby (no subtask) is not hosting', () => {
    const job = { vertices: [{ subtasks: [{ taskManagerId: 'tm-a' }, { taskManagerId: 'tm-c' }] }, { subtasks: [{ taskManagerId: 'tm-c' }, {}] }] };
    expect(hostingPods(job, taskManagers, pods).map((p) => p.name)).toEqual(['rec-tm-h-0', 'rec-tm-h-2']);
  });
  test('a TaskManager still registered but whose pod is gone hosts nothing we can delete', () => {
    const job = { vertices: [{ subtasks: [{ taskManagerId: 'tm-b' }, { taskManagerId: 'tm-gone' }] }] };
    expect(hostingPods(job, [...taskManagers, { id: 'tm-gone', restUrl: 'http://10.244.0.99:6122' }], pods).map((p) => p.name)).toEqual(['rec-tm-h-1']);
  });
  test('the restart ran on pods from before the deletion only, not on the replacement (same name, new uid)', () => {
    const before = pods;
    expect(ranOnPodsFromBefore([pods[1]!, pods[2]!], before)).toBe(true);
    expect(ranOnPodsFromBefore([pods[1]!, { name: 'rec-tm-h-0', uid: 'u0-new', ip: '10.244.0.20' }], before)).toBe(false);
    expect(ranOnPodsFromBefore([], before)).toBe(false);
  });
});

describe('progress markers in a TaskManager log', () => {
  test('only whole marker lines count, wherever the prefix starts', () => {
    const m = { at: 1000, attempt: 2, subtask: 1, records: 40, maxLagMs: 12 };
    const log = [
      '{"level":30,"msg":"task running"}',
      `${PROGRESS_LOG_PREFIX}${JSON.stringify(m)}`,
      `2026-12-07T22:00:00Z stdout F ${PROGRESS_LOG_PREFIX}${JSON.stringify({ ...m, at: 1100, records: 60 })}`,
      `${PROGRESS_LOG_PREFIX}{"at":1200,"attem`,
      `${PROGRESS_LOG_PREFIX}{"note":"not a marker"}`,
    ].join('\n');
    expect(markersInLog(log)).toEqual([m, { ...m, at: 1100, records: 60 }]);
  });
});
