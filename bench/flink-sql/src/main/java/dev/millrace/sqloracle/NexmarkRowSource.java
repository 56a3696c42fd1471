package dev.millrace.sqloracle;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import dev.millrace.bench.nexmark.Auction;
import dev.millrace.bench.nexmark.Bid;
import dev.millrace.bench.nexmark.Event;
import dev.millrace.bench.nexmark.NexmarkConfig;
import dev.millrace.bench.nexmark.NexmarkGenerator;
import dev.millrace.bench.nexmark.Person;
import org.apache.flink.streaming.api.functions.source.RichParallelSourceFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * The rows of ddl_gen.sql's table: subtask s of p emits events s, s+p, s+2p, ... (as Millrace's
 * source and bench/flink's NexmarkSource do), event_type 0 person, 1 auction, 2 bid, the other two
 * ROW columns NULL (runtime/connectors/table/nexmark.ts's nexmarkEventToRow).
 */
@SuppressWarnings("deprecation")
final class NexmarkRowSource extends RichParallelSourceFunction<RowData> {
  private static final long serialVersionUID = 1L;
  /** Events emitted so far by each source subtask of each scan, published every 1024 events, read by SqlBench's probe (one JVM). */
  static final Queue<AtomicLong> EMITTED = new ConcurrentLinkedQueue<>();

  private final NexmarkConfig config;
  private volatile boolean running = true;

  NexmarkRowSource(NexmarkConfig config) {
    this.config = config;
  }

  static long emittedTotal() {
    long sum = 0;
    for (AtomicLong n : EMITTED) sum += n.get();
    return sum;
  }

  @Override
  public void run(SourceContext<RowData> ctx) throws Exception {
    int subtask = getRuntimeContext().getIndexOfThisSubtask();
    int parallelism = getRuntimeContext().getNumberOfParallelSubtasks();
    long count = config.events > 0 ? NexmarkGenerator.subtaskEventCount(subtask, parallelism, config.events) : Long.MAX_VALUE;
    NexmarkGenerator generator = new NexmarkGenerator(config);
    Object lock = ctx.getCheckpointLock();
    AtomicLong emitted = new AtomicLong();
    EMITTED.add(emitted);
    for (long k = 0; k < count && running; k++) {
      RowData row = toRow(generator.eventAt(subtask + k * parallelism));
      synchronized (lock) {
        ctx.collect(row);
      }
      if ((k & 1023) == 1023) emitted.lazySet(k + 1);
    }
  }

  static RowData toRow(Event e) {
    switch (e.type) {
      case Event.PERSON: {
        Person p = e.person;
        return GenericRowData.of(0, GenericRowData.of(p.id, s(p.name), s(p.emailAddress), s(p.creditCard), s(p.city), s(p.state), t(p.dateTime), s(p.extra)), null, null);
      }
      case Event.AUCTION: {
        Auction a = e.auction;
        return GenericRowData.of(1, null, GenericRowData.of(a.id, s(a.itemName), s(a.description), a.initialBid, a.reserve, t(a.dateTime), t(a.expires), a.seller, a.category, s(a.extra)), null);
      }
      default: {
        Bid b = e.bid;
        return GenericRowData.of(2, null, null, GenericRowData.of(b.auction, b.bidder, b.price, s(b.channel), s(b.url), t(b.dateTime), s(b.extra)));
      }
    }
  }

  private static StringData s(String text) {
    return text == null ? null : StringData.fromString(text);
  }

  private static TimestampData t(long epochMillis) {
    return TimestampData.fromEpochMillis(epochMillis);
  }

  @Override
  public void cancel() {
    running = false;
  }
}
