// Source adapter over the pure Nexmark generator: subtask s of p emits the interleaved indices
// s, s+p, ...; that (s, p) and the count emitted so far is a split and its replayable position.
// After a rescale a subtask may own several old splits (or none); it merges them in index order,
// so event time stays ordered. Event time comes from the generator; an optional rate limit paces
// emission against the task's clock.

import type { Source, SourceReader } from '../api/source.ts';
import { createNexmarkGenerator, rateLimitDueMs, type NexmarkConfig, type NexmarkEvent } from './nexmark/index.ts';

export type NexmarkSourceOptions = Partial<NexmarkConfig>;

/** Indices s + p*k for k >= emitted are still to come. */
export interface NexmarkSplit {
  readonly s: number;
  readonly p: number;
  emitted: number;
}

export interface NexmarkPosition {
  readonly splits: NexmarkSplit[];
}

function splitsOf(state: unknown): NexmarkSplit[] {
  const st = state as { splits?: NexmarkSplit[]; emitted?: number } | undefined;
  if (st && Array.isArray(st.splits)) return st.splits.map((x) => ({ s: x.s, p: x.p, emitted: x.emitted }));
  throw new Error(`MR_ERR_SOURCE_STATE: not a Nexmark source position: ${JSON.stringify(state)}`);
}

export function nexmarkSource(options: NexmarkSourceOptions = {}): Source<NexmarkEvent> {
  const bounded = options.events !== undefined && options.events !== null;
  return {
    name: 'nexmark',
    bounded,
    createReader(): SourceReader<NexmarkEvent> {
      const gen = createNexmarkGenerator(options);
      const rate = gen.config.rateLimit;
      let splits: NexmarkSplit[] = [];
      let startedAt = 0;
      let now: () => number = Date.now;
      let waitMs = 0;
      /** the split whose next index is smallest (event time order), undefined when all are done */
      const nextSplit = (): NexmarkSplit | undefined => {
        let best: NexmarkSplit | undefined;
        let bestIdx = Number.POSITIVE_INFINITY;
        for (const x of splits) {
          const idx = x.s + x.p * x.emitted;
          if (idx < bestIdx && gen.hasEvent(idx)) {
            best = x;
            bestIdx = idx;
          }
        }
        return best;
      };
      return {
        open(ctx) {
          splits = [{ s: ctx.subtaskIndex, p: ctx.parallelism, emitted: 0 }];
          now = ctx.now;
          startedAt = Math.min(ctx.startTime, now());
        },
        pollNext(out, max) {
          const elapsed = rate === null ? 0 : now() - startedAt;
          const single = splits.length === 1 ? splits[0]! : undefined;
          for (let n = 0; n < max; n++) {
            const split = single ?? nextSplit();
            if (!split) return 'end';
            const idx = split.s + split.p * split.emitted;
            if (!gen.hasEvent(idx)) return 'end';
            if (rate !== null) {
              const due = rateLimitDueMs(idx, rate);
              if (due > elapsed) {
                waitMs = Math.max(1, Math.min(50, due - elapsed));
                return n > 0 ? 'more' : 'wait';
              }
            }
            out.collect(gen.eventAt(idx), gen.timestampAt(idx));
            split.emitted++;
          }
          return 'more';
        },
        available: () => new Promise((r) => setTimeout(r, waitMs)),
        snapshotState: (): NexmarkPosition => ({ splits: splits.map((x) => ({ ...x })) }),
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
