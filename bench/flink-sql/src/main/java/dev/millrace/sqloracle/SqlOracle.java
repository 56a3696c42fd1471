package dev.millrace.sqloracle;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;

/**
 * The Flink SQL oracle of `npm run sql:compare`: executes prepared statements (the harness has
 * already pointed the Nexmark table at a JSON-lines file of events and every INSERT target at the
 * `millrace-collect` connector) in streaming mode on a local mini-cluster, all INSERTs in one
 * job like a statement set, and waits until the bounded input is consumed. Each sink writes its
 * changelog and its final result (CollectTableSink).
 *
 * Usage: java -jar millrace-flink-sql-oracle.jar PLAN.json, where PLAN.json is
 * {"statements": ["CREATE TABLE ...", "INSERT INTO ...", ...], "parallelism": 1}.
 */
public final class SqlOracle {
  private SqlOracle() {}

  private static final java.util.regex.Pattern SET = java.util.regex.Pattern.compile("(?is)SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'\\s*;?");

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: SqlOracle PLAN.json");
      System.exit(2);
    }
    JsonNode plan = new ObjectMapper().readTree(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
    Configuration conf = new Configuration();
    conf.setString("parallelism.default", String.valueOf(plan.path("parallelism").asInt(1)));
    conf.setString("table.local-time-zone", "UTC");
    conf.setString("rest.bind-port", "0");
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());

    StatementSet inserts = tEnv.createStatementSet();
    int insertCount = 0;
    // EXECUTE STATEMENT SET BEGIN ... END runs as its own job after the plain INSERTs' job
    List<String> statementSets = new ArrayList<>();
    List<String> statements = new ArrayList<>();
    plan.path("statements").forEach(s -> statements.add(s.asText()));
    // "skipRefused": an INSERT Flink refuses (validation, planning of its query) is reported in the
    // summary line and left out, so the other INSERTs still run (npm run sql:conformance runs every
    // Nexmark query in one job); without it the first refusal ends the run, as in the SQL client.
    boolean skipRefused = plan.path("skipRefused").asBoolean(false);
    List<String> refused = new ArrayList<>();
    for (int index = 0; index < statements.size(); index++) {
      String statement = statements.get(index);
      String head = stripComments(statement).trim().toUpperCase(Locale.ROOT);
      if (head.startsWith("INSERT")) {
        if (skipRefused) {
          try {
            inserts.addInsertSql(statement);
          } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String message = e.getMessage() + (root != e ? "\nCaused by: " + root.getMessage() : "");
            refused.add(String.format("{\"statement\":%d,\"error\":%s}", index, new ObjectMapper().writeValueAsString(message)));
            continue;
          }
        } else {
          inserts.addInsertSql(statement);
        }
        insertCount++;
      } else if (head.startsWith("SET")) {
        // the SQL client's SET: TableEnvironment#executeSql does not take it
        java.util.regex.Matcher m = SET.matcher(stripComments(statement).trim());
        if (!m.matches()) throw new IllegalArgumentException("expected SET 'key' = 'value', got: " + statement);
        tEnv.getConfig().getConfiguration().setString(m.group(1).replace("''", "'"), m.group(2).replace("''", "'"));
      } else if (head.startsWith("EXECUTE")) {
        statementSets.add(statement);
      } else {
        tEnv.executeSql(statement);
      }
    }
    if (insertCount == 0 && statementSets.isEmpty() && refused.isEmpty()) {
      System.err.println("MR_ERR_ORACLE: the SQL file has no INSERT statement");
      System.exit(2);
    }
    long started = System.nanoTime();
    if (insertCount > 0) inserts.execute().await();
    for (String set : statementSets) tEnv.executeSql(set).await();
    System.out.printf(Locale.ROOT, "{\"flinkVersion\":\"%s\",\"inserts\":%d,\"seconds\":%.3f,\"refused\":[%s]}%n",
        org.apache.flink.runtime.util.EnvironmentInformation.getVersion(), insertCount + statementSets.size(), (System.nanoTime() - started) / 1e9, String.join(",", refused));
  }

  /** The statement without leading `--` and block comments, to see what kind it is. */
  static String stripComments(String sql) {
    return sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)--.*$", " ");
  }
}
