-- GROUP BY corner cases against Flink 1.20: `npm run sql:compare -- test/sql/execution/agg-semantics.sql`
-- HAVING on an updating result, a global aggregate (no GROUP BY), NULL as a group and as values,
-- INT sums and averages (INT results), DOUBLE sums with retraction, STDDEV/VAR in the argument's type
-- (Flink reduces them to SUM/COUNT arithmetic in BIGINT/INT, overflow included).
-- Nexmark's table at 200 events/s and its `bid` view.

CREATE TABLE datagen (
    event_type int,
    person ROW<
        id  BIGINT,
        name  VARCHAR,
        emailAddress  VARCHAR,
        creditCard  VARCHAR,
        city  VARCHAR,
        state  VARCHAR,
        `dateTime` TIMESTAMP(3),
        extra  VARCHAR>,
    auction ROW<
        id  BIGINT,
        itemName  VARCHAR,
        description  VARCHAR,
        initialBid  BIGINT,
        reserve  BIGINT,
        `dateTime`  TIMESTAMP(3),
        expires  TIMESTAMP(3),
        seller  BIGINT,
        category  BIGINT,
        extra  VARCHAR>,
    bid ROW<
        auction  BIGINT,
        bidder  BIGINT,
        price  BIGINT,
        channel  VARCHAR,
        url  VARCHAR,
        `dateTime`  TIMESTAMP(3),
        extra  VARCHAR>,
    `dateTime` AS
        CASE
            WHEN event_type = 0 THEN person.`dateTime`
            WHEN event_type = 1 THEN auction.`dateTime`
            ELSE bid.`dateTime`
        END,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'nexmark',
    'first-event.rate' = '200',
    'next-event.rate' = '200',
    'events.num' = '${EVENTS_NUM}',
    'person.proportion' = '1',
    'auction.proportion' = '3',
    'bid.proportion' = '46'
);
CREATE VIEW bid AS
SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, `dateTime`, bid.extra
FROM datagen WHERE event_type = 2;

CREATE TABLE busy (bidder BIGINT, n BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE overall (n BIGINT, bidders BIGINT, top BIGINT, avg_price BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE nullable (grp VARCHAR, n BIGINT, n_values BIGINT, s BIGINT, mn BIGINT, distinct_values BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE int_sums (bucket INT, s INT, a INT, d DOUBLE, ad DOUBLE) WITH ('connector' = 'blackhole');
CREATE TABLE var_big (channel VARCHAR, sp BIGINT, ss BIGINT, vp BIGINT, vs BIGINT, n BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE var_dbl (channel VARCHAR, sp DOUBLE, ss DOUBLE, vp DOUBLE, vs DOUBLE) WITH ('connector' = 'blackhole');
CREATE TABLE var_int (channel VARCHAR, sp INT, ss INT, vp INT, vs INT) WITH ('connector' = 'blackhole');
CREATE TABLE retracting_doubles (cnt BIGINT, s DOUBLE, a DOUBLE, mx DOUBLE) WITH ('connector' = 'blackhole');

INSERT INTO busy
SELECT bidder, COUNT(*) FROM bid GROUP BY bidder HAVING COUNT(*) > 20;

INSERT INTO overall
SELECT COUNT(*), COUNT(DISTINCT bidder), MAX(price), AVG(price) FROM bid;

INSERT INTO nullable
SELECT CASE WHEN MOD(auction, 4) = 0 THEN CAST(NULL AS VARCHAR) ELSE channel END,
       COUNT(*),
       COUNT(CASE WHEN MOD(bidder, 2) = 0 THEN price END),
       SUM(CASE WHEN MOD(bidder, 2) = 0 THEN price END),
       MIN(CASE WHEN MOD(bidder, 3) = 0 THEN price END),
       COUNT(DISTINCT CASE WHEN MOD(bidder, 5) = 0 THEN bidder END)
FROM bid
WHERE MOD(auction, 2) = 0
GROUP BY CASE WHEN MOD(auction, 4) = 0 THEN CAST(NULL AS VARCHAR) ELSE channel END;

INSERT INTO int_sums
SELECT CAST(MOD(auction, 10) AS INT), SUM(CAST(price AS INT)), AVG(CAST(MOD(price, 1000) AS INT)), SUM(CAST(price AS DOUBLE) / 7), AVG(CAST(price AS DOUBLE) / 3)
FROM bid
GROUP BY CAST(MOD(auction, 10) AS INT);

-- the inner counts update, so the outer DOUBLE sums retract
INSERT INTO retracting_doubles
SELECT cnt, SUM(p), AVG(p), MAX(p)
FROM (SELECT bidder, COUNT(*) AS cnt, SUM(CAST(price AS DOUBLE) / 1000) AS p FROM bid GROUP BY bidder)
GROUP BY cnt;

INSERT INTO var_big
SELECT channel, STDDEV_POP(price), STDDEV_SAMP(price), VAR_POP(price), VAR_SAMP(price), COUNT(*)
FROM bid WHERE channel IN ('Google', 'Apple', 'Baidu', 'Facebook') GROUP BY channel;

INSERT INTO var_dbl
SELECT channel, STDDEV_POP(CAST(price AS DOUBLE)), STDDEV_SAMP(CAST(price AS DOUBLE)), VAR_POP(CAST(price AS DOUBLE)), VAR_SAMP(CAST(price AS DOUBLE))
FROM bid WHERE channel IN ('Google', 'Apple', 'Baidu', 'Facebook') GROUP BY channel;

INSERT INTO var_int
SELECT channel, STDDEV_POP(CAST(MOD(price, 100000) AS INT)), STDDEV_SAMP(CAST(MOD(price, 100000) AS INT)), VAR_POP(CAST(MOD(price, 1000) AS INT)), VAR_SAMP(CAST(MOD(price, 100000) AS INT))
FROM bid WHERE channel IN ('Google', 'Apple', 'Baidu', 'Facebook') GROUP BY channel;
