-- Orders from a generator into partitioned Parquet files, exactly once, with a _SUCCESS file per
-- partition. The path is a directory here; write 's3://<bucket>/<prefix>' to use the object store
-- (S3 settings from MILLRACE_S3_* / AWS_* locally, from the Workspace in a Deployment).
-- Run:  npx millrace sql -f examples/connectors/01-files-partitioned.sql   (writes ./out/orders)
CREATE TABLE orders_gen (
  id BIGINT,
  customer STRING,
  amount INT
) WITH (
  'connector' = 'datagen',
  'number-of-rows' = '1000',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000',
  'fields.customer.length' = '6',
  'fields.amount.min' = '1', 'fields.amount.max' = '500'
);

CREATE TABLE orders_archive (
  id BIGINT,
  customer STRING,
  amount INT,
  size_class STRING
) PARTITIONED BY (size_class) WITH (
  'connector' = 'filesystem',
  'path' = 'out/orders',
  'format' = 'parquet',
  'sink.rolling-policy.file-size' = '1 mb',
  'sink.partition-commit.trigger' = 'process-time',
  'sink.partition-commit.policy.kind' = 'success-file'
);

INSERT INTO orders_archive
SELECT id, customer, amount, CASE WHEN amount >= 250 THEN 'large' ELSE 'small' END FROM orders_gen;
