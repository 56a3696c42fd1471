-- Joins, Top-N, semi join, interval join, OVER, UNNEST and ORDER BY time over the Nexmark views, for
-- npm run sql:compare -- test/sql/execution/join-rank-over.sql (all 9 INSERTs equal to Flink 1.20 at 10,000 events).
-- (UNNEST WITH ORDINALITY of an ARRAY[...] constructor is left out: Flink 1.20's planner fails on it with
-- "Cannot add expression of different type to set".)
CREATE TABLE full_out (pid BIGINT, aid BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE left_upd_out (aid BIGINT, cnt BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE right_out (aid BIGINT, price BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE top_out (auction BIGINT, cnt BIGINT, rn BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE semi_out (id BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE interval_out (aid BIGINT, bidder BIGINT, price BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE over_out (auction BIGINT, price BIGINT, n BIGINT, mx BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE unnest_out (auction BIGINT, x BIGINT, pos INT) WITH ('connector' = 'blackhole');
CREATE TABLE sort_out (auction BIGINT, dt TIMESTAMP(3)) WITH ('connector' = 'blackhole');
INSERT INTO full_out SELECT P.id, A.id FROM (SELECT id FROM person WHERE state = 'OR') P FULL JOIN (SELECT id, seller FROM auction WHERE category = 10) A ON P.id = A.seller;
INSERT INTO left_upd_out SELECT A.id, B.cnt FROM auction A LEFT JOIN (SELECT auction, COUNT(*) AS cnt FROM bid GROUP BY auction) B ON A.id = B.auction;
INSERT INTO right_out SELECT A.id, B.price FROM auction A RIGHT JOIN (SELECT auction, price FROM bid WHERE MOD(bidder, 7) = 0) B ON A.id = B.auction AND B.price > A.initialBid;
INSERT INTO top_out SELECT auction, cnt, rn FROM (SELECT auction, cnt, ROW_NUMBER() OVER (ORDER BY cnt DESC, auction) AS rn FROM (SELECT auction, COUNT(*) AS cnt FROM bid GROUP BY auction)) WHERE rn <= 5;
INSERT INTO semi_out SELECT id FROM auction WHERE seller IN (SELECT id FROM person WHERE state = 'CA');
INSERT INTO interval_out SELECT A.id, B.bidder, B.price FROM auction A JOIN bid B ON A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.`dateTime` + INTERVAL '1' SECOND;
INSERT INTO over_out SELECT auction, price, COUNT(*) OVER w, MAX(price) OVER w FROM bid WINDOW w AS (PARTITION BY auction ORDER BY `dateTime` RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW);
INSERT INTO unnest_out SELECT B.auction, u.x, 0 FROM bid B CROSS JOIN UNNEST(ARRAY[B.price, B.bidder]) AS u (x) WHERE MOD(B.auction, 50) = 0;
INSERT INTO sort_out SELECT auction, `dateTime` FROM bid WHERE MOD(auction, 20) = 0 ORDER BY `dateTime`;
