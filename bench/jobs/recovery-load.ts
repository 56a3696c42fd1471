// The recovery benchmark's job (bench/recovery.ts): builds a known amount of keyed state, then
// updates it at a steady rate on a fixed wall-clock schedule, so a kill leaves a backlog.
//
// - Fill: every key once, as fast as possible; each key gets a value of `payloadBytes` characters
//   (payloadFor of examples/recovery/keyed-state-load.ts, so the state does not compress away).
// - Steady: `rate` records/s over all subtasks, cycling over the keys. Each record is due at a time
//   fixed when the steady phase began; the schedule is part of the source's checkpointed state, so a
//   restarted job does not start a new schedule: it owes what fell due while it was down and emits
//   that as fast as it can (the backlog), as a Kafka topic's producers would have kept writing.
// - Sink: per subtask, a JSON line in `<progressDir>/progress-<subtask>.jsonl` at most every 100 ms:
//   `{at, attempt, subtask, records, maxLagMs}`, where maxLagMs is the largest (arrival − due) of the
//   records since the previous line (bench/lib/recovery-detect.ts reads them).
//
// Parameters: keys (100000), payloadBytes (1000), rate (2000), progressDir (required; `-`: stdout).

import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineJob } from '../../runtime/api/environment.ts';
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type RuntimeContext, type Sink, type SinkContext } from '../../runtime/api/functions.ts';
import type { Source, SourceReader } from '../../runtime/api/source.ts';
import { valueState, type ValueState } from '../../runtime/api/state.ts';
import { payloadFor } from '../../examples/recovery/keyed-state-load.ts';
import { PROGRESS_LOG_PREFIX, type LagMarker } from '../lib/recovery-detect.ts';

interface Keyed {
  readonly key: number;
  /** epoch ms the record fell due on the steady schedule; 0 during the fill */
  readonly due: number;
}

interface ScheduleState {
  /** records this subtask emitted */
  readonly emitted: number;
  /** when the steady phase began and how many records had been emitted then */
  readonly steadyFrom: { readonly at: number; readonly emitted: number } | null;
}

/** Due time of the k-th record of one subtask on the steady schedule (pure). */
export function dueAt(steadyFrom: { at: number; emitted: number }, emitted: number, ratePerSubtask: number): number {
  return steadyFrom.at + ((emitted - steadyFrom.emitted) * 1000) / ratePerSubtask;
}

function scheduledSource(keys: number, rate: number): Source<Keyed> {
  return {
    name: 'scheduled-keys',
    bounded: false,
    createReader(): SourceReader<Keyed> {
      let subtask = 0;
      let parallelism = 1;
      let now: () => number = Date.now;
      let emitted = 0; // k-th record of this subtask: global index subtask + k × parallelism
      let steadyFrom: { at: number; emitted: number } | null = null;
      return {
        open(ctx) {
          subtask = ctx.subtaskIndex;
          parallelism = ctx.parallelism;
          now = ctx.now;
        },
        pollNext(out, max) {
          const perSubtask = rate / parallelism;
          for (let n = 0; n < max; n++) {
            const index = subtask + emitted * parallelism;
            let due = 0;
            if (index >= keys) {
              steadyFrom ??= { at: now(), emitted };
              due = dueAt(steadyFrom, emitted, perSubtask);
              if (due > now()) return n > 0 ? 'more' : 'wait';
            }
            out.collect({ key: index % keys, due });
            emitted++;
          }
          return 'more';
        },
        available: () => new Promise((resolve) => setTimeout(resolve, 5)),
        snapshotState: (): ScheduleState => ({ emitted, steadyFrom }),
        restoreState(state) {
          const s = state as ScheduleState;
          emitted = s.emitted;
          steadyFrom = s.steadyFrom; // the schedule goes on: what fell due meanwhile is owed
        },
      };
    },
  };
}

class KeyedPayload extends KeyedProcessFunction<number, Keyed, Keyed> {
  private readonly payloadBytes: number;
  private payload!: ValueState<string>;
  private updates!: ValueState<number>;
  constructor(payloadBytes: number) {
    super();
    this.payloadBytes = payloadBytes;
  }
  override open(ctx: RuntimeContext): void {
    this.payload = ctx.getState(valueState<string>('payload'));
    this.updates = ctx.getState(valueState<number>('updates'));
  }
  processElement(r: Keyed, _ctx: KeyedProcessContext<number>, out: Collector<Keyed>): void {
    if (this.payload.value() === undefined) this.payload.update(payloadFor(r.key, this.payloadBytes));
    this.updates.update((this.updates.value() ?? 0) + 1);
    out.collect(r);
  }
}

function lagSink(dir: string, everyMs = 100): Sink<Keyed> {
  return {
    name: 'lag-markers',
    createWriter() {
      let ctx: SinkContext;
      let file = '';
      let records = 0;
      let lastAt = 0;
      let maxLag: number | null = null;
      return {
        open(c) {
          ctx = c;
          if (dir === '-') return; // markers to stdout: a pod's log, which the node-tier bench follows
          mkdirSync(dir, { recursive: true });
          file = path.join(dir, `progress-${c.subtaskIndex}.jsonl`);
        },
        write(r) {
          records++;
          const now = Date.now();
          if (r.due > 0) maxLag = Math.max(maxLag ?? Number.NEGATIVE_INFINITY, now - r.due);
          if (now - lastAt < everyMs) return;
          lastAt = now;
          const marker: LagMarker = { at: now, attempt: ctx.attempt, subtask: ctx.subtaskIndex, records, maxLagMs: maxLag };
          maxLag = null;
          if (dir === '-') process.stdout.write(`${PROGRESS_LOG_PREFIX}${JSON.stringify(marker)}\n`);
          else appendFileSync(file, `${JSON.stringify(marker)}\n`);
        },
      };
    },
  };
}

export default defineJob({
  name: 'bench-recovery-load',
  build(env, params) {
    const progressDir = params.get('progressDir', '');
    if (!progressDir) throw new Error('MR_ERR_JOB_PARAMS: bench-recovery-load needs --set progressDir=<directory> for its progress markers');
    const payloadBytes = params.getNumber('payloadBytes', 1000);
    env.fromSource(scheduledSource(params.getNumber('keys', 100_000), params.getNumber('rate', 2000)), undefined, 'Source: scheduled keys').uid('recovery-load-source')
      .keyBy<number>((r) => r.key)
      .processKeyed(() => new KeyedPayload(payloadBytes), { uid: 'recovery-load-payload' })
      .sinkTo(lagSink(progressDir), { uid: 'recovery-load-progress' });
  },
});
