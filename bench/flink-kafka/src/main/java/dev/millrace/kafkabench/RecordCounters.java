package dev.millrace.kafkabench;

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
 * Keeps Flink's own record counters for the benchmark's probe: the numRecordsOut counter of every
 * source operator (records the Kafka source emitted into the job: the events of a window), and the
 * task-level numRecordsIn counters of tasks that are not sources (records read from channels, as
 * bench/flink's ChannelRecordsReporter). Registered through META-INF/services and
 * `metrics.reporter.counters.factory.class` (KafkaSqlBench).
 */
public final class RecordCounters implements MetricReporter, MetricReporterFactory {
  static final List<Counter> SOURCE_OUT = new CopyOnWriteArrayList<>();
  static final List<Counter> CHANNEL_IN = new CopyOnWriteArrayList<>();

  static long sum(List<Counter> counters) {
    long total = 0;
    for (Counter c : counters) total += c.getCount();
    return total;
  }

  public static long sourceRecords() {
    return sum(SOURCE_OUT);
  }

  public static long channelRecords() {
    return sum(CHANNEL_IN);
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
    if (!(metric instanceof Counter)) return;
    Map<String, String> vars = group.getAllVariables();
    String operator = vars.get("<operator_name>");
    String task = vars.get("<task_name>");
    if (task == null) return;
    if (operator != null) {
      // operator scope: a source operator's output (the table scan "Source: <table>[n]")
      if ("numRecordsOut".equals(name) && operator.startsWith("Source")) SOURCE_OUT.add((Counter) metric);
    } else if ("numRecordsIn".equals(name) && !task.startsWith("Source")) {
      CHANNEL_IN.add((Counter) metric);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    // counters stay readable after their task ends (the verification run reads them at the end)
  }
}
