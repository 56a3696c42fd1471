package dev.millrace.sqloracle;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.millrace.bench.nexmark.NexmarkConfig;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceFunctionProvider;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * `'connector' = 'nexmark'` for Flink SQL, as Millrace's (runtime/connectors/table/nexmark.ts):
 * the table of the Nexmark project's ddl_gen.sql filled by the generator of bench/flink (draw for
 * draw the TypeScript one), with that project's option names. Used by `npm run bench:nexmark-sql`
 * so that both engines generate the events in process, from the same statements.
 */
public final class NexmarkTableFactory implements DynamicTableSourceFactory {
  /** Set by SqlBench's `--events N` before planning: overrides every table's events.num (0 = unbounded). */
  static volatile Long eventsOverride = null;

  private static ConfigOption<String> option(String key) {
    return ConfigOptions.key(key).stringType().noDefaultValue();
  }

  static final ConfigOption<String> FIRST_RATE = option("first-event.rate");
  static final ConfigOption<String> NEXT_RATE = option("next-event.rate");
  static final ConfigOption<String> EVENTS = option("events.num");
  static final ConfigOption<String> SEED = option("seed");
  static final ConfigOption<String> BASE_TIME = option("base-time");
  static final ConfigOption<String> RATE_LIMITED = option("rate.limited");
  static final ConfigOption<String> PERSON = option("person.proportion");
  static final ConfigOption<String> AUCTION = option("auction.proportion");
  static final ConfigOption<String> BID = option("bid.proportion");
  static final ConfigOption<String> PERSON_SIZE = option("person.avg-size");
  static final ConfigOption<String> AUCTION_SIZE = option("auction.avg-size");
  static final ConfigOption<String> BID_SIZE = option("bid.avg-size");
  static final ConfigOption<String> HOT_AUCTIONS = option("bid.hot-ratio.auctions");
  static final ConfigOption<String> HOT_BIDDERS = option("bid.hot-ratio.bidders");
  static final ConfigOption<String> HOT_SELLERS = option("auction.hot-ratio.sellers");
  /** accepted and ignored, as Millrace accepts them (they shape a rate the generator does not limit) */
  static final List<ConfigOption<String>> IGNORED = List.of(option("rate.shape"), option("rate.period"), option("keep-alive"), option("stop-at"), option("max-emit-speed"));

  static final List<String> COLUMNS = List.of("event_type", "person", "auction", "bid");

  @Override
  public String factoryIdentifier() {
    return "nexmark";
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of();
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    Set<ConfigOption<?>> all = new HashSet<>(List.of(FIRST_RATE, NEXT_RATE, EVENTS, SEED, BASE_TIME, RATE_LIMITED, PERSON, AUCTION, BID,
        PERSON_SIZE, AUCTION_SIZE, BID_SIZE, HOT_AUCTIONS, HOT_BIDDERS, HOT_SELLERS));
    all.addAll(IGNORED);
    return all;
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validate();
    String table = context.getObjectIdentifier().asSummaryString();
    List<String> columns = context.getCatalogTable().getResolvedSchema().getColumns().stream().filter(c -> c.isPhysical()).map(c -> c.getName()).toList();
    if (!columns.equals(COLUMNS)) throw new ValidationException("table '" + table + "' (connector 'nexmark'): the physical columns must be " + COLUMNS + " as in ddl_gen.sql, got " + columns);
    NexmarkConfig config = configOf(table, helper.getOptions());
    return new Source(config);
  }

  static NexmarkConfig configOf(String table, ReadableConfig o) {
    NexmarkConfig c = new NexmarkConfig();
    c.eventsPerSecond = number(o, FIRST_RATE, 10_000);
    if (o.getOptional(NEXT_RATE).isPresent() && number(o, NEXT_RATE, 0) != c.eventsPerSecond) refuse(table, "'next-event.rate' must equal 'first-event.rate': the generator has one constant rate");
    if (number(o, PERSON, 1) != 1 || number(o, AUCTION, 3) != 3 || number(o, BID, 46) != 46) refuse(table, "the generator produces the Nexmark proportions person:auction:bid = 1:3:46");
    if (Boolean.parseBoolean(o.getOptional(RATE_LIMITED).orElse("false"))) refuse(table, "'rate.limited' = 'true' is not supported here (the benchmark measures unthrottled throughput)");
    long events = eventsOverride != null ? eventsOverride : number(o, EVENTS, 0);
    c.events = events > 0 ? events : -1;
    c.seed = (int) number(o, SEED, 42);
    if (o.getOptional(BASE_TIME).isPresent()) c.baseTimeMs = number(o, BASE_TIME, c.baseTimeMs);
    c.avgPersonByteSize = (int) Math.max(1, number(o, PERSON_SIZE, 200));
    c.avgAuctionByteSize = (int) Math.max(1, number(o, AUCTION_SIZE, 500));
    c.avgBidByteSize = (int) Math.max(1, number(o, BID_SIZE, 100));
    c.hotAuctionRatio = (int) number(o, HOT_AUCTIONS, 2);
    c.hotBiddersRatio = (int) number(o, HOT_BIDDERS, 4);
    c.hotSellersRatio = (int) number(o, HOT_SELLERS, 4);
    return c;
  }

  private static long number(ReadableConfig o, ConfigOption<String> option, long fallback) {
    String text = o.getOptional(option).orElse(null);
    if (text == null) return fallback;
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new ValidationException("option '" + option.key() + "' of connector 'nexmark': expected an integer, got '" + text + "'");
    }
  }

  private static void refuse(String table, String text) {
    throw new ValidationException("table '" + table + "' (connector 'nexmark'): " + text);
  }

  static final class Source implements ScanTableSource {
    private final NexmarkConfig config;

    Source(NexmarkConfig config) {
      this.config = config;
    }

    @Override
    public ChangelogMode getChangelogMode() {
      return ChangelogMode.insertOnly();
    }

    @Override
    @SuppressWarnings("deprecation")
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
      return SourceFunctionProvider.of(new NexmarkRowSource(config), config.events > 0);
    }

    @Override
    public DynamicTableSource copy() {
      return new Source(config);
    }

    @Override
    public String asSummaryString() {
      return "nexmark";
    }
  }
}
