// A Nexmark source paced from the moment it (re)starts: subtask s of p emits the interleaved
// indices s, s+p, ... like the runtime's nexmarkSource, at `rate` events/s in total, measured
// from when this reader opened at its restored position. So a restored job goes on at the same
// pace instead of racing to catch up with a schedule that started with the job, and a fault test
// knows how long its input lasts. The position (events emitted) is the checkpointed state.

import type { Source, SourceReader } from '../../runtime/api/source.ts';
import { createNexmarkGenerator, subtaskEventIndex, type NexmarkConfig, type NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';

export interface PacedNexmarkOptions {
  readonly events: number;
  /** Events per second over all subtasks; 0 = as fast as possible. */
  readonly rate: number;
  readonly generator?: Partial<NexmarkConfig>;
}

export function pacedNexmarkSource(o: PacedNexmarkOptions): Source<NexmarkEvent> {
  return {
    name: 'paced-nexmark',
    bounded: true,
    createReader(): SourceReader<NexmarkEvent> {
      const gen = createNexmarkGenerator({ ...o.generator, events: o.events });
      let subtask = 0;
      let parallelism = 1;
      let emitted = 0;
      let now: () => number = Date.now;
      let pacedFrom: { at: number; emitted: number } | undefined;
      let waitMs = 1;
      return {
        open(ctx) {
          subtask = ctx.subtaskIndex;
          parallelism = ctx.parallelism;
          now = ctx.now;
        },
        pollNext(out, max) {
          // Pace from the first poll, which comes after open and any restore.
          pacedFrom ??= { at: now(), emitted };
          const allowed = o.rate > 0 ? pacedFrom.emitted + Math.floor(((now() - pacedFrom.at) * o.rate) / parallelism / 1000) + 1 : Number.POSITIVE_INFINITY;
          for (let n = 0; n < max; n++) {
            const index = subtaskEventIndex(subtask, parallelism, emitted);
            if (!gen.hasEvent(index)) return 'end';
            if (emitted >= allowed) {
              waitMs = Math.max(1, Math.min(20, Math.ceil((parallelism * 1000) / o.rate)));
              return n > 0 ? 'more' : 'wait';
            }
            out.collect(gen.eventAt(index), gen.timestampAt(index));
            emitted++;
          }
          return 'more';
        },
        available: () => new Promise((resolve) => setTimeout(resolve, waitMs)),
        snapshotState: () => ({ emitted }),
        restoreState(state) {
          emitted = (state as { emitted: number }).emitted;
          pacedFrom = undefined;
        },
      };
    },
  };
}
