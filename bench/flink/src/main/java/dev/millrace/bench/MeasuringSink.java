package dev.millrace.bench;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.sink.RichSinkFunction;

/**
 * Blackhole sink that counts records and, when asked, measures end-to-end latency and keeps
 * the rows (small verification runs only). Latency of a record = arrival time minus the wall
 * time at which the source emitted the event that made the record final: the record's
 * timestamp (the event's time, or window end - 1 for window results) mapped to wall time by
 * the rate-limited schedule start + (timestamp - baseTime).
 */
public class MeasuringSink<T> extends RichSinkFunction<T> {
  private final boolean measureLatency;
  private final boolean collect;
  private final long baseTimeMs;
  private final long warmupMs;
  private transient long count;
  private transient long[] histogram;

  /** Records whose due time falls in the first {@code warmupMs} of the run are not measured (JIT warm-up). */
  public MeasuringSink(boolean measureLatency, boolean collect, long baseTimeMs, long warmupMs) {
    this.measureLatency = measureLatency;
    this.collect = collect;
    this.baseTimeMs = baseTimeMs;
    this.warmupMs = warmupMs;
  }

  @Override
  public void open(Configuration parameters) {
    count = 0;
    histogram = measureLatency ? new long[Measurements.LATENCY_BUCKETS] : null;
  }

  @Override
  public void invoke(T value, Context context) {
    count++;
    if (histogram != null) {
      Long timestamp = context.timestamp();
      if (timestamp != null && timestamp - baseTimeMs >= warmupMs) {
        long due = Measurements.startWallMs.get() + (timestamp - baseTimeMs);
        long latencyMs = Math.max(0, System.currentTimeMillis() - due);
        histogram[(int) Math.min(latencyMs, Measurements.LATENCY_BUCKETS - 1)]++;
      }
    }
    if (collect) Measurements.collected.add(Rows.toJson(value));
  }

  @Override
  public void close() {
    Measurements.markSinkClosed(count, histogram);
  }
}
