// Generator configuration: what a Nexmark source needs to know, with the defaults of the
// Nexmark benchmark (Flink's nexmark project) where it has one.

export interface NexmarkConfig {
  /** 32-bit seed; the same seed and index always give the same event. */
  readonly seed: number;
  /** Number of events of a bounded run; `null` means unbounded. */
  readonly events: number | null;
  /** Event-time schedule: events per second of event time (timestamps, not emission speed). */
  readonly eventsPerSecond: number;
  /** Event time of event 0, epoch milliseconds. */
  readonly baseTimeMs: number;
  /** Emission speed limit in events/s for the source that wraps the generator; `null` = as fast as possible. */
  readonly rateLimit: number | null;
  /** One bid in `hotAuctionRatio` goes to a random auction, the others to the current hot auction. */
  readonly hotAuctionRatio: number;
  /** One auction in `hotSellersRatio` has a random seller, the others the current hot seller. */
  readonly hotSellersRatio: number;
  /** One bid in `hotBiddersRatio` has a random bidder, the others the current hot bidder. */
  readonly hotBiddersRatio: number;
  /** Random people are drawn from the most recent `numActivePeople`. */
  readonly numActivePeople: number;
  /** Random auctions are drawn from the most recent `numInFlightAuctions`. */
  readonly numInFlightAuctions: number;
  /** Average serialized sizes, reached by padding the `extra` field. */
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
}

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = Object.freeze({
  seed: 42,
  events: null,
  eventsPerSecond: 10_000,
  baseTimeMs: Date.UTC(2025, 0, 1),
  rateLimit: null,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numActivePeople: 1000,
  numInFlightAuctions: 100,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
});

export class NexmarkConfigError extends Error {
  readonly code = 'MR_ERR_NEXMARK_CONFIG';
}

const POSITIVE_INTEGERS = [
  'eventsPerSecond',
  'hotAuctionRatio',
  'hotSellersRatio',
  'hotBiddersRatio',
  'numActivePeople',
  'numInFlightAuctions',
  'avgPersonByteSize',
  'avgAuctionByteSize',
  'avgBidByteSize',
] as const;

/** Fills in defaults and rejects values the generator cannot honour, naming the field. */
export function resolveNexmarkConfig(overrides: Partial<NexmarkConfig> = {}): NexmarkConfig {
  const config: NexmarkConfig = { ...DEFAULT_NEXMARK_CONFIG, ...overrides };
  for (const field of POSITIVE_INTEGERS) {
    const value = config[field];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new NexmarkConfigError(`nexmark.${field} must be a positive integer, got ${String(value)}`);
    }
  }
  if (!Number.isSafeInteger(config.seed) || config.seed < -0x80000000 || config.seed > 0xffffffff) {
    throw new NexmarkConfigError(`nexmark.seed must be a 32-bit integer, got ${String(config.seed)}`);
  }
  if (config.events !== null && (!Number.isSafeInteger(config.events) || config.events < 0)) {
    throw new NexmarkConfigError(`nexmark.events must be a non-negative integer or null for unbounded, got ${String(config.events)}`);
  }
  if (!Number.isSafeInteger(config.baseTimeMs) || config.baseTimeMs < 0) {
    throw new NexmarkConfigError(`nexmark.baseTimeMs must be a non-negative integer (epoch ms), got ${String(config.baseTimeMs)}`);
  }
  if (config.rateLimit !== null && !(config.rateLimit > 0 && Number.isFinite(config.rateLimit))) {
    throw new NexmarkConfigError(`nexmark.rateLimit must be a positive number of events/s or null, got ${String(config.rateLimit)}`);
  }
  return Object.freeze(config);
}
