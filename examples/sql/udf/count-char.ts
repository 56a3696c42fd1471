// Nexmark's CountChar (com.github.nexmark.flink.udf.CountChar, a Java ScalarFunction used by q14)
// ported as a Millrace user-defined function: how often the first character of `character` occurs
// in `s`; 0 for a NULL string. Java's `long eval(String, String)` returns a primitive long: BIGINT NOT NULL.
// Registered with: CREATE FUNCTION count_char AS 'udf/count-char.ts#count_char' LANGUAGE JAVASCRIPT;
export const count_char = {
  result: 'BIGINT NOT NULL',
  eval(s: string | null, character: string): number {
    if (s === null) return 0;
    const c = character.charAt(0);
    let count = 0;
    for (const ch of s) if (ch === c) count++;
    return count;
  },
};
