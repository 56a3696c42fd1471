// The session keys (SET 'k' = 'v') that switch on the configured aggregate rewrites, with
// Flink's names and defaults: mini-batch off, agg-phase-strategy AUTO (two phases only with
// mini-batch, as Flink plans group aggregates), split distinct off with 1024 buckets.
import { parseDurationMs } from '../../../connectors/factory/options.ts';
import { SqlError } from '../../errors.ts';

export interface MiniBatchConfig {
  /** `table.exec.mini-batch.allow-latency`: a batch is applied at most this long after its first row */
  readonly latencyMs: number;
  /** `table.exec.mini-batch.size`: a batch is applied when it holds this many rows */
  readonly size: number;
}

export type AggPhaseStrategy = 'AUTO' | 'ONE_PHASE' | 'TWO_PHASE';

export interface AggregateOptimizerConfig {
  readonly miniBatch?: MiniBatchConfig;
  readonly aggPhaseStrategy: AggPhaseStrategy;
  /** `table.optimizer.distinct-agg.split.bucket-num` when `...split.enabled` is true */
  readonly splitDistinctBuckets?: number;
}

function bool(config: ReadonlyMap<string, string>, key: string): boolean {
  const v = config.get(key)?.trim().toLowerCase();
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new SqlError('MR_ERR_SQL_VALIDATE', `'${key}' = '${config.get(key)}' is not a boolean; write 'true' or 'false'`);
}

function positiveInt(config: ReadonlyMap<string, string>, key: string, fallback: number): number {
  const v = config.get(key)?.trim();
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new SqlError('MR_ERR_SQL_VALIDATE', `'${key}' = '${v}' is not an integer; write for example '5000'`);
  return n;
}

export function aggregateOptimizerConfig(config: ReadonlyMap<string, string> | undefined): AggregateOptimizerConfig {
  const c = config ?? new Map<string, string>();
  let miniBatch: MiniBatchConfig | undefined;
  if (bool(c, 'table.exec.mini-batch.enabled')) {
    const text = c.get('table.exec.mini-batch.allow-latency') ?? '0 ms';
    const latencyMs = parseDurationMs(text);
    if (latencyMs === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `'table.exec.mini-batch.allow-latency' = '${text}' is not a duration; write for example '2 s' or '500 ms'`);
    // Flink refuses mini-batch without a positive latency and size (its defaults 0 s and -1)
    if (latencyMs <= 0) throw new SqlError('MR_ERR_SQL_VALIDATE', "'table.exec.mini-batch.enabled' = 'true' needs 'table.exec.mini-batch.allow-latency' > 0, for example SET 'table.exec.mini-batch.allow-latency' = '2 s'");
    const size = positiveInt(c, 'table.exec.mini-batch.size', -1);
    if (size <= 0) throw new SqlError('MR_ERR_SQL_VALIDATE', "'table.exec.mini-batch.enabled' = 'true' needs 'table.exec.mini-batch.size' > 0, for example SET 'table.exec.mini-batch.size' = '5000'");
    miniBatch = { latencyMs, size };
  }
  const phase = (c.get('table.optimizer.agg-phase-strategy') ?? 'AUTO').trim().toUpperCase();
  if (phase !== 'AUTO' && phase !== 'ONE_PHASE' && phase !== 'TWO_PHASE') {
    throw new SqlError('MR_ERR_SQL_VALIDATE', `'table.optimizer.agg-phase-strategy' = '${c.get('table.optimizer.agg-phase-strategy')}' is not one of AUTO, ONE_PHASE, TWO_PHASE`);
  }
  let splitDistinctBuckets: number | undefined;
  if (bool(c, 'table.optimizer.distinct-agg.split.enabled')) {
    splitDistinctBuckets = positiveInt(c, 'table.optimizer.distinct-agg.split.bucket-num', 1024);
    if (splitDistinctBuckets <= 0) throw new SqlError('MR_ERR_SQL_VALIDATE', "'table.optimizer.distinct-agg.split.bucket-num' must be > 0 (Flink's default: 1024)");
  }
  return { aggPhaseStrategy: phase, ...(miniBatch ? { miniBatch } : {}), ...(splitDistinctBuckets !== undefined ? { splitDistinctBuckets } : {}) };
}
