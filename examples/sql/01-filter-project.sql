-- Projection, filter, CASE and CAST over a bounded datagen table, printed as Flink's print
-- connector prints rows (+I[...]). Run: npx millrace sql -f examples/sql/01-filter-project.sql
CREATE TABLE numbers (
  n INT,
  label STRING
) WITH (
  'connector' = 'datagen',
  'number-of-rows' = '15',
  'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '15',
  'fields.label.length' = '5'
);

CREATE TABLE fizzbuzz (n INT, word STRING, half DOUBLE) WITH ('connector' = 'print');

INSERT INTO fizzbuzz
SELECT
  n,
  CASE
    WHEN MOD(n, 15) = 0 THEN 'FizzBuzz'
    WHEN MOD(n, 3) = 0 THEN 'Fizz'
    WHEN MOD(n, 5) = 0 THEN 'Buzz'
    ELSE CAST(n AS STRING)
  END AS word,
  CAST(n AS DOUBLE) / 2 AS half
FROM numbers
WHERE n > 5;
