// `'connector' = 'nexmark'`: the Nexmark generator as the table of the Nexmark project's
// ddl_gen.sql (`datagen`: event_type INT, person ROW<...>, auction ROW<...>, bid ROW<...>), with
// that project's options. The event time of each row is the generator's, so a WATERMARK on the
// computed `dateTime` column sees the same times Flink's Nexmark source produces.

import { z } from 'zod';
import { T, type RowField } from '../../sql/types/data-type.ts';
import { defineConnector } from '../factory/connector.ts';
import { ConnectorError } from '../factory/errors.ts';
import { booleanOption, durationOption, enumOption, intOption, memoryOption, stringOption } from '../factory/options.ts';
import { insertRow, type ChangelogRow } from '../factory/row.ts';
import { parseTimestamp } from '../factory/temporal.ts';
import { nexmarkSource } from '../nexmark-source.ts';
import type { NexmarkConfig, NexmarkEvent } from '../nexmark/index.ts';
import { mapSource } from './map-source.ts';

const field = (name: string, type: ReturnType<typeof T.bigint>): RowField => ({ name, type });

/** The columns of ddl_gen.sql's `datagen` table, in order. */
export const NEXMARK_COLUMNS: readonly RowField[] = [
  field('event_type', T.int()),
  field('person', T.row([
    field('id', T.bigint()), field('name', T.string()), field('emailAddress', T.string()), field('creditCard', T.string()),
    field('city', T.string()), field('state', T.string()), field('dateTime', T.timestamp(3)), field('extra', T.string()),
  ])),
  field('auction', T.row([
    field('id', T.bigint()), field('itemName', T.string()), field('description', T.string()), field('initialBid', T.bigint()),
    field('reserve', T.bigint()), field('dateTime', T.timestamp(3)), field('expires', T.timestamp(3)), field('seller', T.bigint()),
    field('category', T.bigint()), field('extra', T.string()),
  ])),
  field('bid', T.row([
    field('auction', T.bigint()), field('bidder', T.bigint()), field('price', T.bigint()), field('channel', T.string()),
    field('url', T.string()), field('dateTime', T.timestamp(3)), field('extra', T.string()),
  ])),
];

/** event_type as ddl_views.sql reads it: 0 person, 1 auction, 2 bid. */
export function nexmarkEventToRow(e: NexmarkEvent): ChangelogRow {
  switch (e.kind) {
    case 'person':
      return insertRow([0, [e.id, e.name, e.emailAddress, e.creditCard, e.city, e.state, e.dateTime, e.extra], null, null]);
    case 'auction':
      return insertRow([1, null, [e.id, e.itemName, e.description, e.initialBid, e.reserve, e.dateTime, e.expires, e.seller, e.category, e.extra], null]);
    case 'bid':
      return insertRow([2, null, null, [e.auction, e.bidder, e.price, e.channel, e.url, e.dateTime, e.extra]]);
  }
}

const options = z.object({
  // the Nexmark project's options (NexmarkSourceOptions), same names and defaults
  'first-event.rate': intOption(1).default(10_000),
  /** Flink's default is 10000 too; absent, it follows first-event.rate (one constant rate) */
  'next-event.rate': intOption(1).optional(),
  'rate.shape': enumOption(['SQUARE', 'SINE']).default('SQUARE'),
  'rate.period': durationOption().default(600_000),
  'rate.limited': booleanOption().default(false),
  'events.num': intOption(0).default(0),
  'person.proportion': intOption(0).default(1),
  'auction.proportion': intOption(0).default(3),
  'bid.proportion': intOption(0).default(46),
  'person.avg-size': memoryOption().default(200),
  'auction.avg-size': memoryOption().default(500),
  'bid.avg-size': memoryOption().default(100),
  'bid.hot-ratio.auctions': intOption(1).default(2),
  'bid.hot-ratio.bidders': intOption(1).default(4),
  'auction.hot-ratio.sellers': intOption(1).default(4),
  'keep-alive': booleanOption().default(false),
  'stop-at': intOption(-1).default(-1),
  'max-emit-speed': booleanOption().default(true),
  // Millrace's: the generator is deterministic per seed and starts at a fixed event time
  seed: intOption(-0x80000000, 0xffffffff).default(42),
  'base-time': stringOption().optional(),
});

type NexmarkOptions = z.infer<typeof options>;

/** The generator configuration the options describe (throws ConnectorError for what it cannot do). */
export function nexmarkConfigOf(table: string, o: NexmarkOptions): Partial<NexmarkConfig> {
  const refuse = (text: string): never => {
    throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}' (connector 'nexmark'): ${text}`);
  };
  if (o['next-event.rate'] !== undefined && o['next-event.rate'] !== o['first-event.rate']) refuse(`'next-event.rate' must equal 'first-event.rate' (${o['first-event.rate']}): Millrace's generator has one constant rate`);
  if (o['person.proportion'] !== 1 || o['auction.proportion'] !== 3 || o['bid.proportion'] !== 46) {
    refuse(`the generator produces the Nexmark proportions person:auction:bid = 1:3:46; remove 'person.proportion', 'auction.proportion' and 'bid.proportion' or set them to 1, 3 and 46`);
  }
  let baseTimeMs: number | undefined;
  if (o['base-time'] !== undefined) {
    baseTimeMs = /^\d+$/.test(o['base-time']) ? Number(o['base-time']) : parseTimestamp(o['base-time']);
    if (baseTimeMs === undefined) refuse(`option 'base-time': expected epoch milliseconds or 'yyyy-MM-dd HH:mm:ss', got '${o['base-time']}'`);
  }
  const stopAt = o['stop-at'] >= 0 ? o['stop-at'] : undefined;
  const events = o['events.num'] > 0 ? o['events.num'] : stopAt;
  return {
    seed: o.seed,
    events: events ?? null,
    eventsPerSecond: o['first-event.rate'],
    rateLimit: o['rate.limited'] ? o['first-event.rate'] : null,
    hotAuctionRatio: o['bid.hot-ratio.auctions'],
    hotBiddersRatio: o['bid.hot-ratio.bidders'],
    hotSellersRatio: o['auction.hot-ratio.sellers'],
    avgPersonByteSize: Math.max(1, o['person.avg-size']),
    avgAuctionByteSize: Math.max(1, o['auction.avg-size']),
    avgBidByteSize: Math.max(1, o['bid.avg-size']),
    ...(baseTimeMs !== undefined ? { baseTimeMs } : {}),
  };
}

export const nexmarkConnector = defineConnector({
  name: 'nexmark',
  description: 'the Nexmark auction generator as the table of ddl_gen.sql (source)',
  options,
  check(ctx) {
    const names = ctx.table.columns.map((c) => c.name);
    const expected = NEXMARK_COLUMNS.map((c) => c.name);
    if (names.join() !== expected.join()) {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table.name}' (connector 'nexmark'): the physical columns must be ${expected.join(', ')} as in the Nexmark project's ddl_gen.sql, got ${names.join(', ')}`);
    }
    nexmarkConfigOf(ctx.table.name, ctx.options);
  },
  source: (ctx) => {
    const config = nexmarkConfigOf(ctx.table.name, ctx.options);
    return {
      bounded: config.events !== null,
      changelogMode: 'insert-only',
      createSource: () => mapSource(nexmarkSource(config), `nexmark:${ctx.table.name}`, nexmarkEventToRow),
    };
  },
});
