// Public API of the Nexmark generator (pure; no engine dependency). The runtime's Nexmark
// source wraps `createNexmarkGenerator` and keeps the next index as its position.

export type { Auction, Bid, NexmarkEvent, Person } from './model.ts';
export type { NexmarkConfig } from './config.ts';
export { DEFAULT_NEXMARK_CONFIG, NexmarkConfigError, resolveNexmarkConfig } from './config.ts';
export type { NexmarkGenerator } from './generator.ts';
export { NexmarkIndexError, createNexmarkGenerator, rateLimitDueMs, subtaskEventCount, subtaskEventIndex } from './generator.ts';
export { canonicalEventLine, checksumOfFirst } from './checksum.ts';
