// Which event an index is, and which person/auction ids exist at that index. Out of every
// 50 events 1 is a person, 3 are auctions and 46 are bids (Nexmark's 1/3/46 proportions),
// so ids are dense and derivable from the index alone, without generator state.

import type { Prng } from './prng.ts';

// Math functions bound once: module constants are cheaper than global lookups in sandboxed contexts (jest's vm).
const { floor, min, max } = Math;

export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
export const TOTAL_PROPORTION = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
/** Random ids may point a little past the newest one, as in Nexmark (not-yet-seen ids). */
export const PERSON_ID_LEAD = 10;
export const AUCTION_ID_LEAD = 10;
/** The hot seller/bidder/auction is the newest id rounded down to a multiple of this. */
export const HOT_ID_GRANULARITY = 100;

export const KIND_PERSON = 0;
export const KIND_AUCTION = 1;
export const KIND_BID = 2;

export function kindAt(index: number): number {
  const offset = index % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) return KIND_PERSON;
  if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) return KIND_AUCTION;
  return KIND_BID;
}

/** 0-based id of the newest person created at or before event `index`. */
export function lastBase0PersonId(index: number): number {
  const epoch = floor(index / TOTAL_PROPORTION);
  let offset = index % TOTAL_PROPORTION;
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + offset;
}

/** 0-based id of the newest auction created at or before event `index` (-1 before the first). */
export function lastBase0AuctionId(index: number): number {
  let epoch = floor(index / TOTAL_PROPORTION);
  let offset = index % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) {
    epoch -= 1;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}

/** A random recently active person (0-based), possibly slightly in the future. */
export function nextBase0PersonId(index: number, random: Prng, numActivePeople: number): number {
  const numPeople = lastBase0PersonId(index) + 1;
  const activePeople = min(numPeople, numActivePeople);
  return numPeople - activePeople + random.nextInt(activePeople + PERSON_ID_LEAD);
}

/** A random in-flight auction (0-based), possibly slightly in the future. */
export function nextBase0AuctionId(index: number, random: Prng, numInFlightAuctions: number): number {
  const maxAuction = max(lastBase0AuctionId(index), 0);
  const minAuction = max(maxAuction - numInFlightAuctions, 0);
  return minAuction + random.nextInt(maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
}
