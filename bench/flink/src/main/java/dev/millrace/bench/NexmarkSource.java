package dev.millrace.bench;

import dev.millrace.bench.nexmark.Event;
import dev.millrace.bench.nexmark.NexmarkConfig;
import dev.millrace.bench.nexmark.NexmarkGenerator;
import org.apache.flink.streaming.api.functions.source.RichParallelSourceFunction;

/**
 * Parallel Nexmark source: subtask s of p emits indices s, s+p, s+2p, ... in order (as the
 * Millrace source does). With a rate limit, index i is due at start + i/rate seconds, so with
 * eventsPerSecond == rate event time runs at wall-clock speed.
 */
public class NexmarkSource extends RichParallelSourceFunction<Event> {
  private final NexmarkConfig config;
  private final double rate;
  private volatile boolean running = true;

  public NexmarkSource(NexmarkConfig config, double rate) {
    this.config = config;
    this.rate = rate;
  }

  @Override
  @SuppressWarnings("deprecation")
  public void run(SourceContext<Event> ctx) throws Exception {
    int subtask = getRuntimeContext().getIndexOfThisSubtask();
    int parallelism = getRuntimeContext().getNumberOfParallelSubtasks();
    // events <= 0: unbounded (the benchmark measures a time window and then stops the JVM)
    long count = config.events > 0 ? NexmarkGenerator.subtaskEventCount(subtask, parallelism, config.events) : Long.MAX_VALUE;
    NexmarkGenerator generator = new NexmarkGenerator(config);
    Measurements.markStart();
    long startNanos = Measurements.startNanos.get();
    Object lock = ctx.getCheckpointLock();
    for (long k = 0; k < count && running; k++) {
      long index = subtask + k * parallelism;
      if (rate > 0) {
        long waitNanos = startNanos + (long) (index * 1e9 / rate) - System.nanoTime();
        if (waitNanos > 500_000) Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
      }
      Event event = generator.eventAt(index);
      synchronized (lock) {
        ctx.collect(event);
      }
      // published every 1024 events for the benchmark's probe (at most 1024 behind per subtask)
      if ((k & 1023) == 1023) Measurements.emitted.lazySet(subtask, k + 1);
    }
  }

  @Override
  public void cancel() {
    running = false;
  }
}
