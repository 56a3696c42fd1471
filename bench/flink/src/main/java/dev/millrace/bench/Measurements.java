package dev.millrace.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Figures shared by the sources and sinks of one local (in-JVM) Flink job: the measured window
 * starts when the first source subtask starts emitting and ends when the last sink subtask
 * closes. Static state is fine here because the local environment runs every subtask in this JVM.
 */
final class Measurements {
  /** Latency histogram: 1 ms buckets; the last bucket collects everything slower. */
  static final int LATENCY_BUCKETS = 120_000;

  static final AtomicLong startWallMs = new AtomicLong(0);
  static final AtomicLong startNanos = new AtomicLong(0);
  static volatile long[] cpuAtStartTicks = null;
  static final AtomicLong endWallMs = new AtomicLong(0);
  static volatile long[] cpuAtEndTicks = null;
  static final AtomicLong recordsOut = new AtomicLong(0);
  static final AtomicLongArray latency = new AtomicLongArray(LATENCY_BUCKETS);
  static final ConcurrentLinkedQueue<String> collected = new ConcurrentLinkedQueue<>();
  /** Events emitted per source subtask so far (see NexmarkSource), read by the probe. */
  static final AtomicLongArray emitted = new AtomicLongArray(256);

  static long emittedTotal() {
    long sum = 0;
    for (int i = 0; i < emitted.length(); i++) sum += emitted.get(i);
    return sum;
  }

  private Measurements() {}

  /** Called by every source subtask; the first call fixes the common start. */
  static synchronized void markStart() {
    if (startNanos.get() != 0) return;
    cpuAtStartTicks = processCpuTicks();
    startWallMs.set(System.currentTimeMillis());
    startNanos.set(System.nanoTime());
  }

  static synchronized void markSinkClosed(long count, long[] histogram) {
    recordsOut.addAndGet(count);
    if (histogram != null) {
      for (int i = 0; i < histogram.length; i++) if (histogram[i] != 0) latency.addAndGet(i, histogram[i]);
    }
    endWallMs.set(System.currentTimeMillis());
    cpuAtEndTicks = processCpuTicks();
  }

  /** {user, system} CPU time of this JVM in clock ticks (1/100 s on Linux), from /proc/self/stat. */
  static long[] processCpuTicks() {
    try {
      String stat = new String(Files.readAllBytes(Paths.get("/proc/self/stat")));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ", field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12
      return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  static long latencyPercentileMs(double percentile) {
    long total = 0;
    for (int i = 0; i < LATENCY_BUCKETS; i++) total += latency.get(i);
    if (total == 0) return -1;
    long rank = (long) Math.ceil(percentile * total);
    long seen = 0;
    for (int i = 0; i < LATENCY_BUCKETS; i++) {
      seen += latency.get(i);
      if (seen >= rank) return i;
    }
    return LATENCY_BUCKETS - 1;
  }

  static long latencySamples() {
    long total = 0;
    for (int i = 0; i < LATENCY_BUCKETS; i++) total += latency.get(i);
    return total;
  }
}
