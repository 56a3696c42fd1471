import { SqlError } from '../errors.ts';
import { plan, testSession } from '../planner/test-support.ts';
import { typeToString } from '../types/data-type.ts';

function columns(sql: string): string[] {
  return plan(sql).logical.fields.map((f) => `${f.name} ${typeToString(f.type)}`);
}

function error(sql: string): SqlError {
  try {
    plan(sql);
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error(`expected an error for ${sql}`);
}

describe('validation and types', () => {
  it('types literals, arithmetic, CASE and CAST as Flink does', () => {
    expect(columns("SELECT 1, 3000000000, 0.908, 1e2, 'abc', TRUE, NULL, DATE '2020-01-01', INTERVAL '4' SECOND")).toEqual([
      'EXPR$0 INT NOT NULL', 'EXPR$1 BIGINT NOT NULL', 'EXPR$2 DECIMAL(4, 3) NOT NULL', 'EXPR$3 DOUBLE NOT NULL', 'EXPR$4 CHAR(3) NOT NULL',
      'EXPR$5 BOOLEAN NOT NULL', 'EXPR$6 NULL', 'EXPR$7 DATE NOT NULL', 'EXPR$8 INTERVAL SECOND(3) NOT NULL',
    ]);
    expect(columns("SELECT amount * 2 AS a, CASE WHEN user_id > 1 THEN 'big' ELSE 'small' END AS k, CAST(user_id AS STRING) s, TRY_CAST(url AS INT) i FROM clicks")).toEqual([
      'a DECIMAL(20, 2)', 'k VARCHAR(5) NOT NULL', 's STRING', 'i INT',
    ]);
  });

  it('keeps time attributes through projections and materializes them in expressions', () => {
    expect(columns('SELECT ts, proc, ts + INTERVAL \'1\' SECOND AS later FROM clicks')).toEqual([
      'ts TIMESTAMP(3) *ROWTIME*', 'proc TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*', 'later TIMESTAMP(3)',
    ]);
  });

  it('resolves aliases, qualified names, ROW fields, CTEs and views', () => {
    const s = testSession();
    s.executeScript('CREATE VIEW v AS SELECT user_id AS uid, url FROM clicks');
    expect(plan('WITH c AS (SELECT uid FROM v) SELECT c.uid, x.url FROM c, v AS x', s).logical.fields.map((f) => f.name)).toEqual(['uid', 'url']);
    expect(columns("SELECT tags[1] AS t FROM clicks")).toEqual(['t STRING']);
  });

  it('says which name is unknown, where, and suggests the right case', () => {
    let e = error('SELECT * FROM nope');
    expect(e.message).toBe("MR_ERR_SQL_VALIDATE: line 1, column 15: Object 'nope' not found within 'default_catalog.default_database'");
    e = error('SELECT User_Id FROM clicks');
    expect(e.message).toBe("MR_ERR_SQL_VALIDATE: line 1, column 8: Column 'User_Id' not found in any table; did you mean 'user_id'? (names are case-sensitive)");
    e = error('SELECT c.nope FROM clicks c');
    expect(e.message).toBe("MR_ERR_SQL_VALIDATE: line 1, column 8: Column 'nope' not found in table 'c'");
    e = error('SELECT ts FROM clicks, users');
    expect(e.message).toContain("Column 'ts' is ambiguous");
    e = error('SELECT LOWR(url) FROM clicks');
    expect(e.message).toBe("MR_ERR_SQL_VALIDATE: line 1, column 8: No match found for function signature LOWR(<STRING>): 'LOWR' is neither a built-in function nor a function of the catalog (did you mean LOWER?)");
  });

  it('refuses type errors and misplaced aggregates with Calcite-style messages', () => {
    expect(error("SELECT * FROM clicks WHERE url = 1").message).toBe("MR_ERR_SQL_VALIDATE: line 1, column 32: Cannot apply '=' to arguments of type '<STRING> = <INTEGER>'. Supported form(s): '<COMPARABLE_TYPE> = <COMPARABLE_TYPE>'".replace('<INTEGER>', '<INT>'));
    expect(error('SELECT * FROM clicks WHERE COUNT(*) > 1').message).toContain('Aggregate expression is illegal in WHERE clause');
    expect(error('SELECT user_id, url, COUNT(*) FROM clicks GROUP BY user_id').message).toBe("MR_ERR_SQL_VALIDATE: line 1, column 17: Expression 'url' is not being grouped");
    expect(error('SELECT MOD(url, 2) FROM clicks').message).toContain('Invalid function call:\nMOD(STRING, INT NOT NULL)');
    expect(error('SELECT ROW_NUMBER() FROM clicks').message).toContain('OVER clause is necessary for window function ROW_NUMBER');
  });

  it('checks window table functions: time attribute, named arguments, HOP size a multiple of the slide', () => {
    expect(error("SELECT * FROM TABLE(TUMBLE(TABLE plain, DESCRIPTOR(c), INTERVAL '1' MINUTE))").message).toContain('The window function requires the timecol is a time attribute type, but is BIGINT.');
    expect(error("SELECT * FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '7' SECOND, INTERVAL '10' SECOND))").message).toContain('requires size must be an integral multiple of slide');
    expect(columns("SELECT window_start, window_end, window_time FROM TABLE(CUMULATE(DATA => TABLE clicks, TIMECOL => DESCRIPTOR(ts), STEP => INTERVAL '1' MINUTE, SIZE => INTERVAL '1' HOUR))")).toEqual([
      'window_start TIMESTAMP(3) NOT NULL', 'window_end TIMESTAMP(3) NOT NULL', 'window_time TIMESTAMP(3) NOT NULL *ROWTIME*',
    ]);
  });

  it('widens UNION ALL columns to their common type', () => {
    expect(columns('SELECT a FROM plain UNION ALL SELECT c FROM plain')).toEqual(['a BIGINT']);
    expect(error('SELECT a FROM plain UNION ALL SELECT b FROM plain').message).toContain('Type mismatch in column 1 of UNION: INT and STRING have no common type');
  });

  it('checks INSERT columns against the sink as Flink does', () => {
    const s = testSession();
    let e: SqlError | undefined;
    try {
      s.executeScript('INSERT INTO append_out SELECT url, user_id FROM clicks');
    } catch (x) {
      e = x as SqlError;
    }
    expect(e?.message).toBe([
      "MR_ERR_SQL_VALIDATE: line 1, column 24: Column types of query result and sink for 'default_catalog.default_database.append_out' do not match.",
      "Cause: Incompatible types for sink column 'user_id' at position 0.",
      '',
      'Query schema: [url: STRING, user_id: BIGINT]',
      'Sink schema:  [user_id: BIGINT, cnt: BIGINT]',
    ].join('\n'));
    expect(() => s.executeScript('INSERT INTO append_out SELECT user_id FROM clicks')).toThrow(/Cause: Different number of columns/);
  });
});

describe('SELECT *', () => {
  it('expands every relation in order, also nameless derived tables with the same column names', () => {
    expect(columns('SELECT * FROM (SELECT a FROM plain), (SELECT a FROM plain)')).toEqual(['a INT', 'a INT']);
    expect(columns('SELECT p.*, q.b FROM plain p, plain q')).toEqual(['a INT', 'b STRING', 'c BIGINT', 'b STRING']);
  });
});

describe('JSON functions', () => {
  it('type JSON_VALUE by its RETURNING clause', () => {
    expect(columns("SELECT JSON_VALUE(b, '$.n' RETURNING BIGINT) AS n, JSON_VALUE(b, '$.s') AS s, JSON_OBJECT('k' VALUE a) AS o FROM plain")).toEqual(['n BIGINT', 's STRING', 'o STRING NOT NULL']);
  });
});
