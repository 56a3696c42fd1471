package dev.millrace.sqloracle;

import java.util.Map;
import java.util.Set;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkFunctionProvider;
import org.apache.flink.table.connector.sink.abilities.SupportsPartitioning;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.RowKind;

/**
 * `'connector' = 'millrace-collect'`, `'path' = '<prefix>'`: a sink that takes any changelog
 * (upsert by the primary key when the table declares one, as Flink's upsert sinks do) and writes
 * `<prefix>.changelog.jsonl` (every row with its kind) and, at the end of input,
 * `<prefix>.final.jsonl` (the changelog applied: the final multiset, or the final table by key).
 */
public final class CollectTableSinkFactory implements DynamicTableSinkFactory {
  static final ConfigOption<String> PATH = ConfigOptions.key("path").stringType().noDefaultValue();

  @Override
  public String factoryIdentifier() {
    return "millrace-collect";
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(PATH);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of();
  }

  @Override
  public DynamicTableSink createDynamicTableSink(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validate();
    ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
    return new Sink(helper.getOptions().get(PATH), schema.toPhysicalRowDataType(), schema.getPrimaryKeyIndexes());
  }

  /** Partitioned tables (PARTITIONED BY) are collected like others: partition columns are ordinary values here. */
  static final class Sink implements DynamicTableSink, SupportsPartitioning {
    private final String path;
    private final DataType rowType;
    private final int[] keyIndexes;

    Sink(String path, DataType rowType, int[] keyIndexes) {
      this.path = path;
      this.rowType = rowType;
      this.keyIndexes = keyIndexes;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requested) {
      if (keyIndexes.length == 0) return requested;
      ChangelogMode.Builder upsert = ChangelogMode.newBuilder();
      for (RowKind kind : requested.getContainedKinds()) {
        if (kind != RowKind.UPDATE_BEFORE) upsert.addContainedKind(kind);
      }
      return upsert.build();
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
      return SinkFunctionProvider.of(new CollectSinkFunction(path, context.createDataStructureConverter(rowType), keyIndexes));
    }

    @Override
    public void applyStaticPartition(Map<String, String> partition) {
      // INSERT ... PARTITION (k = v) puts v into the rows already
    }

    @Override
    public boolean requiresPartitionGrouping(boolean supportsGrouping) {
      return false;
    }

    @Override
    public DynamicTableSink copy() {
      return new Sink(path, rowType, keyIndexes);
    }

    @Override
    public String asSummaryString() {
      return "millrace-collect";
    }
  }
}
