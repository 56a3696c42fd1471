package dev.millrace.kafkabench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;

/**
 * The Flink side of `npm run bench:kafka`: runs the benchmark's SQL statements unchanged (CREATE
 * TABLE ... WITH ('connector' = 'kafka', 'format' = 'json'), then one INSERT) in streaming mode on a
 * local mini-cluster, with Flink's own Kafka connector (flink-connector-kafka).
 *
 * Usage: java -jar millrace-kafka-flink.jar PLAN.json [--events 0] [--probe] [--explain]
 * PLAN.json: {"statements": [...], "parallelism": 2, "configuration": {"key": "value"}}.
 * --probe answers every stdin line with "probe <records the source operators emitted> <records
 * non-source tasks read from channels>" (the protocol of bench/flink's NexmarkBench, so
 * bench/lib/window-run.ts measures both peers the same way) and exits when stdin closes.
 * --explain prints the job's plan (StatementSet#explain) and exits. A bounded job (the
 * verification run: 'scan.bounded.mode' = 'latest-offset') prints a summary line when it ends.
 * --events is accepted for the probe protocol; the input is the topic, so it must be 0.
 */
public final class KafkaSqlBench {
  private KafkaSqlBench() {}

  public static void main(String[] args) throws Exception {
    String planFile = null;
    boolean probe = false;
    boolean explain = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> {
          if (Long.parseLong(args[++i]) != 0) throw new IllegalArgumentException("--events: the input is a Kafka topic; only 0 (read the topic) is accepted");
        }
        case "--probe" -> probe = true;
        case "--explain" -> explain = true;
        default -> planFile = args[i];
      }
    }
    if (planFile == null) {
      System.err.println("usage: KafkaSqlBench PLAN.json [--probe] [--explain]");
      System.exit(2);
    }
    JsonNode plan = new ObjectMapper().readTree(Files.readString(Path.of(planFile), StandardCharsets.UTF_8));
    Configuration conf = new Configuration();
    conf.setString("parallelism.default", String.valueOf(plan.path("parallelism").asInt(2)));
    conf.setString("table.local-time-zone", "UTC");
    conf.setString("rest.bind-port", "0");
    plan.path("configuration").fields().forEachRemaining(e -> conf.setString(e.getKey(), e.getValue().asText()));
    conf.setString("metrics.reporter.counters.factory.class", RecordCounters.class.getName());
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());

    StatementSet inserts = tEnv.createStatementSet();
    int insertCount = 0;
    for (JsonNode node : plan.path("statements")) {
      String statement = node.asText();
      String head = statement.replaceAll("(?m)^\\s*--.*$", "").trim().toUpperCase(Locale.ROOT);
      if (head.startsWith("INSERT")) {
        inserts.addInsertSql(statement);
        insertCount++;
      } else {
        tEnv.executeSql(statement);
      }
    }
    if (insertCount != 1) {
      System.err.println("MR_ERR_BENCH: the statements must have exactly one INSERT, got " + insertCount);
      System.exit(2);
    }
    if (explain) {
      System.out.println(inserts.explain());
      System.exit(0);
    }
    if (probe) startProbe();
    long started = System.nanoTime();
    inserts.execute().await();
    System.out.printf(Locale.ROOT, "{\"flinkVersion\":\"%s\",\"seconds\":%.3f,\"sourceRecords\":%d,\"channelRecords\":%d}%n",
        org.apache.flink.runtime.util.EnvironmentInformation.getVersion(), (System.nanoTime() - started) / 1e9, RecordCounters.sourceRecords(), RecordCounters.channelRecords());
    System.exit(0);
  }

  private static void startProbe() {
    Thread probe = new Thread(() -> {
      try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        while (in.readLine() != null) {
          System.out.println("probe " + RecordCounters.sourceRecords() + " " + RecordCounters.channelRecords());
          System.out.flush();
        }
      } catch (java.io.IOException e) {
        // stdin unreadable: the driver is gone
      }
      // stdin closed: the driver is gone (even killed with SIGKILL), so the unbounded job must not run on
      System.err.println("benchmark probe: stdin closed, exiting");
      System.exit(3);
    }, "benchmark-probe");
    probe.setDaemon(true);
    probe.start();
  }
}
