package dev.millrace.bench.nexmark;

import java.io.Serializable;

/** Port of runtime/connectors/nexmark/config.ts (same defaults). */
public class NexmarkConfig implements Serializable {
  public int seed = 42;
  /** Events of a bounded run; negative = unbounded. */
  public long events = -1;
  public long eventsPerSecond = 10_000;
  public long baseTimeMs = 1_735_689_600_000L; // 2025-01-01T00:00:00Z
  public int hotAuctionRatio = 2;
  public int hotSellersRatio = 4;
  public int hotBiddersRatio = 4;
  public int numActivePeople = 1000;
  public int numInFlightAuctions = 100;
  public int avgPersonByteSize = 200;
  public int avgAuctionByteSize = 500;
  public int avgBidByteSize = 100;
}
