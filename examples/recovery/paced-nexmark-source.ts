// A Nexmark source paced from the moment it (re)starts: subtask s of p emits the interleaved
// indices s, s+p, ... (a "split") like the runtime's nexmarkSource, at `rate` events/s in total,
// measured from when this reader started polling at its restored position. So a restored job goes
// on at the same pace instead of racing to catch up with a schedule that started with the job,
// and a fault test knows how long its input lasts. The checkpointed position is the list of splits
// with the count each has emitted; after a rescale a subtask merges the splits it was given in
// index order, so event time stays ordered.

import type { Source, SourceReader } from '../../runtime/api/source.ts';
import { createNexmarkGenerator, type NexmarkConfig, type NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';

export interface PacedNexmarkOptions {
  readonly events: number;
  /** Events per second over all subtasks; 0 = as fast as possible. */
  readonly rate: number;
  readonly generator?: Partial<NexmarkConfig>;
}

/** Indices s + p × k for k >= emitted are still to come. */
export interface PacedSplit {
  readonly s: number;
  readonly p: number;
  emitted: number;
}

function splitsOf(state: unknown): PacedSplit[] {
  const splits = (state as { splits?: PacedSplit[] } | undefined)?.splits;
  if (!Array.isArray(splits)) throw new Error(`MR_ERR_SOURCE_STATE: not a paced Nexmark position: ${JSON.stringify(state)}`);
  return splits.map((x) => ({ s: x.s, p: x.p, emitted: x.emitted }));
}

export function pacedNexmarkSource(o: PacedNexmarkOptions): Source<NexmarkEvent> {
  return {
    name: 'paced-nexmark',
    bounded: true,
    createReader(): SourceReader<NexmarkEvent> {
      const gen = createNexmarkGenerator({ ...o.generator, events: o.events });
      let splits: PacedSplit[] = [];
      let parallelism = 1;
      let emitted = 0; // by this reader since it started, for pacing
      let now: () => number = Date.now;
      let pacedFrom: number | undefined;
      const nextIndex = (x: PacedSplit) => x.s + x.p * x.emitted;
      /** the split whose next index is smallest, undefined when all are done */
      const nextSplit = (): PacedSplit | undefined => {
        let best: PacedSplit | undefined;
        for (const x of splits) if (gen.hasEvent(nextIndex(x)) && (best === undefined || nextIndex(x) < nextIndex(best))) best = x;
        return best;
      };
      return {
        open(ctx) {
          splits = [{ s: ctx.subtaskIndex, p: ctx.parallelism, emitted: 0 }];
          parallelism = ctx.parallelism;
          now = ctx.now;
        },
        pollNext(out, max) {
          pacedFrom ??= now(); // first poll: after open and any restore
          const allowed = o.rate > 0 ? Math.floor(((now() - pacedFrom) * o.rate) / parallelism / 1000) + 1 : Number.POSITIVE_INFINITY;
          for (let n = 0; n < max; n++) {
            const split = nextSplit();
            if (!split) return 'end';
            if (emitted >= allowed) return n > 0 ? 'more' : 'wait';
            const index = nextIndex(split);
            out.collect(gen.eventAt(index), gen.timestampAt(index));
            split.emitted++;
            emitted++;
          }
          return 'more';
        },
        available: () => new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(20, Math.ceil((parallelism * 1000) / Math.max(1, o.rate)))))),
        snapshotState: () => ({ splits: splits.map((x) => ({ ...x })) }),
        restoreState(state) {
          splits = splitsOf(state);
        },
        restoreStates(states) {
          splits = states.flatMap(splitsOf);
        },
      };
    },
  };
}
