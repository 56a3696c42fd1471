// Pane-based windows (sliding-panes.ts) as a WindowOperator storage: one state entry per key, no
// timers; a watermark walks the keys and fires the windows that ended, in bounded steps. With
// maxPerWindow only each window's best keys fire (window-max.ts).

import type { AggregateFunction, RuntimeContext } from '../../api/functions.ts';
import type { WindowAssigner } from '../../api/windows.ts';
import type { Key } from '../../keys/key-groups.ts';
import type { Timer } from '../../state/timer-heap.ts';
import { SlidingPanes } from './sliding-panes.ts';
import type { WindowMaxSnapshot } from './window-max.ts';
import type { WatermarkFiring, WindowHost, WindowStorage } from './window-storage.ts';

export interface PaneWindowsConfig {
  readonly assigner: WindowAssigner;
  readonly aggregate: AggregateFunction<unknown, unknown, unknown>;
  readonly maxPerWindow?: (result: unknown) => number;
  /** best keys of the restored snapshots (maxPerWindow) */
  readonly restoredBest: readonly WindowMaxSnapshot[];
}

export class PaneWindows implements WindowStorage {
  private readonly host: WindowHost;
  private readonly panes: SlidingPanes;
  /** the window function asked for keyed state: firing then sets each key as current */
  private functionUsesState = false;
  private firingKey: Key | undefined;
  readonly watermarkFiring: WatermarkFiring;

  constructor(host: WindowHost, cfg: PaneWindowsConfig) {
    this.host = host;
    const a = cfg.assigner;
    this.panes = new SlidingPanes({
      sizeMs: a.sizeMs, slideMs: a.slideMs, offsetMs: a.offsetMs, aggregate: cfg.aggregate,
      ...(cfg.maxPerWindow ? { maxBy: cfg.maxPerWindow } : {}),
    }, host.backend, this.emit);
    this.panes.restoreBest(cfg.restoredBest);
    this.watermarkFiring = { start: (wm) => this.panes.startFiring(wm), fire: (limit) => this.panes.fire(limit) };
  }

  private readonly emit = (key: Key, start: number, end: number, result: unknown): void => {
    if (this.functionUsesState) this.host.backend.setCurrentKey(key);
    this.firingKey = key;
    this.host.fireResult(key, start, end, result);
    this.firingKey = undefined;
  };

  add(value: unknown, time: number): boolean {
    return this.panes.add(value, time, this.host.currentWatermark());
  }

  onTimer(_timer: Timer, _eventTime: boolean): void {
    // panes register no timers
  }

  /**
   * Pane-based firing walks keys without setting the backend's current key (hashing every key
   * costs a quarter of a firing); a window function that asks for keyed state turns that on, and
   * the key it fires for becomes current at once.
   */
  functionContext(ctx: RuntimeContext): RuntimeContext {
    const using = <D, S>(get: (d: D) => S) => (d: D): S => {
      this.functionUsesState = true;
      if (this.firingKey !== undefined) this.host.backend.setCurrentKey(this.firingKey);
      return get(d);
    };
    return {
      ...ctx,
      getState: using(ctx.getState),
      getListState: using(ctx.getListState),
      getMapState: using(ctx.getMapState) as RuntimeContext['getMapState'],
      getReducingState: using(ctx.getReducingState),
      getAggregatingState: using(ctx.getAggregatingState) as RuntimeContext['getAggregatingState'],
    };
  }

  snapshotBest(): WindowMaxSnapshot | undefined {
    return this.panes.snapshotBest();
  }
}
