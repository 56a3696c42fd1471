// Source adapter over the pure Nexmark generator: subtask s of p emits the interleaved indices
// s, s+p, ...; the count emitted so far is the replayable position. Event time comes from the
// generator; an optional rate limit paces emission against the task's clock.

import type { Source, SourceReader } from '../api/source.ts';
import { createNexmarkGenerator, rateLimitDueMs, subtaskEventIndex, type NexmarkConfig, type NexmarkEvent } from './nexmark/index.ts';

export type NexmarkSourceOptions = Partial<NexmarkConfig>;

export function nexmarkSource(options: NexmarkSourceOptions = {}): Source<NexmarkEvent> {
  const bounded = options.events !== undefined && options.events !== null;
  return {
    name: 'nexmark',
    bounded,
    createReader(): SourceReader<NexmarkEvent> {
      const gen = createNexmarkGenerator(options);
      const rate = gen.config.rateLimit;
      let s = 0;
      let p = 1;
      let k = 0;
      let startedAt = 0;
      let now: () => number = Date.now;
      let waitMs = 0;
      return {
        open(ctx) {
          s = ctx.subtaskIndex;
          p = ctx.parallelism;
          now = ctx.now;
          startedAt = Math.min(ctx.startTime, now());
        },
        pollNext(out, max) {
          const elapsed = rate === null ? 0 : now() - startedAt;
          for (let n = 0; n < max; n++) {
            const idx = subtaskEventIndex(s, p, k);
            if (!gen.hasEvent(idx)) return 'end';
            if (rate !== null) {
              const due = rateLimitDueMs(idx, rate);
              if (due > elapsed) {
                waitMs = Math.max(1, Math.min(50, due - elapsed));
                return n > 0 ? 'more' : 'wait';
              }
            }
            out.collect(gen.eventAt(idx), gen.timestampAt(idx));
            k++;
          }
          return 'more';
        },
        available: () => new Promise((r) => setTimeout(r, waitMs)),
        snapshotState: () => ({ emitted: k }),
        restoreState(state) {
          k = (state as { emitted: number }).emitted;
        },
      };
    },
  };
}
