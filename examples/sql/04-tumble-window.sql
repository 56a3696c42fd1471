-- Event time: a computed rowtime column with a watermark, and a TUMBLE window table function
-- aggregated per window (one final row per window once the watermark passes its end).
-- Run: npx millrace sql -f examples/sql/04-tumble-window.sql
CREATE TABLE readings (
  id BIGINT,
  reading AS CAST(MOD(id * 7, 10) AS INT),
  ts AS TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1' SECOND * id,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
  'connector' = 'datagen',
  'number-of-rows' = '20',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '19'
);

CREATE TABLE per_window (window_start TIMESTAMP(3), window_end TIMESTAMP(3), readings BIGINT, total INT) WITH ('connector' = 'print');

INSERT INTO per_window
SELECT window_start, window_end, COUNT(*), SUM(reading)
FROM TABLE(TUMBLE(TABLE readings, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end;
