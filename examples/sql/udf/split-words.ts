// A table function (Flink's SplitFunction example): one row per word of a line, with its length.
// Used as LATERAL TABLE(split_words(line)); an empty or NULL line gives no row.
// Registered with: CREATE FUNCTION split_words AS 'udf/split-words.ts#split_words' LANGUAGE JAVASCRIPT;
export const split_words = {
  kind: 'table',
  result: 'ROW<word STRING, length INT>',
  *eval(line: string | null): Generator<[string, number]> {
    if (line === null) return;
    for (const word of line.split(' ')) if (word !== '') yield [word, word.length];
  },
};
