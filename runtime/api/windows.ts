// Window assigners and triggers. A TimeWindow covers [start, end); its maxTimestamp is end - 1.

export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export const maxTimestamp = (w: TimeWindow): number => w.end - 1;

export interface WindowAssigner {
  readonly kind: 'tumbling' | 'sliding' | 'session';
  readonly eventTime: boolean;
  /** Fixed-size assigners identify a window by its start alone (cheaper state namespaces). */
  readonly sizeMs: number;
  readonly slideMs: number;
  readonly offsetMs: number;
  readonly gapMs: number;
}

function windowStart(timestamp: number, offset: number, size: number): number {
  const rem = (timestamp - offset) % size;
  return rem < 0 ? timestamp - (rem + size) : timestamp - rem;
}
export { windowStart as windowStartFor };

export const TumblingEventTimeWindows = {
  of: (sizeMs: number, offsetMs = 0): WindowAssigner => ({ kind: 'tumbling', eventTime: true, sizeMs, slideMs: sizeMs, offsetMs, gapMs: 0 }),
};
export const TumblingProcessingTimeWindows = {
  of: (sizeMs: number, offsetMs = 0): WindowAssigner => ({ kind: 'tumbling', eventTime: false, sizeMs, slideMs: sizeMs, offsetMs, gapMs: 0 }),
};
export const SlidingEventTimeWindows = {
  of: (sizeMs: number, slideMs: number, offsetMs = 0): WindowAssigner => {
    if (slideMs <= 0 || sizeMs <= 0) throw new Error('MR_ERR_WINDOW_SIZE: sliding window size and slide must be positive');
    return { kind: 'sliding', eventTime: true, sizeMs, slideMs, offsetMs, gapMs: 0 };
  },
};
export const SlidingProcessingTimeWindows = {
  of: (sizeMs: number, slideMs: number, offsetMs = 0): WindowAssigner => ({ kind: 'sliding', eventTime: false, sizeMs, slideMs, offsetMs, gapMs: 0 }),
};
export const EventTimeSessionWindows = {
  withGap: (gapMs: number): WindowAssigner => ({ kind: 'session', eventTime: true, sizeMs: 0, slideMs: 0, offsetMs: 0, gapMs }),
};
export const ProcessingTimeSessionWindows = {
  withGap: (gapMs: number): WindowAssigner => ({ kind: 'session', eventTime: false, sizeMs: 0, slideMs: 0, offsetMs: 0, gapMs }),
};

/** Starts of all fixed-size windows containing `timestamp`, pushed into `out` (reused by the caller). */
export function assignWindowStarts(a: WindowAssigner, timestamp: number, out: number[]): void {
  out.length = 0;
  if (a.kind === 'tumbling') {
    out.push(windowStart(timestamp, a.offsetMs, a.sizeMs));
    return;
  }
  const last = windowStart(timestamp, a.offsetMs, a.slideMs);
  for (let start = last; start > timestamp - a.sizeMs; start -= a.slideMs) out.push(start);
}

export type TriggerResult = 'continue' | 'fire' | 'purge' | 'fire_and_purge';

export interface TriggerContext {
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  /** Per key-and-window counter kept by the operator for count triggers. */
  incrementCount(): number;
  resetCount(): void;
}

export interface Trigger {
  onElement(timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onMerge?(window: TimeWindow, ctx: TriggerContext): void;
  clear(window: TimeWindow, ctx: TriggerContext): void;
}

/** Fires when the watermark passes the end of the window; late elements fire again at once. */
export const EventTimeTrigger: Trigger = {
  onElement(_ts, w, ctx) {
    if (maxTimestamp(w) <= ctx.currentWatermark()) return 'fire';
    ctx.registerEventTimeTimer(maxTimestamp(w));
    return 'continue';
  },
  onEventTime: (time, w) => (time === maxTimestamp(w) ? 'fire' : 'continue'),
  onProcessingTime: () => 'continue',
  onMerge(w, ctx) {
    if (maxTimestamp(w) > ctx.currentWatermark()) ctx.registerEventTimeTimer(maxTimestamp(w));
  },
  clear(w, ctx) {
    ctx.deleteEventTimeTimer(maxTimestamp(w));
  },
};

export const ProcessingTimeTrigger: Trigger = {
  onElement(_ts, w, ctx) {
    ctx.registerProcessingTimeTimer(maxTimestamp(w));
    return 'continue';
  },
  onEventTime: () => 'continue',
  onProcessingTime: (time, w) => (time === maxTimestamp(w) ? 'fire' : 'continue'),
  onMerge(w, ctx) {
    ctx.registerProcessingTimeTimer(maxTimestamp(w));
  },
  clear(w, ctx) {
    ctx.deleteProcessingTimeTimer(maxTimestamp(w));
  },
};

/** Fires every `count` elements of a window (and purges nothing). */
export const CountTrigger = {
  of(count: number): Trigger {
    return {
      onElement(_ts, _w, ctx) {
        if (ctx.incrementCount() >= count) {
          ctx.resetCount();
          return 'fire';
        }
        return 'continue';
      },
      onEventTime: () => 'continue',
      onProcessingTime: () => 'continue',
      clear(_w, ctx) {
        ctx.resetCount();
      },
    };
  },
};

/**
 * Pre-combines the results of one window inside a subtask before they leave it: the local half
 * of a local-global aggregation (Flink SQL's two-phase window aggregation). A window's results
 * are folded into one partial while its firing runs and the partial's rows are emitted before
 * the watermark that fired the window moves on; a downstream stage keyed by window combines
 * the subtasks' rows. Partials must be JSON-able.
 */
export interface WindowResultCombiner<R, P> {
  /** Folds one result of a window into that window's partial (undefined for the first result). */
  add(partial: P | undefined, result: R): P;
  /** The rows a finished partial sends downstream. */
  results(partial: P): Iterable<R>;
}

/** Keeps, per window, the results with the highest `score` (all of them on a tie). */
export function keepMaxPerWindow<R>(score: (result: R) => number): WindowResultCombiner<R, { max: number; rows: R[] }> {
  return {
    add(partial, result) {
      const s = score(result);
      if (partial === undefined || s > partial.max) return { max: s, rows: [result] };
      if (s === partial.max) partial.rows.push(result);
      return partial;
    },
    results: (partial) => partial.rows,
  };
}
