package dev.millrace.sqloracle;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.apache.flink.types.Row;

/**
 * The canonical JSON of result values that both sides of `sql:compare` write, so rows compare as
 * text: numbers as JSON numbers (DECIMAL as a string of its exact value), TIMESTAMP as
 * `yyyy-MM-dd HH:mm:ss.SSS`, TIMESTAMP_LTZ the same in UTC with `Z`, DATE `yyyy-MM-dd`, TIME
 * `HH:mm:ss.SSS`, BYTES base64, ROW and ARRAY as arrays, MAP as sorted [key, value] pairs,
 * intervals as milliseconds or months. The TypeScript side is test/sql/flink-oracle/canonical.ts.
 */
final class CanonicalJson {
  private CanonicalJson() {}

  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  static String row(Row row) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < row.getArity(); i++) {
      if (i > 0) b.append(',');
      value(b, row.getField(i));
    }
    return b.append(']').toString();
  }

  static void value(StringBuilder b, Object v) {
    if (v == null) b.append("null");
    else if (v instanceof Boolean || v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) b.append(v);
    else if (v instanceof Float || v instanceof Double) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) string(b, Double.toString(d));
      else b.append(Double.toString(d));
    } else if (v instanceof BigDecimal) string(b, ((BigDecimal) v).toPlainString());
    else if (v instanceof String) string(b, (String) v);
    else if (v instanceof LocalDateTime) string(b, TS.format((LocalDateTime) v));
    else if (v instanceof Instant) string(b, TS.format(LocalDateTime.ofInstant((Instant) v, ZoneOffset.UTC)) + "Z");
    else if (v instanceof LocalDate) string(b, v.toString());
    else if (v instanceof LocalTime) string(b, TIME.format((LocalTime) v));
    else if (v instanceof Duration) b.append(((Duration) v).toMillis());
    else if (v instanceof Period) b.append(((Period) v).toTotalMonths());
    else if (v instanceof byte[]) string(b, Base64.getEncoder().encodeToString((byte[]) v));
    else if (v instanceof Row) b.append(row((Row) v));
    else if (v instanceof Object[]) {
      b.append('[');
      Object[] a = (Object[]) v;
      for (int i = 0; i < a.length; i++) {
        if (i > 0) b.append(',');
        value(b, a[i]);
      }
      b.append(']');
    } else if (v instanceof Map) {
      List<String> entries = new ArrayList<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        StringBuilder eb = new StringBuilder("[");
        value(eb, e.getKey());
        eb.append(',');
        value(eb, e.getValue());
        entries.add(eb.append(']').toString());
      }
      entries.sort(null);
      b.append('[').append(String.join(",", entries)).append(']');
    } else string(b, v.toString());
  }

  static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
      }
    }
    b.append('"');
  }
}
