package dev.millrace.bench.nexmark;

/** A Nexmark bid (a Flink POJO). */
public class Bid {
  public long auction;
  public long bidder;
  public long price;
  public String channel;
  public String url;
  public long dateTime;
  public String extra;

  public Bid() {}

  public Bid(long auction, long bidder, long price, String channel, String url, long dateTime, String extra) {
    this.auction = auction;
    this.bidder = bidder;
    this.price = price;
    this.channel = channel;
    this.url = url;
    this.dateTime = dateTime;
    this.extra = extra;
  }
}
