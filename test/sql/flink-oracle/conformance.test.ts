// The pure parts of sql:conformance: which plans have ties and how they are compared, processing
// time detected from the plan, Java functions replaced by their JAVASCRIPT ports on Millrace's side.

import { readNexmarkFile } from '../nexmark/nexmark-queries.ts';
import { withJavaClasses, withJavascriptPorts } from './udf-ports.ts';
import { planScript, processingTimeNode } from './millrace-plans.ts';
import { compareUpToTies, tieKeysOf } from './ties.ts';

const ddl = ['ddl_gen.sql', 'ddl_views.sql'].map((f) => readNexmarkFile(f)).join(';\n');
const query = (q: string): string => readNexmarkFile(`${q}.sql`);
const tree = (q: string) => [...planScript(`${ddl};\n${readNexmarkFile(`${q}.sql`)}`).trees.values()][0]!;

describe('sql:conformance', () => {
  test('a ROW_NUMBER Top-N or an event-time deduplication gives the sink columns of its partition and ordering keys', () => {
    // q19: SELECT * ... ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number ... <= 10
    expect(tieKeysOf(tree('q19'))).toEqual({ node: 'Rank(ROW_NUMBER <= 10)', partition: [0], order: [2], rank: 7 });
    // q18: PARTITION BY bidder, auction ORDER BY dateTime DESC, rank <= 1: deduplication, rank not written
    expect(tieKeysOf(tree('q18'))).toEqual({ node: 'Deduplicate(keep last row on ROWTIME)', partition: [1, 0], order: [5] });
    expect(tieKeysOf(tree('q1'))).toBeUndefined();
  });

  test('up to ties: the same partition, ordering keys and row numbers, and only rows of the input', () => {
    const keys = { node: 'Rank(ROW_NUMBER <= 2)', partition: [0], order: [1], rank: 3 };
    const flink = ['[1,10,"a",1]', '[1,10,"b",2]', '[2,5,"c",1]'];
    const candidates = ['[1,10,"a",null]', '[1,10,"b",null]', '[1,10,"x",null]', '[1,3,"y",null]', '[2,5,"c",null]'];
    const swapped = ['[1,10,"x",1]', '[1,10,"a",2]', '[2,5,"c",1]'];
    expect(compareUpToTies(flink, swapped, keys, candidates)).toMatchObject({ equal: true, tiedRows: 2, notInInput: [] }); // x at 1 and a at 2: both rows differ from Flink's
    // a row that is not in the input, with the right keys
    expect(compareUpToTies(flink, ['[1,10,"a",1]', '[1,10,"z",2]', '[2,5,"c",1]'], keys, candidates)).toMatchObject({ equal: false, notInInput: ['[1,10,"z",2]'] });
    // a row of the input, but not tied: its ordering key differs
    const wrongKey = compareUpToTies(flink, ['[1,10,"a",1]', '[1,3,"y",2]', '[2,5,"c",1]'], keys, candidates);
    expect(wrongKey.equal).toBe(false);
    expect(wrongKey.keys.onlyFlink).toEqual([{ row: '[1,10,2]', times: 1 }]);
    // the same input row kept twice is more than the input has
    expect(compareUpToTies(flink, ['[1,10,"a",1]', '[1,10,"a",2]', '[2,5,"c",1]'], keys, candidates).notInInput).toEqual(['[1,10,"a",2]']);
  });

  test('a window on PROCTIME() is found in the plan; event-time plans have none', () => {
    expect(processingTimeNode(tree('q12'))).toBe('WindowAggregate(TUMBLE on p_time)');
    expect(processingTimeNode(tree('q5'))).toBeUndefined();
    expect(processingTimeNode(tree('q13'))).toBeUndefined(); // a lookup join on proctime reads a static side input
  });

  test("q14's Java count_char becomes its JAVASCRIPT port on Millrace's side; other functions stay", () => {
    const { sql, ported } = withJavascriptPorts(query('q14'), '/repo');
    expect(sql).toContain("CREATE FUNCTION count_char AS '/repo/examples/sql/udf/count-char.ts#count_char' LANGUAGE JAVASCRIPT;");
    expect(ported).toEqual([{ name: 'count_char', javaClass: 'com.github.nexmark.flink.udf.CountChar', port: 'examples/sql/udf/count-char.ts' }]);
    const other = "CREATE TEMPORARY FUNCTION f AS 'com.example.F' LANGUAGE JAVA;";
    expect(withJavascriptPorts(other)).toEqual({ sql: other, ported: [] });
    // sql:compare, the other way: a file registering the port (examples/sql/06-udf.sql) gives Flink the Java class
    const js = "-- comment\nCREATE FUNCTION count_char AS 'udf/count-char.ts#count_char' LANGUAGE JAVASCRIPT";
    expect(withJavaClasses(js, '/repo/examples/sql', '/repo')).toEqual({
      statement: "-- comment\nCREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar'",
      ported: [{ name: 'count_char', javaClass: 'com.github.nexmark.flink.udf.CountChar', port: 'examples/sql/udf/count-char.ts' }],
    });
    expect(withJavaClasses(js, '/elsewhere', '/repo').ported).toEqual([]);
  });
});
