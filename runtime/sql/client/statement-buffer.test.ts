import { StatementBuffer } from './statement-buffer.ts';

const feed = (lines: string[]) => {
  const b = new StatementBuffer();
  const out = lines.flatMap((l) => b.push(l));
  return { out, b };
};

describe('the SQL client cuts input into statements at the terminating ;', () => {
  test('a statement spans lines; a line holds several statements; the first line of each is kept', () => {
    const { out, b } = feed(['CREATE TABLE t (', '  a INT', ") WITH ('connector' = 'datagen');  SELECT 1;", '', 'SELECT', '2;']);
    expect(out).toEqual([
      { text: "CREATE TABLE t (\n  a INT\n) WITH ('connector' = 'datagen')", line: 1 },
      { text: 'SELECT 1', line: 3 },
      { text: 'SELECT\n2', line: 5 },
    ]);
    expect(b.pending).toBe(false);
  });

  test('a ; inside a string, a quoted name or a comment does not end the statement', () => {
    const { out } = feed(["SELECT 'a;b', `x;y` -- not; the end", '/* nor; this */ FROM t;']);
    expect(out).toEqual([{ text: "SELECT 'a;b', `x;y` -- not; the end\n/* nor; this */ FROM t", line: 1 }]);
    const open = feed(["SELECT 'it''s", "open;"]);
    expect(open.out).toEqual([]);
    expect(open.b.pending).toBe(true);
    expect(open.b.rest()).toEqual({ text: "SELECT 'it''s\nopen;", line: 1 });
  });

  test('an unterminated statement stays pending until its ;, a lone comment is not a statement', () => {
    const { out, b } = feed(['SHOW', 'TABLES']);
    expect(out).toEqual([]);
    expect(b.pending).toBe(true);
    expect(b.push(';')).toEqual([{ text: 'SHOW\nTABLES', line: 1 }]);
    expect(feed(['-- just a comment']).b.rest()).toBeUndefined();
  });

  test('EXECUTE STATEMENT SET BEGIN ... END; is one statement, its inner ; included', () => {
    const { out } = feed(['EXECUTE STATEMENT SET', 'BEGIN', '  INSERT INTO a SELECT 1;', '  INSERT INTO b SELECT 2;', 'END;', 'SHOW TABLES;']);
    expect(out).toEqual([
      { text: 'EXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO a SELECT 1;\n  INSERT INTO b SELECT 2;\nEND', line: 1 },
      { text: 'SHOW TABLES', line: 6 },
    ]);
  });
});
