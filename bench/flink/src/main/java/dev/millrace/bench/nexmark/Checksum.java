package dev.millrace.bench.nexmark;

/** Port of runtime/connectors/nexmark/checksum.ts: canonical lines and FNV-1a over them. */
public final class Checksum {
  private Checksum() {}

  public static String canonicalLine(Event event) {
    switch (event.type) {
      case Event.PERSON: {
        Person p = event.person;
        return "P|" + p.id + "|" + p.name + "|" + p.emailAddress + "|" + p.creditCard + "|" + p.city + "|" + p.state + "|" + p.dateTime + "|" + p.extra;
      }
      case Event.AUCTION: {
        Auction a = event.auction;
        return "A|" + a.id + "|" + a.itemName + "|" + a.description + "|" + a.initialBid + "|" + a.reserve + "|" + a.dateTime + "|" + a.expires + "|" + a.seller + "|" + a.category + "|" + a.extra;
      }
      default: {
        Bid b = event.bid;
        return "B|" + b.auction + "|" + b.bidder + "|" + b.price + "|" + b.channel + "|" + b.url + "|" + b.dateTime + "|" + b.extra;
      }
    }
  }

  public static String ofFirst(NexmarkConfig config, long count) {
    NexmarkGenerator generator = new NexmarkGenerator(config);
    int hash = 0x811c9dc5;
    for (long i = 0; i < count; i++) {
      String line = canonicalLine(generator.eventAt(i));
      for (int c = 0; c < line.length(); c++) hash = (hash ^ line.charAt(c)) * 0x01000193;
      hash = (hash ^ 10) * 0x01000193;
    }
    return String.format("%08x", hash);
  }
}
