// TaskManagers known to the JobManager: registration, heartbeats, loss detection, and slots.
// A TaskManager whose heartbeat is older than the timeout is declared lost (a SIGKILLed process
// stops heartbeating; with 1 s heartbeats and a 5 s timeout it is noticed within ~6 s); time the
// JobManager's own event loop was blocked does not count (heartbeat-silence.ts). Slots are
// chosen by slot-selection.ts: a number of standby TaskManagers is kept wholly free, and a
// TaskManager a task lost its connection to is avoided until it heartbeats again.

import type { Clock } from '../time/clock.ts';
import { HeartbeatSilence } from './heartbeat-silence.ts';
import { selectSlots, standbyCount, type SelectableTaskManager } from './slot-selection.ts';

export interface SlotInfo {
  readonly taskManagerId: string;
  readonly index: number;
  readonly address: string;
  allocatedTo?: string;
}

export interface TaskManagerInfo {
  readonly id: string;
  readonly restUrl: string;
  readonly slots: SlotInfo[];
  readonly registeredAt: number;
  lastHeartbeat: number;
  cpu: { user: number; system: number };
  cpuCount: number;
  /** when a task lost its data connection to this TaskManager (cleared by a newer heartbeat) */
  suspectedAt?: number;
}

/** How often the JobManager calls checkHeartbeats(). */
export const HEARTBEAT_CHECK_INTERVAL_MS = 500;

export interface ResourceManagerOptions {
  /** TaskManagers kept wholly free for failovers (Flink's slotmanager.redundant-taskmanager-num); default 0 */
  readonly standbyTaskManagers?: number;
  /** a heartbeat check found the JobManager's event loop blocked for `ms` (not counted as silence) */
  readonly onEventLoopBlocked?: (ms: number) => void;
}

export class ResourceManager {
  readonly taskManagers = new Map<string, TaskManagerInfo>();
  private readonly clock: Clock;
  readonly heartbeatTimeoutMs: number;
  private readonly onLost: (tm: TaskManagerInfo) => void;
  private order = 0;
  private readonly orderOf = new Map<string, number>();
  readonly standbyTarget: number;
  private readonly onEventLoopBlocked: ((ms: number) => void) | undefined;
  private readonly silence = new HeartbeatSilence(HEARTBEAT_CHECK_INTERVAL_MS);
  /** per TaskManager: the silence mark of its last heartbeat */
  private readonly heardMark = new Map<string, number>();

  constructor(clock: Clock, heartbeatTimeoutMs: number, onLost: (tm: TaskManagerInfo) => void, options: ResourceManagerOptions = {}) {
    this.clock = clock;
    this.heartbeatTimeoutMs = heartbeatTimeoutMs;
    this.onLost = onLost;
    this.standbyTarget = options.standbyTaskManagers ?? 0;
    this.onEventLoopBlocked = options.onEventLoopBlocked;
  }

  register(id: string, restUrl: string, slots: Array<{ index: number; address: string }>, cpuCount: number): TaskManagerInfo {
    const old = this.taskManagers.get(id);
    if (old) this.remove(old); // re-registration after a restart: its old tasks are gone
    const now = this.clock.now();
    const tm: TaskManagerInfo = {
      id, restUrl, registeredAt: now, lastHeartbeat: now, cpu: { user: 0, system: 0 }, cpuCount,
      slots: slots.map((s) => ({ taskManagerId: id, index: s.index, address: s.address })),
    };
    this.taskManagers.set(id, tm);
    this.heardMark.set(id, this.silence.mark());
    this.orderOf.set(id, this.order++);
    return tm;
  }

  heartbeat(id: string, cpu: { user: number; system: number }): boolean {
    const tm = this.taskManagers.get(id);
    if (!tm) return false;
    tm.lastHeartbeat = this.clock.now();
    this.heardMark.set(id, this.silence.mark());
    tm.cpu = cpu;
    return true;
  }

  /**
   * Declares TaskManagers lost that were silent for longer than the timeout while the JobManager
   * could hear them; returns them. Called every HEARTBEAT_CHECK_INTERVAL_MS.
   */
  checkHeartbeats(): TaskManagerInfo[] {
    const now = this.clock.now();
    const blockedMs = this.silence.checked(now);
    if (blockedMs > 0) this.onEventLoopBlocked?.(blockedMs);
    const lost = [...this.taskManagers.values()].filter((tm) => this.silence.silenceMs(now, tm.lastHeartbeat, this.heardMark.get(tm.id) ?? 0) > this.heartbeatTimeoutMs);
    for (const tm of lost) this.remove(tm);
    return lost;
  }

  /**
   * A task lost its data connection to this TaskManager: probably dead, but its heartbeat has not
   * timed out yet. Until it heartbeats again, a restart places nothing there if anything else fits.
   */
  suspect(id: string): void {
    const tm = this.taskManagers.get(id);
    if (tm) tm.suspectedAt = this.clock.now();
  }

  isSuspected(tm: TaskManagerInfo): boolean {
    return tm.suspectedAt !== undefined && tm.suspectedAt >= tm.lastHeartbeat;
  }

  /** The TaskManager whose slot has this data address. */
  ownerOf(address: string): TaskManagerInfo | undefined {
    for (const tm of this.taskManagers.values()) if (tm.slots.some((s) => s.address === address)) return tm;
    return undefined;
  }

  /** A TaskManager that refuses connections is gone, whatever its last heartbeat said. */
  declareLost(id: string): void {
    const tm = this.taskManagers.get(id);
    if (tm) this.remove(tm);
  }

  private remove(tm: TaskManagerInfo): void {
    this.taskManagers.delete(tm.id);
    this.heardMark.delete(tm.id);
    this.onLost(tm);
  }

  freeSlots(): SlotInfo[] {
    return this.allSlots().filter((s) => s.allocatedTo === undefined);
  }

  allSlots(): SlotInfo[] {
    // interleave TaskManagers (tm0/slot0, tm1/slot0, tm0/slot1, ...) so subtasks spread over processes
    return [...this.taskManagers.values()].flatMap((tm) => tm.slots)
      .sort((a, b) => a.index - b.index || this.orderOf.get(a.taskManagerId)! - this.orderOf.get(b.taskManagerId)!);
  }

  private ordered(): TaskManagerInfo[] {
    return [...this.taskManagers.values()].sort((a, b) => this.orderOf.get(a.id)! - this.orderOf.get(b.id)!);
  }

  private selectable(): SelectableTaskManager[] {
    return this.ordered().map((tm) => ({ id: tm.id, suspected: this.isSuspected(tm), slots: tm.slots.map((s) => ({ index: s.index, free: s.allocatedTo === undefined })) }));
  }

  /** Healthy TaskManagers with every slot free: what a failover can deploy onto at once. */
  standbyTaskManagers(): number {
    return standbyCount(this.selectable());
  }

  /** All-or-nothing: a job never half-starts. Keeps the standby TaskManagers free when the others suffice. */
  allocate(jobId: string, n: number): SlotInfo[] | undefined {
    const choice = selectSlots(this.selectable(), n, this.standbyTarget);
    if (!choice) return undefined;
    const chosen = choice.map((c) => this.taskManagers.get(c.taskManagerId)!.slots.find((s) => s.index === c.index)!);
    for (const s of chosen) s.allocatedTo = jobId;
    return chosen;
  }

  release(jobId: string): void {
    for (const s of this.allSlots()) if (s.allocatedTo === jobId) s.allocatedTo = undefined;
  }
}
