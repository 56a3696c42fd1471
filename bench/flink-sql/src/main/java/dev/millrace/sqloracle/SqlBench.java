package dev.millrace.sqloracle;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import dev.millrace.bench.ChannelRecordsReporter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;

/**
 * The Flink SQL side of `npm run bench:nexmark-sql`: runs a Nexmark SQL file's statements unchanged
 * (its `nexmark` table generated in this JVM by NexmarkTableFactory) in streaming mode on a local
 * mini-cluster, every INSERT in one job, until the benchmark stops the JVM.
 *
 * Usage: java -cp millrace-flink-sql-oracle.jar dev.millrace.sqloracle.SqlBench PLAN.json [--events N] [--probe] [--explain]
 * PLAN.json: {"statements": [...], "parallelism": 2, "configuration": {"key": "value"}}.
 * --events N overrides every nexmark table's events.num (0: unbounded). --probe answers every
 * stdin line with "probe <events the sources emitted> <records non-source tasks read from channels>"
 * (as bench/flink's NexmarkBench does, so bench/lib/window-run.ts measures both the same way) and
 * exits when stdin closes. --explain prints the job's plan (StatementSet#explain) and exits.
 */
public final class SqlBench {
  private SqlBench() {}

  public static void main(String[] args) throws Exception {
    String planFile = null;
    boolean probe = false;
    boolean explain = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> NexmarkTableFactory.eventsOverride = Long.parseLong(args[++i]);
        case "--probe" -> probe = true;
        case "--explain" -> explain = true;
        default -> planFile = args[i];
      }
    }
    if (planFile == null) {
      System.err.println("usage: SqlBench PLAN.json [--events N] [--probe] [--explain]");
      System.exit(2);
    }
    JsonNode plan = new ObjectMapper().readTree(Files.readString(Path.of(planFile), StandardCharsets.UTF_8));
    Configuration conf = new Configuration();
    conf.setString("parallelism.default", String.valueOf(plan.path("parallelism").asInt(2)));
    conf.setString("table.local-time-zone", "UTC");
    conf.setString("rest.bind-port", "0");
    plan.path("configuration").fields().forEachRemaining(e -> conf.setString(e.getKey(), e.getValue().asText()));
    // the probe also reports records read by non-source tasks (bench/flink's ChannelRecordsReporter)
    if (probe) conf.setString("metrics.reporter.channels.factory.class", ChannelRecordsReporter.class.getName());
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());

    StatementSet inserts = tEnv.createStatementSet();
    int insertCount = 0;
    for (JsonNode node : plan.path("statements")) {
      String statement = node.asText();
      String head = SqlOracle.stripComments(statement).trim().toUpperCase(Locale.ROOT);
      if (head.startsWith("INSERT")) {
        inserts.addInsertSql(statement);
        insertCount++;
      } else if (head.startsWith("SET") || head.startsWith("EXECUTE")) {
        throw new IllegalArgumentException("SqlBench runs CREATE statements and INSERTs; put configuration in the plan's \"configuration\": " + statement);
      } else {
        tEnv.executeSql(statement);
      }
    }
    if (insertCount == 0) {
      System.err.println("MR_ERR_BENCH: the statements have no INSERT");
      System.exit(2);
    }
    if (explain) {
      System.out.println(inserts.explain());
      System.exit(0);
    }
    if (probe) startProbe();
    long started = System.nanoTime();
    inserts.execute().await();
    System.out.printf(Locale.ROOT, "{\"flinkVersion\":\"%s\",\"inserts\":%d,\"seconds\":%.3f,\"events\":%d}%n",
        org.apache.flink.runtime.util.EnvironmentInformation.getVersion(), insertCount, (System.nanoTime() - started) / 1e9, NexmarkRowSource.emittedTotal());
    System.exit(0);
  }

  private static void startProbe() {
    Thread probe = new Thread(() -> {
      try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        while (in.readLine() != null) {
          System.out.println("probe " + NexmarkRowSource.emittedTotal() + " " + ChannelRecordsReporter.total());
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
