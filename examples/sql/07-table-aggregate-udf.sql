-- User-defined table and aggregate functions in TypeScript: each review's text is split into
-- words by a table function (LATERAL TABLE), and per word an aggregate function averages the
-- reviews' scores weighted by their votes. The GROUP BY prints its changelog (+I, -U/+U).
-- Run: npx millrace sql -f examples/sql/07-table-aggregate-udf.sql
CREATE FUNCTION split_words AS 'udf/split-words.ts#split_words' LANGUAGE JAVASCRIPT;
CREATE FUNCTION weighted_avg AS 'udf/weighted-avg.ts#weighted_avg' LANGUAGE JAVASCRIPT;

CREATE TEMPORARY VIEW reviews (score, votes, review) AS
  SELECT * FROM (VALUES
    (5, 3, 'great fast delivery'),
    (2, 1, 'slow delivery'),
    (4, 2, 'great value'),
    (1, 4, ''));

CREATE TABLE word_scores (word STRING, score DOUBLE, mentions BIGINT) WITH (
  'connector' = 'print',
  'print-identifier' = 'words'
);

INSERT INTO word_scores
SELECT word, weighted_avg(score, votes), COUNT(*)
FROM reviews, LATERAL TABLE(split_words(review))
GROUP BY word;
