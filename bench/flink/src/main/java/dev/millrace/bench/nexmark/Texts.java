package dev.millrace.bench.nexmark;

/** Port of runtime/connectors/nexmark/strings.ts: pools of characters and channel tables. */
final class Texts {
  static final int POOL_LENGTH = 1 << 16;
  private static final int SPACE_ONE_IN = 13;
  private static final int MIN_STRING_LENGTH = 3;

  static final String TEXT_POOL = buildPool(0x7e57, true);
  static final String LETTER_POOL = buildPool(0x1e77e5, false);

  static final String[] US_STATES = {"AZ", "CA", "ID", "OR", "WA", "WY"};
  static final String[] US_CITIES = {
    "Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"
  };
  static final String[] FIRST_NAMES = {"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"};
  static final String[] LAST_NAMES = {"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"};
  static final String[] HOT_CHANNELS = {"Google", "Facebook", "Baidu", "Apple"};
  static final int CHANNELS_NUMBER = 10_000;
  static final String[] CHANNEL_NAMES = new String[CHANNELS_NUMBER];
  static final String[] CHANNEL_URLS = new String[CHANNELS_NUMBER];
  static final String[] HOT_URLS = new String[HOT_CHANNELS.length];

  static {
    Prng random = new Prng();
    for (int channel = 0; channel < CHANNELS_NUMBER; channel++) {
      random.reseed(0xc4a7 + channel);
      CHANNEL_NAMES[channel] = "channel-" + channel;
      CHANNEL_URLS[channel] = baseUrl(random) + "&channel_id=" + new StringBuilder(Integer.toString(channel)).reverse();
    }
    for (int i = 0; i < HOT_CHANNELS.length; i++) {
      random.reseed(0x407 + i);
      HOT_URLS[i] = baseUrl(random);
    }
  }

  private Texts() {}

  private static String buildPool(int poolSeed, boolean withSpaces) {
    Prng random = new Prng();
    random.reseed(poolSeed);
    char[] chars = new char[POOL_LENGTH];
    for (int i = 0; i < POOL_LENGTH; i++) {
      chars[i] = withSpaces && random.nextInt(SPACE_ONE_IN) == 0 ? ' ' : (char) (97 + random.nextInt(26));
    }
    return new String(chars);
  }

  static String nextString(Prng random, int maxLength) {
    int length = MIN_STRING_LENGTH + random.nextInt(maxLength - MIN_STRING_LENGTH);
    int start = random.nextInt(POOL_LENGTH - length);
    return TEXT_POOL.substring(start, start + length).trim();
  }

  static String nextExactString(Prng random, int length) {
    int start = random.nextInt(POOL_LENGTH - length);
    return LETTER_POOL.substring(start, start + length);
  }

  static String nextExtra(Prng random, int currentSize, int desiredAverageSize) {
    if (currentSize > desiredAverageSize) return "";
    int wanted = desiredAverageSize - currentSize;
    int delta = (int) Math.round(wanted * 0.2);
    int size = wanted - delta + (delta == 0 ? 0 : random.nextInt(2 * delta));
    return nextExactString(random, Math.min(size, POOL_LENGTH - 1));
  }

  static String nextCreditCard(Prng random) {
    return pad4(random.nextInt(10000)) + " " + pad4(random.nextInt(10000)) + " " + pad4(random.nextInt(10000)) + " " + pad4(random.nextInt(10000));
  }

  private static String pad4(int value) {
    if (value >= 1000) return Integer.toString(value);
    if (value >= 100) return "0" + value;
    if (value >= 10) return "00" + value;
    return "000" + value;
  }

  private static String baseUrl(Prng random) {
    String a = nextString(random, 5).replace(' ', '_');
    String b = nextString(random, 5).replace(' ', '_');
    String c = nextString(random, 5).replace(' ', '_');
    return "https://www.nexmark.com/" + a + "/" + b + "/" + c + "/item.htm?query=1";
  }
}
