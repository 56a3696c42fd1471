package dev.millrace.bench.nexmark;

/**
 * Port of runtime/connectors/nexmark/generator.ts and ids.ts: event {@code index} is a pure
 * function of (config, index), draw for draw the same as the TypeScript generator.
 * Not thread-safe: one instance per source subtask.
 */
public final class NexmarkGenerator {
  static final int PERSON_PROPORTION = 1;
  static final int AUCTION_PROPORTION = 3;
  static final int TOTAL_PROPORTION = 50;
  static final long FIRST_PERSON_ID = 1000;
  static final long FIRST_AUCTION_ID = 1000;
  static final long FIRST_CATEGORY_ID = 10;
  static final int NUM_CATEGORIES = 5;
  static final int PERSON_ID_LEAD = 10;
  static final int AUCTION_ID_LEAD = 10;
  static final long HOT_ID_GRANULARITY = 100;
  private static final long[] POWERS_OF_TEN = {1, 10, 100, 1000, 10_000, 100_000};

  private final NexmarkConfig config;
  private final Prng random = new Prng();
  private final long eventsForAuctions;

  public NexmarkGenerator(NexmarkConfig config) {
    this.config = config;
    this.eventsForAuctions = ((long) config.numInFlightAuctions * TOTAL_PROPORTION) / AUCTION_PROPORTION;
  }

  public long timestampAt(long index) {
    return config.baseTimeMs + (index * 1000L) / config.eventsPerSecond;
  }

  public Event eventAt(long index) {
    random.reseed(Prng.eventSeed(config.seed, index));
    long dateTime = timestampAt(index);
    long offset = index % TOTAL_PROPORTION;
    if (offset < PERSON_PROPORTION) return Event.of(person(index, dateTime));
    if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) return Event.of(auction(index, dateTime));
    return Event.of(bid(index, dateTime));
  }

  static long lastBase0PersonId(long index) {
    long epoch = index / TOTAL_PROPORTION;
    long offset = index % TOTAL_PROPORTION;
    if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
    return epoch * PERSON_PROPORTION + offset;
  }

  static long lastBase0AuctionId(long index) {
    long epoch = index / TOTAL_PROPORTION;
    long offset = index % TOTAL_PROPORTION;
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

  private long nextBase0PersonId(long index) {
    long numPeople = lastBase0PersonId(index) + 1;
    long activePeople = Math.min(numPeople, config.numActivePeople);
    return numPeople - activePeople + random.nextInt(activePeople + PERSON_ID_LEAD);
  }

  private long nextBase0AuctionId(long index) {
    long maxAuction = Math.max(lastBase0AuctionId(index), 0);
    long minAuction = Math.max(maxAuction - config.numInFlightAuctions, 0);
    return minAuction + random.nextInt(maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
  }

  private long nextPrice() {
    long decade = POWERS_OF_TEN[random.nextInt(6)];
    long mantissa = 1000 + random.nextInt(9000);
    return (mantissa * decade) / 10;
  }

  private Person person(long index, long dateTime) {
    long id = lastBase0PersonId(index) + FIRST_PERSON_ID;
    String name = Texts.FIRST_NAMES[random.nextInt(Texts.FIRST_NAMES.length)] + " " + Texts.LAST_NAMES[random.nextInt(Texts.LAST_NAMES.length)];
    String email = Texts.nextString(random, 7) + "@" + Texts.nextString(random, 5) + ".com";
    String creditCard = Texts.nextCreditCard(random);
    String city = Texts.US_CITIES[random.nextInt(Texts.US_CITIES.length)];
    String state = Texts.US_STATES[random.nextInt(Texts.US_STATES.length)];
    int size = 8 + name.length() + email.length() + creditCard.length() + city.length() + state.length();
    String extra = Texts.nextExtra(random, size, config.avgPersonByteSize);
    return new Person(id, name, email, creditCard, city, state, dateTime, extra);
  }

  private Auction auction(long index, long dateTime) {
    long id = lastBase0AuctionId(index) + FIRST_AUCTION_ID;
    long seller = FIRST_PERSON_ID + (random.nextInt(config.hotSellersRatio) > 0
        ? (lastBase0PersonId(index) / HOT_ID_GRANULARITY) * HOT_ID_GRANULARITY
        : nextBase0PersonId(index));
    long category = FIRST_CATEGORY_ID + random.nextInt(NUM_CATEGORIES);
    long initialBid = nextPrice();
    long horizonMs = timestampAt(index + eventsForAuctions) - dateTime;
    long expires = dateTime + 1 + random.nextInt(Math.max(horizonMs * 2, 1));
    String itemName = Texts.nextString(random, 20);
    String description = Texts.nextString(random, 100);
    long reserve = initialBid + nextPrice();
    int size = 8 + itemName.length() + description.length() + 8 + 8 + 8 + 8 + 8;
    String extra = Texts.nextExtra(random, size, config.avgAuctionByteSize);
    return new Auction(id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra);
  }

  private Bid bid(long index, long dateTime) {
    long auction = FIRST_AUCTION_ID + (random.nextInt(config.hotAuctionRatio) > 0
        ? (lastBase0AuctionId(index) / HOT_ID_GRANULARITY) * HOT_ID_GRANULARITY
        : nextBase0AuctionId(index));
    long bidder = FIRST_PERSON_ID + (random.nextInt(config.hotBiddersRatio) > 0
        ? (lastBase0PersonId(index) / HOT_ID_GRANULARITY) * HOT_ID_GRANULARITY + 1
        : nextBase0PersonId(index));
    long price = nextPrice();
    String channel;
    String url;
    if (random.nextInt(2) > 0) {
      int hot = random.nextInt(Texts.HOT_CHANNELS.length);
      channel = Texts.HOT_CHANNELS[hot];
      url = Texts.HOT_URLS[hot];
    } else {
      int number = random.nextInt(Texts.CHANNELS_NUMBER);
      channel = Texts.CHANNEL_NAMES[number];
      url = Texts.CHANNEL_URLS[number];
    }
    String extra = Texts.nextExtra(random, 8 + 8 + 8 + 8, config.avgBidByteSize);
    return new Bid(auction, bidder, price, channel, url, dateTime, extra);
  }

  public static long subtaskEventCount(int subtask, int parallelism, long events) {
    return subtask >= events ? 0 : (events - subtask - 1) / parallelism + 1;
  }
}
