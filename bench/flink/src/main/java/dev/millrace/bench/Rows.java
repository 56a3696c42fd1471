package dev.millrace.bench;

import dev.millrace.bench.nexmark.Bid;

/** Output rows of the queries (Flink POJOs), with the field names of examples/nexmark/README.md. */
public final class Rows {
  private Rows() {}

  public static class Q1Row {
    public long auction;
    public long bidder;
    public long price;
    public long dateTime;
    public String extra;

    public Q1Row() {}

    public Q1Row(long auction, long bidder, long price, long dateTime, String extra) {
      this.auction = auction;
      this.bidder = bidder;
      this.price = price;
      this.dateTime = dateTime;
      this.extra = extra;
    }
  }

  public static class Q2Row {
    public long auction;
    public long price;

    public Q2Row() {}

    public Q2Row(long auction, long price) {
      this.auction = auction;
      this.price = price;
    }
  }

  public static class Q3Row {
    public String name;
    public String city;
    public String state;
    public long id;

    public Q3Row() {}

    public Q3Row(String name, String city, String state, long id) {
      this.name = name;
      this.city = city;
      this.state = state;
      this.id = id;
    }
  }

  public static class Q5Row {
    public long windowStart;
    public long windowEnd;
    public long auction;
    public long num;

    public Q5Row() {}

    public Q5Row(long windowStart, long windowEnd, long auction, long num) {
      this.windowStart = windowStart;
      this.windowEnd = windowEnd;
      this.auction = auction;
      this.num = num;
    }
  }

  public static class Q7Row {
    public long windowStart;
    public long windowEnd;
    public long auction;
    public long bidder;
    public long price;
    public long dateTime;

    public Q7Row() {}

    public Q7Row(long windowStart, long windowEnd, long auction, long bidder, long price, long dateTime) {
      this.windowStart = windowStart;
      this.windowEnd = windowEnd;
      this.auction = auction;
      this.bidder = bidder;
      this.price = price;
      this.dateTime = dateTime;
    }
  }

  public static class Q8Row {
    public long id;
    public String name;
    public long windowStart;
    public long windowEnd;

    public Q8Row() {}

    public Q8Row(long id, String name, long windowStart, long windowEnd) {
      this.id = id;
      this.name = name;
      this.windowStart = windowStart;
      this.windowEnd = windowEnd;
    }
  }

  /** JSON of a row, for the verification runs that compare with the TypeScript references. */
  static String toJson(Object row) {
    if (row instanceof Bid b) {
      return "{\"kind\":\"bid\",\"auction\":" + b.auction + ",\"bidder\":" + b.bidder + ",\"price\":" + b.price
          + ",\"channel\":" + str(b.channel) + ",\"url\":" + str(b.url) + ",\"dateTime\":" + b.dateTime + ",\"extra\":" + str(b.extra) + "}";
    }
    if (row instanceof Q1Row r) {
      return "{\"auction\":" + r.auction + ",\"bidder\":" + r.bidder + ",\"price\":" + r.price + ",\"dateTime\":" + r.dateTime + ",\"extra\":" + str(r.extra) + "}";
    }
    if (row instanceof Q2Row r) return "{\"auction\":" + r.auction + ",\"price\":" + r.price + "}";
    if (row instanceof Q3Row r) {
      return "{\"name\":" + str(r.name) + ",\"city\":" + str(r.city) + ",\"state\":" + str(r.state) + ",\"id\":" + r.id + "}";
    }
    if (row instanceof Q5Row r) {
      return "{\"windowStart\":" + r.windowStart + ",\"windowEnd\":" + r.windowEnd + ",\"auction\":" + r.auction + ",\"num\":" + r.num + "}";
    }
    if (row instanceof Q7Row r) {
      return "{\"windowStart\":" + r.windowStart + ",\"windowEnd\":" + r.windowEnd + ",\"auction\":" + r.auction + ",\"bidder\":" + r.bidder
          + ",\"price\":" + r.price + ",\"dateTime\":" + r.dateTime + "}";
    }
    if (row instanceof Q8Row r) {
      return "{\"id\":" + r.id + ",\"name\":" + str(r.name) + ",\"windowStart\":" + r.windowStart + ",\"windowEnd\":" + r.windowEnd + "}";
    }
    throw new IllegalArgumentException("no JSON form for " + row.getClass());
  }

  /** Generated text is plain ASCII letters, digits and a few URL characters: only quotes and backslashes need escaping. */
  private static String str(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
