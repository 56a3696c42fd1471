-- A Debezium changelog from Kafka, kept per key in an upsert-kafka topic (compacted: the latest
-- row per id; a delete becomes a tombstone). Needs a broker: `eval "$(npm run -s kafka:up)"`, then
-- replace 127.0.0.1:19092 if yours differs. Topics: accounts.cdc (Debezium JSON), accounts.latest.
CREATE TABLE accounts_cdc (
  id BIGINT,
  owner STRING,
  balance INT
) WITH (
  'connector' = 'kafka',
  'topic' = 'accounts.cdc',
  'properties.bootstrap.servers' = '127.0.0.1:19092',
  'properties.group.id' = 'accounts-latest',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'debezium-json'
);

CREATE TABLE accounts_latest (
  id BIGINT,
  owner STRING,
  balance INT,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'accounts.latest',
  'properties.bootstrap.servers' = '127.0.0.1:19092',
  'key.format' = 'json',
  'value.format' = 'avro',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'accounts-latest'
);

INSERT INTO accounts_latest SELECT id, owner, balance FROM accounts_cdc;
