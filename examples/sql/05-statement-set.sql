-- A statement set: two INSERTs in one job (one read of the source, two sinks), here with
-- VALUES and UNION ALL as the source. Writes CSV files under /tmp/millrace-example-sql/.
-- Run: npx millrace sql -f examples/sql/05-statement-set.sql
CREATE TEMPORARY VIEW events (kind, amount) AS
  SELECT * FROM (VALUES ('deposit', 100), ('withdrawal', 30), ('deposit', 5))
  UNION ALL
  SELECT * FROM (VALUES ('withdrawal', 70));

CREATE TABLE deposits (amount INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/millrace-example-sql/deposits', 'format' = 'csv');
CREATE TABLE withdrawals (amount INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/millrace-example-sql/withdrawals', 'format' = 'csv');

EXECUTE STATEMENT SET
BEGIN
  INSERT INTO deposits SELECT amount FROM events WHERE kind = 'deposit';
  INSERT INTO withdrawals SELECT amount FROM events WHERE kind = 'withdrawal';
END;
