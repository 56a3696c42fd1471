// What every Nexmark query shares: the generator source configured from job parameters, and
// the sink chosen by parameters (a JSON-lines directory for tests, a blackhole for benchmarks,
// which also measures end-to-end latency when `latency=true`). Parameters: ./README.md.

import type { DataStream } from '../../runtime/api/data-stream.ts';
import type { JobParams, StreamExecutionEnvironment } from '../../runtime/api/environment.ts';
import type { Sink, SinkContext } from '../../runtime/api/functions.ts';
import { WatermarkStrategies } from '../../runtime/api/watermarks.ts';
import { fileSink } from '../../runtime/connectors/file-sink.ts';
import { nexmarkSource } from '../../runtime/connectors/nexmark-source.ts';
import { DEFAULT_NEXMARK_CONFIG, type NexmarkConfig, type NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';

/**
 * What a query's job runs, for the benchmark's report (bench/nexmark.ts compares it with the Flink
 * peer's `Queries.plan`): `logical` steps in words both sides use (equal lists = same logical
 * plan), `implementation` how Millrace carries them out. Each query exports `plan(params)` next to
 * its `build`: change one, change the other.
 */
export interface QueryPlan {
  readonly logical: readonly string[];
  readonly implementation: readonly string[];
}

export function nexmarkConfig(params: JobParams): Partial<NexmarkConfig> {
  const events = params.getNumber('events', 0);
  const rate = params.getNumber('rate', 0);
  return {
    events: events > 0 ? events : null,
    seed: params.getNumber('seed', DEFAULT_NEXMARK_CONFIG.seed),
    eventsPerSecond: params.getNumber('eventsPerSecond', rate > 0 ? rate : DEFAULT_NEXMARK_CONFIG.eventsPerSecond),
    rateLimit: rate > 0 ? rate : null,
  };
}

/** All events in generator order per subtask, so watermarks need no out-of-orderness. */
export function nexmarkEvents(env: StreamExecutionEnvironment, params: JobParams): DataStream<NexmarkEvent> {
  return env.fromSource(nexmarkSource(nexmarkConfig(params)), WatermarkStrategies.forBoundedOutOfOrderness<NexmarkEvent>(0), 'Source: Nexmark')
    .uid('nexmark-source');
}

/**
 * Latency as the benchmark defines it: now − (start + (timestamp − baseTimeMs)), i.e. the time
 * since the (rate-limited) source was due to emit the event that made this record final.
 */
export function latencySink<T>(baseTimeMs: number, warmupMs = 0): Sink<T> {
  return {
    name: 'blackhole+latency',
    createWriter() {
      let ctx: SinkContext;
      return {
        open(c) {
          ctx = c;
        },
        write(_v: T, ts: number | undefined) {
          // records made final during the warm-up (event time < base + warm-up) are not measured
          if (ts !== undefined && ts - baseTimeMs >= warmupMs) ctx.recordLatency(Date.now() - (ctx.startTime + (ts - baseTimeMs)));
        },
      };
    },
  };
}

export function querySink<T>(params: JobParams): Sink<T> {
  const out = params.get('out', '');
  if (out) return fileSink<T>({ path: out, format: 'jsonl' });
  const base = params.getNumber('baseTimeMs', DEFAULT_NEXMARK_CONFIG.baseTimeMs);
  if (params.getBoolean('latency', false)) return latencySink<T>(base, params.getNumber('latencyWarmupMs', 0));
  return { name: 'blackhole', createWriter: () => ({ write() {} }) };
}
