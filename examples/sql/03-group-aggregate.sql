-- A GROUP BY aggregate: an updating result. The print sink shows the changelog, as Flink's does:
-- +I for a key's first row, then -U (the old value retracted) and +U (the new one) per change.
-- Run: npx millrace sql -f examples/sql/03-group-aggregate.sql
CREATE TABLE orders (
  order_id INT,
  amount AS MOD(order_id * 37, 100) + 1
) WITH (
  'connector' = 'datagen',
  'number-of-rows' = '9',
  'fields.order_id.kind' = 'sequence', 'fields.order_id.start' = '1', 'fields.order_id.end' = '9'
);

CREATE TABLE per_bucket (bucket INT, orders BIGINT, total INT, biggest INT) WITH ('connector' = 'print');

INSERT INTO per_bucket
SELECT MOD(order_id, 3) AS bucket, COUNT(*), SUM(amount), MAX(amount)
FROM orders
GROUP BY MOD(order_id, 3);
