// Which free slots an attempt gets, as Flink's slot manager with
// `slotmanager.redundant-taskmanager-num`: N TaskManagers are kept wholly free (standby), so the
// failover after a TaskManager loss deploys onto registered slots at once instead of waiting for a
// new process. Pure: the resource manager passes its TaskManagers in registration order.
//
// Rules, in order:
// - A suspected TaskManager (a task lost its connection to it after its last heartbeat: probably
//   dead, not yet timed out) is used only when nothing else fits; its slots never count as
//   capacity for keeping a standby.
// - The newest healthy TaskManagers that are wholly free are kept as standby, as long as the others
//   still hold the attempt; without enough capacity the standby is used (running beats waiting).
// - Within the TaskManagers used, slots are interleaved (tm0/slot0, tm1/slot0, tm0/slot1, ...) so
//   subtasks spread over processes.
// - Among the chosen slots, a subtask goes back to the TaskManager it ran on in the previous
//   attempt when one of them is there (`placeLikeBefore`), as Flink's scheduler prefers previous
//   allocations: that TaskManager holds the local copy of the subtask's state (local recovery), so
//   its restore reads no remote file. The others take the remaining slots in order.

export interface SelectableTaskManager {
  readonly id: string;
  readonly suspected: boolean;
  readonly slots: ReadonlyArray<{ readonly index: number; readonly free: boolean }>;
}

export interface SlotChoice {
  readonly taskManagerId: string;
  readonly index: number;
}

/** The slots for `n` subtasks, or undefined when fewer than `n` are free (all or nothing). */
export function selectSlots(taskManagers: readonly SelectableTaskManager[], n: number, standby: number): SlotChoice[] | undefined {
  const freeOf = (tm: SelectableTaskManager) => tm.slots.filter((s) => s.free).length;
  if (taskManagers.reduce((a, tm) => a + freeOf(tm), 0) < n) return undefined;
  const healthy = taskManagers.filter((tm) => !tm.suspected);
  const reserved = new Set<string>();
  let capacity = healthy.reduce((a, tm) => a + freeOf(tm), 0);
  for (let i = healthy.length - 1; i >= 0 && reserved.size < standby; i--) {
    const tm = healthy[i]!;
    const free = freeOf(tm);
    if (free === 0 || free !== tm.slots.length || capacity - free < n) continue;
    reserved.add(tm.id);
    capacity -= free;
  }
  const order = new Map(taskManagers.map((tm, i) => [tm.id, i]));
  // a TaskManager is kept as standby only if the others hold the attempt, so these always suffice
  const pool = taskManagers.filter((tm) => !reserved.has(tm.id))
    .flatMap((tm) => tm.slots.filter((s) => s.free).map((s) => ({ taskManagerId: tm.id, index: s.index, suspected: tm.suspected })));
  return pool
    .sort((a, b) => Number(a.suspected) - Number(b.suspected) || a.index - b.index || order.get(a.taskManagerId)! - order.get(b.taskManagerId)!)
    .slice(0, n)
    .map(({ taskManagerId, index }) => ({ taskManagerId, index }));
}

/**
 * The chosen slots in subtask order, subtask i on a slot of `previous[i]` (the TaskManager it ran
 * on before) when one of the chosen slots is there; the others keep the chosen order.
 */
export function placeLikeBefore<S extends { readonly taskManagerId: string }>(chosen: readonly S[], previous: ReadonlyArray<string | undefined>): S[] {
  const taken = new Set<number>();
  const placed = chosen.map((_, i) => {
    const at = previous[i] === undefined ? -1 : chosen.findIndex((s, k) => !taken.has(k) && s.taskManagerId === previous[i]);
    if (at >= 0) taken.add(at);
    return at;
  });
  let next = 0;
  return placed.map((at) => {
    if (at >= 0) return chosen[at]!;
    while (taken.has(next)) next++;
    taken.add(next);
    return chosen[next]!;
  });
}

/** How many healthy TaskManagers are wholly free: the standby a failover can use at once. */
export function standbyCount(taskManagers: readonly SelectableTaskManager[]): number {
  return taskManagers.filter((tm) => !tm.suspected && tm.slots.length > 0 && tm.slots.every((s) => s.free)).length;
}
