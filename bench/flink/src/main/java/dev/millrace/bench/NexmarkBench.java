package dev.millrace.bench;

import dev.millrace.bench.nexmark.Checksum;
import dev.millrace.bench.nexmark.Event;
import dev.millrace.bench.nexmark.NexmarkConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs one Nexmark query on a local Flink environment (a mini-cluster in this JVM) and writes a
 * JSON summary in the same shape as `millrace run --summary-json`.
 *
 * <pre>
 * java -jar millrace-nexmark-flink.jar --query q5 --events 10000000 --parallelism 2
 *      [--rate EVENTS_PER_S --events-per-second N --latency --latency-warmup-ms MS] [--seed 42]
 *      [--summary-json FILE] [--collect FILE] [--checksum N]
 * </pre>
 */
public final class NexmarkBench {
  private NexmarkBench() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = parse(argv);
    NexmarkConfig config = new NexmarkConfig();
    config.seed = (int) Long.parseLong(args.getOrDefault("seed", "42"));
    config.events = Long.parseLong(args.getOrDefault("events", "1000000"));
    config.eventsPerSecond = Long.parseLong(args.getOrDefault("events-per-second", "10000"));

    if (args.containsKey("checksum")) {
      // cross-check with the TypeScript generator: same seed, same first N events, same checksum
      long n = Long.parseLong(args.get("checksum"));
      System.out.println("{\"seed\":" + config.seed + ",\"events\":" + n + ",\"eventsPerSecond\":" + config.eventsPerSecond
          + ",\"checksum\":\"" + Checksum.ofFirst(config, n) + "\"}");
      return;
    }

    String query = args.getOrDefault("query", "q0");
    int parallelism = Integer.parseInt(args.getOrDefault("parallelism", "2"));
    double rate = Double.parseDouble(args.getOrDefault("rate", "0"));
    boolean latency = args.containsKey("latency");
    String collectFile = args.get("collect");
    Queries.Options options = new Queries.Options();
    options.q5WindowSizeMs = Long.parseLong(args.getOrDefault("q5-window-ms", "10000"));
    options.q5SlideMs = Long.parseLong(args.getOrDefault("q5-slide-ms", "2000"));
    options.q7WindowSizeMs = Long.parseLong(args.getOrDefault("q7-window-ms", "10000"));
    options.q8WindowSizeMs = Long.parseLong(args.getOrDefault("q8-window-ms", "10000"));
    options.q7Buckets = Long.parseLong(args.getOrDefault("q7-buckets", "128"));
    options.q8CleanupSpreadMs = Long.parseLong(args.getOrDefault("q8-cleanup-spread-ms", "1000"));

    Configuration flinkConfig = new Configuration();
    if (args.containsKey("probe")) {
      // the probe also reports records read by non-source tasks (ChannelRecordsReporter)
      flinkConfig.setString("metrics.reporter.channels.factory.class", ChannelRecordsReporter.class.getName());
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flinkConfig);
    env.getConfig().enableObjectReuse();
    env.getConfig().setAutoWatermarkInterval(Long.parseLong(args.getOrDefault("watermark-interval-ms", "200")));
    env.setBufferTimeout(Long.parseLong(args.getOrDefault("buffer-timeout-ms", "100")));

    DataStream<Event> events = env.addSource(new NexmarkSource(config, rate), "nexmark-source")
        .returns(Event.class)
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forMonotonousTimestamps()
            .withTimestampAssigner((event, previous) -> event.dateTime()));
    @SuppressWarnings("unchecked")
    DataStream<Object> result = (DataStream<Object>) Queries.build(query, events, options);
    long warmupMs = Long.parseLong(args.getOrDefault("latency-warmup-ms", "0"));
    result.addSink(new MeasuringSink<>(latency, collectFile != null, config.baseTimeMs, warmupMs)).name("blackhole");

    if (args.containsKey("describe-plan")) {
      // the declared plan and the tasks (operator chains) Flink builds from this very pipeline
      StringBuilder plan = new StringBuilder("{\"system\":\"flink\",\"query\":\"").append(query).append("\"");
      String[][] declared = Queries.plan(query, options);
      plan.append(",\"logical\":").append(jsonArray(java.util.Arrays.asList(declared[0])));
      plan.append(",\"implementation\":").append(jsonArray(java.util.Arrays.asList(declared[1])));
      java.util.List<String> tasks = new java.util.ArrayList<>();
      for (org.apache.flink.runtime.jobgraph.JobVertex v : env.getStreamGraph().getJobGraph().getVerticesSortedTopologicallyFromSources()) tasks.add(v.getName());
      plan.append(",\"tasks\":").append(jsonArray(tasks)).append('}');
      System.out.println(plan);
      System.exit(0);
    }
    if (args.containsKey("probe")) startProbe();

    env.execute("nexmark-" + query);

    long durationMs = Math.max(1, Measurements.endWallMs.get() - Measurements.startWallMs.get());
    long[] cpuStart = Measurements.cpuAtStartTicks;
    long[] cpuEnd = Measurements.cpuAtEndTicks;
    long cpuUserMs = (cpuEnd[0] - cpuStart[0]) * 10;
    long cpuSystemMs = (cpuEnd[1] - cpuStart[1]) * 10;
    long[] cpuTotal = Measurements.processCpuTicks();
    StringBuilder json = new StringBuilder();
    json.append("{\"system\":\"flink\",\"flinkVersion\":\"").append(EnvironmentInformation.getVersion())
        .append("\",\"javaVersion\":\"").append(System.getProperty("java.version"))
        .append("\",\"query\":\"").append(query)
        .append("\",\"state\":\"FINISHED\",\"parallelism\":").append(parallelism)
        .append(",\"events\":").append(config.events)
        .append(",\"recordsOut\":").append(Measurements.recordsOut.get())
        .append(",\"durationMs\":").append(durationMs)
        .append(",\"cpuUserMs\":").append(cpuUserMs)
        .append(",\"cpuSystemMs\":").append(cpuSystemMs)
        .append(",\"processCpuMs\":").append((cpuTotal[0] + cpuTotal[1]) * 10)
        .append(",\"eventsPerSecond\":").append(Math.round(config.events * 1000.0 / durationMs))
        .append(",\"rateLimit\":").append(rate > 0 ? Double.toString(rate) : "null");
    if (latency) {
      json.append(",\"latencyP50Ms\":").append(Measurements.latencyPercentileMs(0.50))
          .append(",\"latencyP99Ms\":").append(Measurements.latencyPercentileMs(0.99))
          .append(",\"latencySamples\":").append(Measurements.latencySamples());
    }
    json.append('}');
    System.out.println(json);
    if (args.containsKey("summary-json")) write(args.get("summary-json"), json + "\n");
    if (collectFile != null) write(collectFile, String.join("\n", Measurements.collected) + "\n");
    System.exit(0);
  }

  /**
   * The benchmark's probe: for every line on stdin, one line "probe <events emitted so far>
   * <records read by non-source tasks so far>" on stdout, at once; the driver samples /proc right after reading it, so the window's event count
   * and its CPU seconds are taken at the same moment.
   */
  private static void startProbe() {
    Thread probe = new Thread(() -> {
      try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        while (in.readLine() != null) {
          System.out.println("probe " + Measurements.emittedTotal() + " " + ChannelRecordsReporter.total());
          System.out.flush();
        }
      } catch (IOException e) {
        // stdin unreadable: the driver is gone
      }
      // stdin closed: the driver is gone (even killed with SIGKILL), so the unbounded job must not run on
      System.err.println("benchmark probe: stdin closed, exiting");
      System.exit(3);
    }, "benchmark-probe");
    probe.setDaemon(true);
    probe.start();
  }

  private static String jsonArray(java.util.List<String> items) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) b.append(',');
      b.append('"').append(items.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return b.append(']').toString();
  }

  private static void write(String file, String text) throws IOException {
    Files.write(Paths.get(file), text.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + argv[i] + " (options are --name value)");
      String name = argv[i].substring(2);
      boolean flag = i + 1 >= argv.length || argv[i + 1].startsWith("--");
      args.put(name, flag ? "true" : argv[++i]);
    }
    return args;
  }

}
