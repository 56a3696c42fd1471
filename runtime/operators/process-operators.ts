// Process functions (keyed and not, one and two inputs) and the rolling keyed reduce.

import type {
  CoProcessFunction, Collector, KeySelector, KeyedCoProcessFunction, KeyedProcessFunction,
  OnTimerContext, ProcessFunction, ReduceFunction, RichFunction, TimerService,
} from '../api/functions.ts';
import type { Key } from '../keys/key-groups.ts';
import type { OutputTag } from '../api/output-tag.ts';
import { valueState, type ValueState } from '../api/state.ts';
import type { Timer } from '../state/timer-heap.ts';
import { NO_TIMESTAMP } from './output.ts';
import { StreamOperator } from './stream-operator.ts';

const VOID_NS = 0;

/** Shared context object for process functions; reused across calls. */
abstract class ProcessingOperator extends StreamOperator implements Collector<unknown> {
  protected ts = NO_TIMESTAMP;
  protected timeDomain: 'event-time' | 'processing-time' = 'event-time';
  protected readonly fn: RichFunction;
  readonly ctxObj: OnTimerContext<Key>;

  constructor(keyed: boolean, fn: RichFunction) {
    super(keyed);
    this.fn = fn;
    const timers: TimerService = {
      currentProcessingTime: () => this.ctx.processingTimeService.now(),
      currentWatermark: () => this.watermark,
      registerEventTimeTimer: (t) => this.requireTimers().registerEventTimeTimer(VOID_NS, t),
      registerProcessingTimeTimer: (t) => this.requireTimers().registerProcessingTimeTimer(VOID_NS, t),
      deleteEventTimeTimer: (t) => this.requireTimers().deleteEventTimeTimer(VOID_NS, t),
      deleteProcessingTimeTimer: (t) => this.requireTimers().deleteProcessingTimeTimer(VOID_NS, t),
    };
    this.ctxObj = {
      timestamp: () => (Number.isNaN(this.ts) ? undefined : this.ts),
      timerService: () => timers,
      output: <X>(tag: OutputTag<X>, value: X) => this.output.collectSide(tag.id, value, this.ts),
      getCurrentKey: () => this.backend!.currentKey,
      timeDomain: () => this.timeDomain,
    };
  }

  private requireTimers() {
    if (!this.timers) throw new Error(`MR_ERR_TIMERS_NOT_KEYED: timers need a keyed stream; call keyBy before '${this.ctx.operatorName}'`);
    return this.timers;
  }

  collect(value: unknown): void {
    this.output.collect(value, this.ts);
  }

  override open(): void {
    this.fn.open?.(this.runtimeContext());
  }
  override close(): void {
    this.fn.close?.();
    super.close();
  }
}

export class ProcessOperator extends ProcessingOperator {
  private readonly pf: ProcessFunction<unknown, unknown>;
  constructor(fn: ProcessFunction<unknown, unknown>) {
    super(false, fn);
    this.pf = fn;
  }
  processElement(value: unknown, ts: number): void {
    this.ts = ts;
    this.pf.processElement(value, this.ctxObj, this);
  }
}

/** Keyed process functions: timers call back `onTimer` with the key of the timer set. */
abstract class KeyedProcessingOperator extends ProcessingOperator {
  private readonly timerFn: { onTimer?(timestamp: number, ctx: OnTimerContext<Key>, out: Collector<unknown>): void };
  constructor(fn: KeyedProcessFunction<Key, unknown, unknown> | KeyedCoProcessFunction<Key, unknown, unknown, unknown>) {
    super(true, fn);
    this.timerFn = fn;
  }
  protected override onEventTime(t: Timer): void {
    this.ts = t.timestamp;
    this.timeDomain = 'event-time';
    this.timerFn.onTimer?.(t.timestamp, this.ctxObj, this);
  }
  protected override onProcessingTime(t: Timer): void {
    this.ts = NO_TIMESTAMP;
    this.timeDomain = 'processing-time';
    this.timerFn.onTimer?.(t.timestamp, this.ctxObj, this);
  }
}

export class KeyedProcessOperator extends KeyedProcessingOperator {
  private readonly pf: KeyedProcessFunction<Key, unknown, unknown>;
  private readonly keySelector: KeySelector<unknown>;
  constructor(fn: KeyedProcessFunction<Key, unknown, unknown>, keySelector: KeySelector<unknown>) {
    super(fn);
    this.pf = fn;
    this.keySelector = keySelector;
  }
  processElement(value: unknown, ts: number): void {
    this.ts = ts;
    this.backend!.setCurrentKey(this.keySelector(value));
    this.pf.processElement(value, this.ctxObj, this);
  }
}

export class CoProcessOperator extends ProcessingOperator {
  private readonly pf: CoProcessFunction<unknown, unknown, unknown>;
  constructor(fn: CoProcessFunction<unknown, unknown, unknown>) {
    super(false, fn);
    this.pf = fn;
    this.numInputs = 2;
  }
  processElement(value: unknown, ts: number): void {
    this.ts = ts;
    this.pf.processElement1(value, this.ctxObj, this);
  }
  override processElement2(value: unknown, ts: number): void {
    this.ts = ts;
    this.pf.processElement2(value, this.ctxObj, this);
  }
}

export class KeyedCoProcessOperator extends KeyedProcessingOperator {
  private readonly pf: KeyedCoProcessFunction<Key, unknown, unknown, unknown>;
  private readonly key1: KeySelector<unknown>;
  private readonly key2: KeySelector<unknown>;
  constructor(fn: KeyedCoProcessFunction<Key, unknown, unknown, unknown>, key1: KeySelector<unknown>, key2: KeySelector<unknown>) {
    super(fn);
    this.pf = fn;
    this.key1 = key1;
    this.key2 = key2;
    this.numInputs = 2;
  }
  processElement(value: unknown, ts: number): void {
    this.ts = ts;
    this.backend!.setCurrentKey(this.key1(value));
    this.pf.processElement1(value, this.ctxObj, this);
  }
  override processElement2(value: unknown, ts: number): void {
    this.ts = ts;
    this.backend!.setCurrentKey(this.key2(value));
    this.pf.processElement2(value, this.ctxObj, this);
  }
}

/** KeyedStream.reduce: emits the running reduction per key for every element. */
export class KeyedReduceOperator extends StreamOperator {
  private readonly reduce: ReduceFunction<unknown>;
  private readonly keySelector: KeySelector<unknown>;
  private state!: ValueState<unknown>;
  constructor(reduce: ReduceFunction<unknown>, keySelector: KeySelector<unknown>) {
    super(true);
    this.reduce = reduce;
    this.keySelector = keySelector;
  }
  override open(): void {
    this.state = this.backend!.getValueState(valueState<unknown>('_reduce'));
  }
  processElement(value: unknown, ts: number): void {
    this.backend!.setCurrentKey(this.keySelector(value));
    const prev = this.state.value();
    const next = prev === undefined ? value : this.reduce(prev, value);
    this.state.update(next);
    this.output.collect(next, ts);
  }
}
