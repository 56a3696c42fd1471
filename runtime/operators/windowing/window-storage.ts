// How a WindowOperator keeps its windows: one storage strategy per mode, chosen once from the
// operator's configuration.
//   fixed    tumbling/sliding windows in a namespaced table (namespace = window start), fired by
//            timers (fixed-windows.ts)
//   session  merging windows, namespace "start:end", fired by timers (session-windows.ts)
//   panes    event-time sliding (or tumbling with maxPerWindow) aggregates kept as panes, one
//            state entry per key, fired by walking the keys on a watermark (pane-windows.ts)
// The operator keeps what is common: keys, time, late data, and what a fired window emits.

import type { AggregateFunction, ProcessWindowFunction, ReduceFunction, RuntimeContext } from '../../api/functions.ts';
import type { TimeWindow, WindowAssigner } from '../../api/windows.ts';
import type { Key } from '../../keys/key-groups.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { StateTable } from '../../state/state-table.ts';
import type { Timer } from '../../state/timer-heap.ts';
import type { InternalTimerService } from '../../state/timer-service.ts';
import type { WindowMaxSnapshot } from './window-max.ts';
import { panesFit } from './sliding-panes.ts';

export interface WindowFunctionSpec {
  readonly reduce?: ReduceFunction<unknown>;
  readonly aggregate?: AggregateFunction<unknown, unknown, unknown>;
  readonly process?: ProcessWindowFunction<unknown, unknown, Key, TimeWindow>;
}

export type WindowStorageMode = 'fixed' | 'session' | 'panes';

/** What decides the mode (a subset of WindowOperatorConfig). */
export interface WindowModeInput {
  readonly assigner: WindowAssigner;
  /** the trigger is the assigner's default event-time trigger */
  readonly defaultEventTrigger: boolean;
  readonly allowedLatenessMs: number;
  readonly fn: WindowFunctionSpec;
  readonly maxPerWindow: boolean;
}

/**
 * Panes for event-time sliding aggregates with the default trigger and no lateness (and for
 * tumbling ones that want only each window's best keys); otherwise sessions or fixed windows.
 */
export function windowStorageMode(m: WindowModeInput): WindowStorageMode {
  const a = m.assigner;
  const paneable = a.eventTime && m.defaultEventTrigger && m.allowedLatenessMs === 0 && m.fn.aggregate !== undefined && panesFit(a.sizeMs, a.slideMs);
  if (paneable && (a.kind === 'sliding' || (a.kind === 'tumbling' && m.maxPerWindow))) return 'panes';
  if (m.maxPerWindow) {
    throw new Error('MR_ERR_WINDOW_MAX: maxPerWindow needs an aggregate function on event-time sliding or tumbling windows (size a multiple of the slide) with the default trigger and no allowed lateness');
  }
  return a.kind === 'session' ? 'session' : 'fixed';
}

/** The operator, as its storage sees it. */
export interface WindowHost {
  readonly backend: KeyedStateBackend;
  readonly timers: InternalTimerService;
  currentWatermark(): number;
  /** A timer-based window fired for the current key with its accumulator (a reduce value, an aggregate accumulator or the element list). */
  fireWindow(start: number, end: number, acc: unknown): void;
  /** A pane-based window fired for `key` with its aggregate result. */
  fireResult(key: Key, start: number, end: number, result: unknown): void;
}

/** The operator's internal state tables (created by the operator: their names are state layout). */
export interface WindowTables {
  readonly contents: StateTable;
  readonly counts: StateTable;
  readonly sessions: StateTable;
}

/** A storage that fires windows by walking its keys when the watermark passes, in bounded steps. */
export interface WatermarkFiring {
  /** The watermark moved to `wm`: true when some window is due (then `fire` until it returns true). */
  start(wm: number): boolean;
  /** Fires about `limit` keys' due windows; true when all are done. */
  fire(limit: number): boolean;
}

export interface WindowStorage {
  /** Adds an element of the current key at `time` (event or processing time); false when every window it belongs to is late. */
  add(value: unknown, time: number): boolean;
  /** An event- or processing-time timer of the current key fired. */
  onTimer(timer: Timer, eventTime: boolean): void;
  /** Set for storages without timers (panes): the operator hands watermarks to it. */
  readonly watermarkFiring?: WatermarkFiring;
  /** The RuntimeContext the process window function opens with. */
  functionContext(base: RuntimeContext): RuntimeContext;
  /** Operator state beyond the keyed tables (panes' best keys). */
  snapshotBest(): WindowMaxSnapshot | undefined;
}
