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
import org.apache.flink.api.common.functions.CoGroupFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
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
      case "q7": return q7(events, options.q7WindowSizeMs);
      case "q8": return q8(events, options.q8WindowSizeMs);
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

  // ---- q7: per tumbling window, the highest bids (pre-aggregated per auction, then per window)

  static DataStream<Q7Row> q7(DataStream<Event> events, long sizeMs) {
    return bids(events)
        .keyBy(b -> b.auction)
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

  // ---- q8: people who opened an auction in the tumbling window in which they registered

  static DataStream<Q8Row> q8(DataStream<Event> events, long sizeMs) {
    return persons(events)
        .coGroup(auctions(events))
        .where(p -> p.id)
        .equalTo(a -> a.seller)
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(sizeMs)))
        .apply(new NewSellers(), TypeInformation.of(Q8Row.class))
        .process(new StampWindow(sizeMs))
        .returns(Q8Row.class);
  }

  static final class NewSellers implements CoGroupFunction<Person, Auction, Q8Row> {
    @Override
    public void coGroup(Iterable<Person> people, Iterable<Auction> auctions, Collector<Q8Row> out) {
      if (!auctions.iterator().hasNext()) return;
      for (Person person : people) out.collect(new Q8Row(person.id, person.name, 0, 0));
    }
  }

  /** A window result carries timestamp windowEnd - 1; the co-group function cannot see its window. */
  static final class StampWindow extends ProcessFunction<Q8Row, Q8Row> {
    private final long sizeMs;

    StampWindow(long sizeMs) {
      this.sizeMs = sizeMs;
    }

    @Override
    public void processElement(Q8Row row, Context ctx, Collector<Q8Row> out) {
      row.windowEnd = ctx.timestamp() + 1;
      row.windowStart = row.windowEnd - sizeMs;
      out.collect(row);
    }
  }
}
