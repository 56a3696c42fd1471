package dev.millrace.bench;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Keeps the task-level numRecordsIn counters of every task that is not a source: the records
 * tasks read from their input gates, i.e. records that left another task over a channel (Flink
 * encodes every such record, also between tasks of one JVM). Read by the benchmark's probe, as
 * Millrace's non-source tasks' recordsIn are. Registered through META-INF/services and
 * `metrics.reporter.channels.factory.class` (NexmarkBench).
 */
public final class ChannelRecordsReporter implements MetricReporter, MetricReporterFactory {
  static final List<Counter> COUNTERS = new CopyOnWriteArrayList<>();

  public static long total() {
    long sum = 0;
    for (Counter c : COUNTERS) sum += c.getCount();
    return sum;
  }

  @Override
  public MetricReporter createMetricReporter(Properties properties) {
    return this;
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    if (!"numRecordsIn".equals(name) || !(metric instanceof Counter)) return;
    Map<String, String> vars = group.getAllVariables();
    // task scope (no operator), and not a source task
    if (!vars.containsKey("<task_name>") || vars.containsKey("<operator_name>")) return;
    if (vars.get("<task_name>").startsWith("Source")) return;
    COUNTERS.add((Counter) metric);
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    // counters stay readable after their task ends (a run is measured while it runs)
  }
}
