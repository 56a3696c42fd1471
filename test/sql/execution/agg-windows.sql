-- Aggregations beyond the Nexmark queries, for `npm run sql:compare -- test/sql/execution/agg-windows.sql`
-- (Flink 1.20 is the oracle) and test/sql/execution/agg-windows-oracle.test.ts. Nexmark's table at
-- 200 events/s (10,000 events span 50 s of event time, so windows of a few seconds fire many times)
-- and its `bid` view.

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

CREATE TABLE hop_counts (auction BIGINT, num BIGINT, max_price BIGINT, wstart TIMESTAMP(3), wend TIMESTAMP(3)) WITH ('connector' = 'blackhole');
CREATE TABLE tumble_max (max_price BIGINT, wstart TIMESTAMP(3), wend TIMESTAMP(3)) WITH ('connector' = 'blackhole');
CREATE TABLE cumulate_channel (channel VARCHAR, bidders BIGINT, total BIGINT, wstart TIMESTAMP(3), wend TIMESTAMP(3)) WITH ('connector' = 'blackhole');
CREATE TABLE legacy_tumble (bidder BIGINT, num BIGINT, min_price BIGINT, wstart TIMESTAMP(3), wend TIMESTAMP(3)) WITH ('connector' = 'blackhole');
CREATE TABLE legacy_hop (channel VARCHAR, num BIGINT, wend TIMESTAMP(3)) WITH ('connector' = 'blackhole');
CREATE TABLE count_histogram (cnt BIGINT, bidders BIGINT, min_max BIGINT, max_max BIGINT, sum_max BIGINT, avg_max BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE channel_money (channel VARCHAR, total DECIMAL(38, 5), average DECIMAL(38, 6), avg_double DOUBLE, big_bids BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE channels (channel VARCHAR) WITH ('connector' = 'blackhole');
CREATE TABLE hop_rows (auction BIGINT, price BIGINT, wstart TIMESTAMP(3), wend TIMESTAMP(3), wtime TIMESTAMP(3)) WITH ('connector' = 'blackhole');
CREATE TABLE cumulate_rows (bidder BIGINT, wstart TIMESTAMP(3), wend TIMESTAMP(3)) WITH ('connector' = 'blackhole');
CREATE TABLE cascade (wstart TIMESTAMP(3), bids BIGINT, busiest BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE sessions (bidder BIGINT, num BIGINT, max_price BIGINT, wstart TIMESTAMP(3), wend TIMESTAMP(3)) WITH ('connector' = 'blackhole');

INSERT INTO hop_counts
SELECT auction, COUNT(*), MAX(price), window_start, window_end
FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
GROUP BY auction, window_start, window_end;

INSERT INTO tumble_max
SELECT MAX(price), window_start, window_end
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;

INSERT INTO cumulate_channel
SELECT channel, COUNT(DISTINCT bidder), SUM(price), window_start, window_end
FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
GROUP BY channel, window_start, window_end;

INSERT INTO legacy_tumble
SELECT bidder, COUNT(*), MIN(price), TUMBLE_START(`dateTime`, INTERVAL '5' SECOND), TUMBLE_END(`dateTime`, INTERVAL '5' SECOND)
FROM bid
GROUP BY bidder, TUMBLE(`dateTime`, INTERVAL '5' SECOND);

INSERT INTO legacy_hop
SELECT channel, COUNT(*), HOP_END(`dateTime`, INTERVAL '3' SECOND, INTERVAL '9' SECOND)
FROM bid
GROUP BY channel, HOP(`dateTime`, INTERVAL '3' SECOND, INTERVAL '9' SECOND);

-- an aggregation over an updating aggregation: the outer one retracts (-U/-D) as counts move
INSERT INTO count_histogram
SELECT cnt, COUNT(*), MIN(maxp), MAX(maxp), SUM(maxp), AVG(maxp)
FROM (SELECT bidder, COUNT(*) AS cnt, MAX(price) AS maxp FROM bid GROUP BY bidder)
GROUP BY cnt;

INSERT INTO channel_money
SELECT channel,
       SUM(CAST(price AS DECIMAL(10, 2)) * 0.908),
       AVG(CAST(price AS DECIMAL(10, 2))),
       AVG(CAST(price AS DOUBLE)),
       COUNT(DISTINCT auction) FILTER (WHERE price > 1000000)
FROM bid
GROUP BY channel;

INSERT INTO channels SELECT DISTINCT channel FROM bid;

INSERT INTO sessions
SELECT bidder, COUNT(*), MAX(price), window_start, window_end
FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND))
GROUP BY bidder, window_start, window_end;

-- window table functions without an aggregation: each row once per window holding it
INSERT INTO hop_rows
SELECT auction, price, window_start, window_end, window_time
FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
WHERE MOD(auction, 7) = 0;

INSERT INTO cumulate_rows
SELECT bidder, window_start, window_end
FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '3' SECOND, INTERVAL '9' SECOND, INTERVAL '1' SECOND))
WHERE price > 1000000;

-- windows over windows: 2 s counts per bidder, then 10 s windows over their rowtime
CREATE VIEW bidder_counts AS
SELECT bidder, COUNT(*) AS n, TUMBLE_ROWTIME(`dateTime`, INTERVAL '2' SECOND) AS rt
FROM bid
GROUP BY bidder, TUMBLE(`dateTime`, INTERVAL '2' SECOND);

INSERT INTO cascade
SELECT TUMBLE_START(rt, INTERVAL '10' SECOND), SUM(n), MAX(n)
FROM bidder_counts
GROUP BY TUMBLE(rt, INTERVAL '10' SECOND);
