// The Nexmark data model: an online auction system with people, auctions and bids.
// Field names follow the Nexmark benchmark used by Apache Flink and Apache Beam; times are
// epoch milliseconds (event time) instead of Java Instants.

export interface Person {
  readonly kind: 'person';
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface Auction {
  readonly kind: 'auction';
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

export interface Bid {
  readonly kind: 'bid';
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

/** One generated event; `kind` tells which of the three it is. */
export type NexmarkEvent = Person | Auction | Bid;
