package dev.millrace.bench;

import dev.millrace.bench.Rows.Q1Row;
import dev.millrace.bench.Rows.Q2Row;
import dev.millrace.bench.Rows.Q3Row;
import dev.millrace.bench.Rows.Q5Row;
import dev.millrace.bench.Rows.Q7Row;
import dev.millrace.bench.Rows.Q8Row;
import dev.millrace.bench.nexmark.Auction;
import dev.millrace.bench.nexmark.Bid;
import dev.millrace.bench.nexmark.Event;
import dev.millrace.bench.nexmark.Person;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;

/** q0, q1, q2, q3, q5, q7, q8 as DataStream pipelines, with the semantics of examples/nexmark/README.md. */
final class Queries {
  private Queries() {}

  static final class Options {
    long q5WindowSizeMs = 10_000;
    long q5SlideMs = 2_000;
    long q7WindowSizeMs = 10_000;
    long q8WindowSizeMs = 10_000;
    long q2AuctionModulus = 123;
    long q7Buckets = 128;
    long q8CleanupSpreadMs = 1000;
  }

  /**
   * What this peer runs per query, in the words examples/nexmark/*.ts use for Millrace's jobs
   * (their exported `plan`): `logical` is compared between the systems (equal lists = same logical
   * plan), `implementation` says how this engine carries each step out. Keep it next to the code
   * below: change one, change the other.
   */
  static String[][] plan(String query, Options o) {
    switch (query) {
      case "q0": return new String[][] {{"bids", "pass-through"}, {"filter and map chained to the source"}};
      case "q1": return new String[][] {{"bids", "map: price in euros"}, {"filter and map chained to the source"}};
      case "q2": return new String[][] {{"bids", "filter: auction % " + o.q2AuctionModulus + " == 0", "map: (auction, price)"}, {"filter and map chained to the source"}};
      case "q3": return new String[][] {
          {"persons in OR/ID/CA and category-10 auctions", "key by person id = seller", "unbounded join in keyed state (value: person, list: waiting auctions), emit on match"},
          {"two filter+map branches chained to the source", "KeyedCoProcessFunction, heap state"}};
      case "q5": return new String[][] {
          {"bids", "map: auction id only", "key by auction", "sliding window " + o.q5WindowSizeMs + " ms / " + o.q5SlideMs + " ms: count", "per subtask and window: the best auctions, sent when the window fires (local-global)", "key by window start", "max per window, emitted at window end"},
          {"WindowOperator, heap state: one accumulator per (auction, window), " + (o.q5WindowSizeMs / o.q5SlideMs) + " updates per bid", "chained LocalMaxPerWindow keeps the best rows of the fired windows until the watermark"}};
      case "q7": return new String[][] {
          {"bids", "key by auction % " + o.q7Buckets, "tumbling window " + o.q7WindowSizeMs + " ms: highest-price bids (aggregate)", "key by window start", "max per window, emitted at window end"},
          {"WindowOperator, heap state: one accumulator per (bucket, window)"}};
      case "q8": return new String[][] {
          {"persons and auctions", "key by person id = seller", "per person and tumbling window " + o.q8WindowSizeMs + " ms in keyed state: name and sold flag; a row as soon as both are known", "clearing timers spread over " + o.q8CleanupSpreadMs + " ms after the window end"},
          {"two filter+map branches chained to the source", "KeyedCoProcessFunction, heap state (one list per person)"}};
      default: throw new IllegalArgumentException("unknown query " + query + " (expected q0, q1, q2, q3, q5, q7 or q8)");
    }
  }

  static DataStream<?> build(String query, DataStream<Event> events, Options options) {
    switch (query) {
      case "q0": return bids(events);
      case "q1": return bids(events).map(b -> new Q1Row(b.auction, b.bidder, (b.price * 908) / 1000, b.dateTime, b.extra)).returns(Q1Row.class);
      case "q2": {
        long modulus = options.q2AuctionModulus;
        return events.filter(e -> e.type == Event.BID && e.bid.auction % modulus == 0).map(e -> new Q2Row(e.bid.auction, e.bid.price)).returns(Q2Row.class);
      }
      case "q3": return q3(events);
      case "q5": return q5(events, options.q5WindowSizeMs, options.q5SlideMs);
      case "q7": return q7(events, options.q7WindowSizeMs, options.q7Buckets);
      case "q8": return q8(events, options.q8WindowSizeMs, options.q8CleanupSpreadMs);
      default: throw new IllegalArgumentException("unknown query " + query + " (expected q0, q1, q2, q3, q5, q7 or q8)");
    }
  }

  static DataStream<Bid> bids(DataStream<Event> events) {
    return events.filter(e -> e.type == Event.BID).map(e -> e.bid).returns(Bid.class);
  }

  static DataStream<Person> persons(DataStream<Event> events) {
    return events.filter(e -> e.type == Event.PERSON).map(e -> e.person).returns(Person.class);
  }

  static DataStream<Auction> auctions(DataStream<Event> events) {
    return events.filter(e -> e.type == Event.AUCTION).map(e -> e.auction).returns(Auction.class);
  }

  // ---- q3: unbounded keyed join of category-10 auctions with sellers in OR, ID, CA

  static DataStream<Q3Row> q3(DataStream<Event> events) {
    DataStream<Person> sellers = persons(events).filter(p -> p.state.equals("OR") || p.state.equals("ID") || p.state.equals("CA"));
    DataStream<Auction> category10 = auctions(events).filter(a -> a.category == 10);
    return sellers.keyBy(p -> p.id).connect(category10.keyBy(a -> a.seller)).process(new LocalItemJoin()).returns(Q3Row.class);
  }

  static final class LocalItemJoin extends KeyedCoProcessFunction<Long, Person, Auction, Q3Row> {
    private transient ValueState<Person> seller;
    private transient ListState<Auction> waiting;

    @Override
    public void open(Configuration parameters) {
      seller = getRuntimeContext().getState(new ValueStateDescriptor<>("seller", Person.class));
      waiting = getRuntimeContext().getListState(new ListStateDescriptor<>("waiting", Auction.class));
    }

    @Override
    public void processElement1(Person person, Context ctx, Collector<Q3Row> out) throws Exception {
      seller.update(person);
      for (Auction auction : waiting.get()) out.collect(new Q3Row(person.name, person.city, person.state, auction.id));
      waiting.clear();
    }

    @Override
    public void processElement2(Auction auction, Context ctx, Collector<Q3Row> out) throws Exception {
      Person person = seller.value();
      if (person != null) out.collect(new Q3Row(person.name, person.city, person.state, auction.id));
      else waiting.add(auction);
    }
  }

  // ---- q5: per sliding window, the auctions with the most bids
  // The same plan as examples/nexmark/q5.ts: only the auction id is shuffled, and each counting
  // subtask passes on only its best auctions per window (local-global), then one keyed stage per
  // window picks the overall maximum.

  static DataStream<Q5Row> q5(DataStream<Event> events, long sizeMs, long slideMs) {
    return events
        .filter(e -> e.type == Event.BID)
        .map(e -> e.bid.auction).returns(Long.class)
        .keyBy(auction -> auction)
        .window(SlidingEventTimeWindows.of(Duration.ofMillis(sizeMs), Duration.ofMillis(slideMs)))
        .aggregate(new CountBids(), new CountPerWindow())
        .transform("LocalMaxPerWindow", TypeInformation.of(Q5Row.class), new LocalMaxPerWindow())
        .keyBy(row -> row.windowStart)
        .process(new MaxCountPerWindow());
  }

  static final class CountBids implements AggregateFunction<Long, Long, Long> {
    @Override public Long createAccumulator() { return 0L; }
    @Override public Long add(Long auction, Long count) { return count + 1; }
    @Override public Long getResult(Long count) { return count; }
    @Override public Long merge(Long a, Long b) { return a + b; }
  }

  static final class CountPerWindow extends ProcessWindowFunction<Long, Q5Row, Long, TimeWindow> {
    @Override
    public void process(Long auction, Context ctx, Iterable<Long> counts, Collector<Q5Row> out) {
      out.collect(new Q5Row(ctx.window().getStart(), ctx.window().getEnd(), auction, counts.iterator().next()));
    }
  }

  /**
   * Chained after the window operator: per window only this subtask's rows with the highest
   * count go on, when the watermark that fired the window arrives (a window operator fires all
   * of a watermark's timers before forwarding it). Transient: nothing is held across watermarks.
   */
  static final class LocalMaxPerWindow extends AbstractStreamOperator<Q5Row> implements OneInputStreamOperator<Q5Row, Q5Row> {
    private transient Map<Long, List<Q5Row>> best;

    LocalMaxPerWindow() {
      setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
      super.open();
      best = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<Q5Row> record) {
      Q5Row row = record.getValue();
      List<Q5Row> rows = best.get(row.windowEnd);
      if (rows == null) {
        rows = new ArrayList<>();
        best.put(row.windowEnd, rows);
        rows.add(row);
      } else if (row.num > rows.get(0).num) {
        rows.clear();
        rows.add(row);
      } else if (row.num == rows.get(0).num) {
        rows.add(row);
      }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
      Iterator<Map.Entry<Long, List<Q5Row>>> it = best.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Long, List<Q5Row>> window = it.next();
        if (window.getKey() - 1 > mark.getTimestamp()) continue;
        for (Q5Row row : window.getValue()) output.collect(new StreamRecord<>(row, window.getKey() - 1));
        it.remove();
      }
      super.processWatermark(mark);
    }
  }

  /** Keeps the best rows of a window until the watermark passes its end, then emits them. */
  static final class MaxCountPerWindow extends KeyedProcessFunction<Long, Q5Row, Q5Row> {
    private transient ValueState<Long> max;
    private transient ListState<Q5Row> best;

    @Override
    public void open(Configuration parameters) {
      max = getRuntimeContext().getState(new ValueStateDescriptor<>("max", Long.class));
      best = getRuntimeContext().getListState(new ListStateDescriptor<>("best", Q5Row.class));
    }

    @Override
    public void processElement(Q5Row row, Context ctx, Collector<Q5Row> out) throws Exception {
      Long current = max.value();
      if (current == null || row.num > current) {
        max.update(row.num);
        best.clear();
        best.add(row);
        ctx.timerService().registerEventTimeTimer(row.windowEnd - 1);
      } else if (row.num == current) {
        best.add(row);
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Q5Row> out) throws Exception {
      for (Q5Row row : best.get()) out.collect(row);
      best.clear();
      max.clear();
    }
  }

  // ---- q7: per tumbling window, the highest bids (pre-aggregated per bucket of auctions, then
  // per window), keyed as examples/nexmark/q7.ts: auction % buckets

  static DataStream<Q7Row> q7(DataStream<Event> events, long sizeMs, long buckets) {
    return bids(events)
        .keyBy(b -> b.auction % buckets)
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(sizeMs)))
        .aggregate(new HighestBids(), new HighestBidsOfWindow())
        .keyBy(row -> row.windowStart)
        .process(new HighestPerWindow());
  }

  public static final class TopBids {
    public long price = Long.MIN_VALUE;
    public List<Bid> bids = new ArrayList<>();
  }

  static final class HighestBids implements AggregateFunction<Bid, TopBids, TopBids> {
    @Override public TopBids createAccumulator() { return new TopBids(); }

    @Override
    public TopBids add(Bid bid, TopBids top) {
      if (bid.price > top.price) {
        top.price = bid.price;
        top.bids.clear();
        top.bids.add(bid);
      } else if (bid.price == top.price) {
        top.bids.add(bid);
      }
      return top;
    }

    @Override public TopBids getResult(TopBids top) { return top; }

    @Override
    public TopBids merge(TopBids a, TopBids b) {
      for (Bid bid : b.bids) add(bid, a);
      return a;
    }
  }

  static final class HighestBidsOfWindow extends ProcessWindowFunction<TopBids, Q7Row, Long, TimeWindow> {
    @Override
    public void process(Long auction, Context ctx, Iterable<TopBids> tops, Collector<Q7Row> out) {
      for (Bid bid : tops.iterator().next().bids) {
        out.collect(new Q7Row(ctx.window().getStart(), ctx.window().getEnd(), bid.auction, bid.bidder, bid.price, bid.dateTime));
      }
    }
  }

  static final class HighestPerWindow extends KeyedProcessFunction<Long, Q7Row, Q7Row> {
    private transient ValueState<Long> max;
    private transient ListState<Q7Row> best;

    @Override
    public void open(Configuration parameters) {
      max = getRuntimeContext().getState(new ValueStateDescriptor<>("max", Long.class));
      best = getRuntimeContext().getListState(new ListStateDescriptor<>("best", Q7Row.class));
    }

    @Override
    public void processElement(Q7Row row, Context ctx, Collector<Q7Row> out) throws Exception {
      Long current = max.value();
      if (current == null || row.price > current) {
        max.update(row.price);
        best.clear();
        best.add(row);
        ctx.timerService().registerEventTimeTimer(row.windowEnd - 1);
      } else if (row.price == current) {
        best.add(row);
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Q7Row> out) throws Exception {
      for (Q7Row row : best.get()) out.collect(row);
      best.clear();
      max.clear();
    }
  }

  // ---- q8: people who opened an auction in the tumbling window in which they registered.
  // The same plan as examples/nexmark/q8.ts: keyed by person id, per person and window the name
  // (once registered) and whether they sold; a row as soon as both are known; clearing timers
  // spread by person id over cleanupSpreadMs after the window end.

  static DataStream<Q8Row> q8(DataStream<Event> events, long sizeMs, long spreadMs) {
    return persons(events)
        .connect(auctions(events))
        .keyBy(p -> p.id, a -> a.seller)
        .process(new NewSellers(sizeMs, Math.min(sizeMs, spreadMs)))
        .returns(Q8Row.class);
  }

  /** A key's delay of its clearing timers, in [0, spreadMs): the same function as q8.ts's cleanupDelay. */
  static long cleanupDelay(long id, long spreadMs) {
    return spreadMs <= 1 ? 0 : Integer.toUnsignedLong((int) id * 0x9e3779b1) % spreadMs;
  }

  static final class NewSellers extends KeyedCoProcessFunction<Long, Person, Auction, Q8Row> {
    private static final int SOLD = 1;
    private static final int EMITTED = 2;
    private final long size;
    private final long spread;
    /** per open window: windowStart (Long), name (String or null), flags (Integer) */
    private transient ValueState<ArrayList<Object>> windows;

    NewSellers(long size, long spread) {
      this.size = size;
      this.spread = spread;
    }

    @Override
    public void open(Configuration parameters) {
      windows = getRuntimeContext().getState(new ValueStateDescriptor<>("windows", TypeInformation.of(new TypeHint<ArrayList<Object>>() {})));
    }

    private void update(long dateTime, String name, boolean sold, Context ctx, Collector<Q8Row> out) throws Exception {
      long start = dateTime - Math.floorMod(dateTime, size);
      long id = ctx.getCurrentKey();
      ArrayList<Object> ws = windows.value();
      int i = -1;
      if (ws != null) {
        for (int j = 0; j < ws.size(); j += 3) if ((Long) ws.get(j) == start) { i = j; break; }
      }
      if (i < 0) {
        ctx.timerService().registerEventTimeTimer(start + size - 1 + cleanupDelay(id, spread));
        if (ws == null) ws = new ArrayList<>(3);
        i = ws.size();
        ws.add(start);
        ws.add(null);
        ws.add(0);
      }
      if (name != null) ws.set(i + 1, name);
      int flags = (Integer) ws.get(i + 2);
      if (sold) flags |= SOLD;
      if (ws.get(i + 1) != null && (flags & SOLD) != 0 && (flags & EMITTED) == 0) {
        flags |= EMITTED;
        out.collect(new Q8Row(id, (String) ws.get(i + 1), start, start + size));
      }
      ws.set(i + 2, flags);
      windows.update(ws);
    }

    @Override
    public void processElement1(Person p, Context ctx, Collector<Q8Row> out) throws Exception {
      update(p.dateTime, p.name, false, ctx, out);
    }

    @Override
    public void processElement2(Auction a, Context ctx, Collector<Q8Row> out) throws Exception {
      update(a.dateTime, null, true, ctx, out);
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<Q8Row> out) throws Exception {
      long start = t + 1 - size - cleanupDelay(ctx.getCurrentKey(), spread);
      ArrayList<Object> ws = windows.value();
      if (ws == null) return;
      for (int j = 0; j < ws.size(); j += 3) {
        if ((Long) ws.get(j) != start) continue;
        ws.subList(j, j + 3).clear();
        if (ws.isEmpty()) windows.clear();
        else windows.update(ws);
        return;
      }
    }
  }
}
