// The Nexmark generator: event `index` is a pure function of (config, index). Subtask `s` of
// `p` generates indices s, s+p, s+2p, ... so the subtasks advance event time together, and a
// source's position is just the next index it will generate.

import type { Auction, Bid, NexmarkEvent, Person } from './model.ts';
import { resolveNexmarkConfig } from './config.ts';
import type { NexmarkConfig } from './config.ts';
import { Prng, eventSeed } from './prng.ts';
import {
  AUCTION_PROPORTION, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID, HOT_ID_GRANULARITY,
  KIND_AUCTION, KIND_PERSON, NUM_CATEGORIES, TOTAL_PROPORTION, kindAt, lastBase0AuctionId,
  lastBase0PersonId, nextBase0AuctionId, nextBase0PersonId,
} from './ids.ts';
import {
  CHANNELS, CHANNELS_NUMBER, FIRST_NAMES, HOT_CHANNELS, LAST_NAMES, US_CITIES, US_STATES,
  nextCreditCard, nextExtra, nextString,
} from './strings.ts';

// Math functions bound once: module constants are cheaper than global lookups in sandboxed contexts (jest's vm).
const { floor, max } = Math;
const { isSafeInteger } = Number;

export interface NexmarkGenerator {
  readonly config: NexmarkConfig;
  /** The event at `index` (0-based); throws MR_ERR_NEXMARK_INDEX past the end of a bounded run. */
  eventAt(index: number): NexmarkEvent;
  /** Event time of event `index` in epoch ms, without generating the event. */
  timestampAt(index: number): number;
  /** Whether `index` is inside the run (always true when unbounded). */
  hasEvent(index: number): boolean;
}

export class NexmarkIndexError extends Error {
  readonly code = 'MR_ERR_NEXMARK_INDEX';
}

const POWERS_OF_TEN = [1, 10, 100, 1000, 10_000, 100_000];

/**
 * A price in cents, log-uniform over decades from $1 to $999,900 like Nexmark's
 * `round(10^(6u) * 100)`, but in integers only so that every runtime computes the same value
 * (no `Math.pow`, whose last bit differs between JavaScript engines and the JVM).
 */
function nextPrice(random: Prng): number {
  const decade = POWERS_OF_TEN[random.nextInt(6)] as number;
  const mantissa = 1000 + random.nextInt(9000);
  return floor((mantissa * decade) / 10);
}

export function createNexmarkGenerator(overrides: Partial<NexmarkConfig> = {}): NexmarkGenerator {
  const config = resolveNexmarkConfig(overrides);
  const random = new Prng();
  const limit = config.events ?? Number.POSITIVE_INFINITY;
  const { seed, baseTimeMs, eventsPerSecond } = config;
  // Auctions last up to twice the event-time span in which numInFlightAuctions auctions start.
  const eventsForAuctions = floor((config.numInFlightAuctions * TOTAL_PROPORTION) / AUCTION_PROPORTION);

  function timestampAt(index: number): number {
    return baseTimeMs + floor((index * 1000) / eventsPerSecond);
  }

  function person(index: number, dateTime: number): Person {
    const id = lastBase0PersonId(index) + FIRST_PERSON_ID;
    const name = `${FIRST_NAMES[random.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[random.nextInt(LAST_NAMES.length)]}`;
    const emailAddress = `${nextString(random, 7)}@${nextString(random, 5)}.com`;
    const creditCard = nextCreditCard(random);
    const city = US_CITIES[random.nextInt(US_CITIES.length)] as string;
    const state = US_STATES[random.nextInt(US_STATES.length)] as string;
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    const extra = nextExtra(random, size, config.avgPersonByteSize);
    return { kind: 'person', id, name, emailAddress, creditCard, city, state, dateTime, extra };
  }

  function auction(index: number, dateTime: number): Auction {
    const id = lastBase0AuctionId(index) + FIRST_AUCTION_ID;
    const seller = FIRST_PERSON_ID + (random.nextInt(config.hotSellersRatio) > 0
      ? floor(lastBase0PersonId(index) / HOT_ID_GRANULARITY) * HOT_ID_GRANULARITY
      : nextBase0PersonId(index, random, config.numActivePeople));
    const category = FIRST_CATEGORY_ID + random.nextInt(NUM_CATEGORIES);
    const initialBid = nextPrice(random);
    const horizonMs = timestampAt(index + eventsForAuctions) - dateTime;
    const expires = dateTime + 1 + random.nextInt(max(horizonMs * 2, 1));
    const itemName = nextString(random, 20);
    const description = nextString(random, 100);
    const reserve = initialBid + nextPrice(random);
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    const extra = nextExtra(random, size, config.avgAuctionByteSize);
    return { kind: 'auction', id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra };
  }

  function bid(index: number, dateTime: number): Bid {
    const auctionId = FIRST_AUCTION_ID + (random.nextInt(config.hotAuctionRatio) > 0
      ? floor(lastBase0AuctionId(index) / HOT_ID_GRANULARITY) * HOT_ID_GRANULARITY
      : nextBase0AuctionId(index, random, config.numInFlightAuctions));
    const bidder = FIRST_PERSON_ID + (random.nextInt(config.hotBiddersRatio) > 0
      ? floor(lastBase0PersonId(index) / HOT_ID_GRANULARITY) * HOT_ID_GRANULARITY + 1
      : nextBase0PersonId(index, random, config.numActivePeople));
    const price = nextPrice(random);
    let channel: string;
    let url: string;
    if (random.nextInt(2) > 0) {
      const hot = random.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[hot] as string;
      url = CHANNELS.hotUrls[hot] as string;
    } else {
      const number = random.nextInt(CHANNELS_NUMBER);
      channel = CHANNELS.names[number] as string;
      url = CHANNELS.urls[number] as string;
    }
    const extra = nextExtra(random, 8 + 8 + 8 + 8, config.avgBidByteSize);
    return { kind: 'bid', auction: auctionId, bidder, price, channel, url, dateTime, extra };
  }

  function eventAt(index: number): NexmarkEvent {
    if (!(index >= 0 && index < limit && isSafeInteger(index))) {
      throw new NexmarkIndexError(`event index ${index} is outside the run (nexmark.events = ${String(config.events)}); check hasEvent(index) first`);
    }
    random.reseed(eventSeed(seed, index));
    const dateTime = timestampAt(index);
    const kind = kindAt(index);
    if (kind === KIND_PERSON) return person(index, dateTime);
    if (kind === KIND_AUCTION) return auction(index, dateTime);
    return bid(index, dateTime);
  }

  return {
    config,
    eventAt,
    timestampAt,
    hasEvent: (index) => index >= 0 && index < limit,
  };
}

/** The `k`-th index generated by `subtask` out of `parallelism` (interleaved shares). */
export function subtaskEventIndex(subtask: number, parallelism: number, k: number): number {
  return subtask + k * parallelism;
}

/** How many events `subtask` out of `parallelism` generates in a bounded run of `events`. */
export function subtaskEventCount(subtask: number, parallelism: number, events: number): number {
  return subtask >= events ? 0 : floor((events - subtask - 1) / parallelism) + 1;
}

/**
 * Wall-clock offset (ms since the sources started) before which event `index` must not be
 * emitted when all subtasks together are limited to `rateLimit` events/s: the schedule is global
 * (index-based), so interleaved subtasks stay in step and, with eventsPerSecond equal to the
 * rate, event time follows wall-clock time. The generator never sleeps; the source compares
 * this with its clock.
 */
export function rateLimitDueMs(index: number, rateLimit: number | null): number {
  return rateLimit === null ? 0 : (index * 1000) / rateLimit;
}
