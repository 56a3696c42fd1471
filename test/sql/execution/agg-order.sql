-- Aggregates whose result depends on arrival order (FIRST_VALUE, LAST_VALUE, LISTAGG), also over an
-- updating input (they retract the earliest occurrence of a value, as Flink does), and a DOUBLE
-- STDDEV over an updating input (its sums of squares cancel, so the order of adds and retractions
-- shows in the last digits). Order matters, so compare at parallelism 1 (Flink's side runs at 1):
--   npm run sql:compare -- test/sql/execution/agg-order.sql --events 10000 --parallelism 1
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

CREATE TABLE firsts (channel VARCHAR, first_url VARCHAR, last_url VARCHAR, auctions VARCHAR, prices VARCHAR) WITH ('connector' = 'blackhole');
CREATE TABLE by_count (cnt BIGINT, bidders VARCHAR, first_bidder BIGINT, last_bidder BIGINT, distinct_max VARCHAR) WITH ('connector' = 'blackhole');
CREATE TABLE var_retract (cnt BIGINT, sp DOUBLE, vs BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE window_lists (auction BIGINT, prices VARCHAR, first_price BIGINT, last_price BIGINT, wstart TIMESTAMP(3)) WITH ('connector' = 'blackhole');

INSERT INTO firsts
SELECT channel, FIRST_VALUE(url), LAST_VALUE(url), LISTAGG(CAST(auction AS STRING)), LISTAGG(CAST(price AS STRING), ' ')
FROM bid
WHERE MOD(bidder, 3) = 0 AND channel IN ('Google', 'Facebook', 'Baidu', 'Apple')
GROUP BY channel;

-- the inner aggregation updates (-U/+U): the outer one takes values back
INSERT INTO by_count
SELECT cnt, LISTAGG(CAST(bidder AS STRING), ';'), FIRST_VALUE(bidder), LAST_VALUE(bidder), LISTAGG(DISTINCT CAST(maxp AS STRING))
FROM (SELECT bidder, COUNT(*) AS cnt, MAX(price) AS maxp FROM bid GROUP BY bidder)
GROUP BY cnt;

INSERT INTO window_lists
SELECT auction, LISTAGG(CAST(price AS STRING)), FIRST_VALUE(price), LAST_VALUE(price), window_start
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '5' SECOND))
WHERE MOD(auction, 5) = 0
GROUP BY auction, window_start, window_end;

INSERT INTO var_retract
SELECT cnt, STDDEV_POP(CAST(m AS DOUBLE) / 1000), VAR_SAMP(m)
FROM (SELECT bidder, COUNT(*) AS cnt, MAX(MOD(price, 10000)) AS m FROM bid GROUP BY bidder)
GROUP BY cnt;
