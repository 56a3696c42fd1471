package dev.millrace.sqloracle;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.sink.RichSinkFunction;
import org.apache.flink.table.connector.sink.DynamicTableSink.DataStructureConverter;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

/** Writes the changelog as it arrives and, at the end of input, the changelog applied. */
final class CollectSinkFunction extends RichSinkFunction<RowData> {
  private static final long serialVersionUID = 1L;
  private final String path;
  private final DataStructureConverter converter;
  private final int[] keyIndexes;
  private transient BufferedWriter changelog;
  /** multiset: canonical row → count; upsert: canonical key → canonical row */
  private transient Map<String, Integer> counts;
  private transient Map<String, String> byKey;
  private transient List<String> problems;

  CollectSinkFunction(String path, DataStructureConverter converter, int[] keyIndexes) {
    this.path = path;
    this.converter = converter;
    this.keyIndexes = keyIndexes;
  }

  @Override
  public void open(Configuration parameters) throws Exception {
    converter.open(org.apache.flink.table.connector.RuntimeConverter.Context.create(getRuntimeContext().getUserCodeClassLoader()));
    changelog = Files.newBufferedWriter(Path.of(path + ".changelog.jsonl"), StandardCharsets.UTF_8);
    counts = new TreeMap<>();
    byKey = new LinkedHashMap<>();
    problems = new ArrayList<>();
  }

  @Override
  public void invoke(RowData value, Context context) throws Exception {
    Row row = (Row) converter.toExternal(value);
    String kind = value.getRowKind().shortString();
    String values = CanonicalJson.row(row);
    changelog.write("{\"kind\":\"" + kind + "\",\"row\":" + values + "}\n");
    RowKind k = value.getRowKind();
    boolean add = k == RowKind.INSERT || k == RowKind.UPDATE_AFTER;
    if (keyIndexes.length > 0) {
      if (k == RowKind.UPDATE_BEFORE) return;
      Object[] key = new Object[keyIndexes.length];
      for (int i = 0; i < keyIndexes.length; i++) key[i] = row.getField(keyIndexes[i]);
      String keyText = CanonicalJson.row(Row.of(key));
      if (add) byKey.put(keyText, values);
      else byKey.remove(keyText);
    } else {
      int n = counts.getOrDefault(values, 0) + (add ? 1 : -1);
      if (n < 0) problems.add("retraction of a row that is not there: " + values);
      if (n == 0) counts.remove(values);
      else counts.put(values, n);
    }
  }

  @Override
  public void finish() throws Exception {
    changelog.flush();
    List<String> rows = new ArrayList<>();
    if (keyIndexes.length > 0) rows.addAll(byKey.values());
    else counts.forEach((r, n) -> rows.addAll(Collections.nCopies(Math.max(0, n), r)));
    Collections.sort(rows);
    StringBuilder out = new StringBuilder();
    for (String r : rows) out.append(r).append('\n');
    Files.writeString(Path.of(path + ".final.jsonl"), out.toString(), StandardCharsets.UTF_8);
    if (!problems.isEmpty()) Files.writeString(Path.of(path + ".problems.txt"), String.join("\n", problems) + "\n", StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    if (changelog != null) changelog.close();
  }
}
