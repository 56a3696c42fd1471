// Recovery benchmark job: builds a known amount of keyed state, then keeps updating it at a
// steady rate so output flows continuously. Phase 1 (fill) sends every key once, as fast as
// possible; each key gets a value state of `payloadBytes` characters (incompressible-ish, so
// the state size is real). Phase 2 (steady) cycles over the keys at `rate` records/s, paced from
// when the reader (re)started, and bumps a per-key counter. State ≈ keys × payloadBytes.
//
// Parameters: keys (100000), payloadBytes (1000), rate (steady records/s over all subtasks,
// 2000), progressDir (directory for ./progress-sink.ts markers; required).

import { defineJob } from '../../runtime/api/environment.ts';
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type RuntimeContext } from '../../runtime/api/functions.ts';
import type { Source, SourceReader } from '../../runtime/api/source.ts';
import { valueState, type ValueState } from '../../runtime/api/state.ts';
import { progressSink } from './progress-sink.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `bytes` characters that depend on the key (xorshift32 per key), so snapshots do not compress away. */
export function payloadFor(key: number, bytes: number): string {
  let x = (key * 2654435761) >>> 0 || 1;
  const chars = new Array<string>(bytes);
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    chars[i] = ALPHABET[x & 63]!;
  }
  return chars.join('');
}

interface KeyRecord {
  key: number;
}

function keySource(keys: number, rate: number): Source<KeyRecord> {
  return {
    name: 'keys',
    bounded: false,
    createReader(): SourceReader<KeyRecord> {
      let subtask = 0;
      let parallelism = 1;
      let emitted = 0; // k-th record of this subtask: global index subtask + k × parallelism
      let now: () => number = Date.now;
      let pacedFrom: { at: number; emitted: number } | undefined;
      return {
        open(ctx) {
          subtask = ctx.subtaskIndex;
          parallelism = ctx.parallelism;
          now = ctx.now;
        },
        pollNext(out, max) {
          for (let n = 0; n < max; n++) {
            const index = subtask + emitted * parallelism;
            if (index >= keys) {
              pacedFrom ??= { at: now(), emitted };
              const allowed = pacedFrom.emitted + Math.floor(((now() - pacedFrom.at) * rate) / parallelism / 1000) + 1;
              if (emitted >= allowed) return n > 0 ? 'more' : 'wait';
            }
            out.collect({ key: index % keys });
            emitted++;
          }
          return 'more';
        },
        available: () => new Promise((resolve) => setTimeout(resolve, 5)),
        snapshotState: () => ({ emitted }),
        restoreState(state) {
          emitted = (state as { emitted: number }).emitted;
          pacedFrom = undefined;
        },
      };
    },
  };
}

class KeyedPayload extends KeyedProcessFunction<number, KeyRecord, { key: number; updates: number }> {
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
  processElement(r: KeyRecord, _ctx: KeyedProcessContext<number>, out: Collector<{ key: number; updates: number }>): void {
    if (this.payload.value() === undefined) this.payload.update(payloadFor(r.key, this.payloadBytes));
    const updates = (this.updates.value() ?? 0) + 1;
    this.updates.update(updates);
    out.collect({ key: r.key, updates });
  }
}

export default defineJob({
  name: 'recovery-keyed-state-load',
  build(env, params) {
    const progressDir = params.get('progressDir', '');
    if (!progressDir) throw new Error('MR_ERR_JOB_PARAMS: recovery-keyed-state-load needs --set progressDir=<directory> for its progress markers');
    const payloadBytes = params.getNumber('payloadBytes', 1000);
    env.fromSource(keySource(params.getNumber('keys', 100_000), params.getNumber('rate', 2000)), undefined, 'Source: keys').uid('state-load-source')
      .keyBy<number>((r) => r.key)
      .processKeyed(() => new KeyedPayload(payloadBytes), { uid: 'state-load-payload' })
      .sinkTo(progressSink(progressDir), { uid: 'state-load-progress' });
  },
});
