// Slot choice with standby TaskManagers (Flink's slotmanager.redundant-taskmanager-num) and
// suspected TaskManagers, as a pure function and through the resource manager with a manual clock.

import { ManualClock } from '../time/clock.ts';
import { ResourceManager } from './resource-manager.ts';
import { placeLikeBefore, selectSlots, standbyCount, type SelectableTaskManager } from './slot-selection.ts';

const tm = (id: string, slots: number, opts: { used?: number; suspected?: boolean } = {}): SelectableTaskManager => ({
  id, suspected: opts.suspected === true,
  slots: Array.from({ length: slots }, (_, index) => ({ index, free: index >= (opts.used ?? 0) })),
});
const names = (c: ReturnType<typeof selectSlots>) => c?.map((s) => `${s.taskManagerId}/${s.index}`);

describe('selectSlots', () => {
  test('without standby: the first free slots, interleaved over TaskManagers (as before)', () => {
    expect(names(selectSlots([tm('a', 2), tm('b', 2), tm('c', 2)], 4, 0))).toEqual(['a/0', 'b/0', 'c/0', 'a/1']);
  });

  test('one standby: the newest wholly free TaskManager stays free while the others hold the attempt', () => {
    expect(names(selectSlots([tm('a', 2), tm('b', 2), tm('c', 2)], 4, 1))).toEqual(['a/0', 'b/0', 'a/1', 'b/1']);
    expect(standbyCount([tm('a', 2, { used: 2 }), tm('b', 2, { used: 2 }), tm('c', 2)])).toBe(1);
  });

  test('too little capacity without it: the standby is used rather than not running', () => {
    expect(names(selectSlots([tm('a', 2), tm('b', 2)], 4, 1))).toEqual(['a/0', 'b/0', 'a/1', 'b/1']);
    expect(names(selectSlots([tm('a', 1), tm('b', 1), tm('c', 1)], 3, 2))).toEqual(['a/0', 'b/0', 'c/0']);
  });

  test('previous placement: each subtask goes back to its TaskManager (where its local state copy is); a lost one\'s subtasks take what is left', () => {
    // a, b, c ran subtasks 0..2; b was killed (suspected), d is the standby: the survivors keep their subtasks
    const chosen = selectSlots([tm('a', 1), tm('b', 1, { suspected: true }), tm('c', 1), tm('d', 1)], 3, 1);
    expect(names(chosen)).toEqual(['a/0', 'c/0', 'd/0']);
    expect(names(placeLikeBefore(chosen!, ['a', 'b', 'c']))).toEqual(['a/0', 'd/0', 'c/0']);
    // two slots each: subtasks 0 and 2 were on a, 1 and 3 on b (lost); c is the standby
    expect(names(placeLikeBefore(selectSlots([tm('a', 2), tm('c', 2)], 4, 1)!, ['a', 'b', 'a', 'b']))).toEqual(['a/0', 'c/0', 'a/1', 'c/1']);
    // more subtasks than before on a TaskManager, or none before: the chosen order
    expect(names(placeLikeBefore(selectSlots([tm('a', 2), tm('c', 2)], 4, 0)!, ['c', 'c', 'c']))).toEqual(['c/0', 'c/1', 'a/0', 'a/1']);
    expect(names(placeLikeBefore(selectSlots([tm('a', 1), tm('c', 1)], 2, 0)!, []))).toEqual(['a/0', 'c/0']);
  });

  test('all or nothing: fewer free slots than subtasks gives nothing', () => {
    expect(selectSlots([tm('a', 2, { used: 1 }), tm('b', 1)], 3, 0)).toBeUndefined();
  });

  test('a partly used TaskManager is no standby', () => {
    expect(names(selectSlots([tm('a', 2), tm('b', 2, { used: 1 })], 1, 1))).toEqual(['b/1']);
    expect(names(selectSlots([tm('a', 2, { used: 1 }), tm('b', 2)], 1, 1))).toEqual(['a/1']);
    expect(standbyCount([tm('a', 2, { used: 1 }), tm('b', 2, { used: 1 })])).toBe(0);
  });

  test('after a loss: the suspected TaskManager is avoided, the survivors and the standby take the attempt', () => {
    // a: survivor, b: killed (still registered, suspected), c: standby
    const after = [tm('a', 1), tm('b', 1, { suspected: true }), tm('c', 1)];
    expect(names(selectSlots(after, 2, 1))).toEqual(['a/0', 'c/0']);
    // the killed one's replacement registered meanwhile: it becomes the new standby
    expect(names(selectSlots([...after, tm('d', 1)], 2, 1))).toEqual(['a/0', 'c/0']);
    expect(standbyCount([tm('a', 1, { used: 1 }), tm('b', 1, { suspected: true }), tm('c', 1, { used: 1 }), tm('d', 1)])).toBe(1);
  });

  test('a suspected TaskManager is still used when nothing else fits', () => {
    expect(names(selectSlots([tm('a', 1), tm('b', 1, { suspected: true })], 2, 1))).toEqual(['a/0', 'b/0']);
  });
});

describe('ResourceManager with standby TaskManagers', () => {
  const slots = (id: string, n: number) => Array.from({ length: n }, (_, index) => ({ index, address: `${id}:${index}` }));

  test('keeps one TaskManager free; a suspicion lasts until the next heartbeat; a loss hands the standby over', () => {
    const clock = new ManualClock(1000);
    const lost: string[] = [];
    const rm = new ResourceManager(clock, 5000, (t) => lost.push(t.id), { standbyTaskManagers: 1 });
    for (const id of ['tm-0', 'tm-1', 'tm-2']) rm.register(id, `http://${id}`, slots(id, 1), 1);
    expect(rm.standbyTaskManagers()).toBe(3);

    const first = rm.allocate('job', 2)!;
    expect(first.map((s) => s.taskManagerId)).toEqual(['tm-0', 'tm-1']);
    expect(rm.standbyTaskManagers()).toBe(1);

    // tm-1 is killed: a task on tm-0 loses its connection to tm-1's slot address
    clock.advance(300);
    rm.suspect(rm.ownerOf('tm-1:0')!.id);
    rm.release('job');
    expect(rm.allocate('job', 2)!.map((s) => s.taskManagerId)).toEqual(['tm-0', 'tm-2']);
    expect(rm.standbyTaskManagers()).toBe(0); // tm-1 is suspected, so no standby

    // a TaskManager that heartbeats after the suspicion is healthy again
    clock.advance(700);
    rm.heartbeat('tm-1', { user: 0, system: 0 });
    expect(rm.standbyTaskManagers()).toBe(1);
    rm.suspect('tm-1');
    // the dead one times out; its replacement registers and is the new standby
    clock.advance(5001);
    rm.heartbeat('tm-0', { user: 0, system: 0 });
    rm.heartbeat('tm-2', { user: 0, system: 0 });
    expect(rm.checkHeartbeats().map((t) => t.id)).toEqual(['tm-1']);
    expect(lost).toEqual(['tm-1']);
    rm.register('tm-3', 'http://tm-3', slots('tm-3', 1), 1);
    expect(rm.standbyTaskManagers()).toBe(1);
    rm.release('job');
    expect(rm.allocate('job', 2)!.map((s) => s.taskManagerId)).toEqual(['tm-0', 'tm-2']);
  });
});
