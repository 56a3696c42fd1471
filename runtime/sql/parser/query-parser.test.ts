import type { Expr, ExprOf, Query, Select, TableRef } from './ast.ts';
import { parseExpression, parseStatements } from './index.ts';

function query(sql: string): Query {
  const [s] = parseStatements(sql);
  if (s?.kind !== 'queryStatement') throw new Error('not a query');
  return s.query;
}

function select(sql: string): Select {
  const q = query(sql);
  if (q.body.kind !== 'select') throw new Error('not a select');
  return q.body;
}

/** A compact rendering of an expression, to compare trees by shape. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'identifier': return e.parts.join('.');
    case 'numeric': return e.text;
    case 'string': return `'${e.value}'`;
    case 'binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'unary': return `(${e.op} ${show(e.operand)})`;
    case 'call': return `${e.name.join('.')}(${e.distinct ? 'DISTINCT ' : ''}${e.args.map(show).join(', ')})${e.filter ? ` FILTER ${show(e.filter)}` : ''}${e.over ? ' OVER' : ''}`;
    case 'star': return [...e.qualifier, '*'].join('.');
    case 'interval': return `INTERVAL ${e.negative ? '-' : ''}'${e.value}' ${e.resolution}`;
    case 'is': return `(${show(e.operand)} IS ${e.negated ? 'NOT ' : ''}${e.test})`;
    case 'between': return `(${show(e.operand)} ${e.negated ? 'NOT ' : ''}BETWEEN ${show(e.low)} AND ${show(e.high)})`;
    case 'in': return `(${show(e.operand)} ${e.negated ? 'NOT ' : ''}IN ${e.list.map(show).join(', ')})`;
    case 'like': return `(${show(e.operand)} ${e.negated ? 'NOT ' : ''}${e.op} ${show(e.pattern)})`;
    case 'tableArg': return `TABLE ${e.name?.parts.join('.')}`;
    case 'descriptor': return `DESCRIPTOR(${e.columns.join(', ')})`;
    case 'namedArg': return `${e.name} => ${show(e.value)}`;
    case 'item': return `${show(e.target)}[${show(e.index)}]`;
    case 'field': return `${show(e.target)}.${e.name}`;
    case 'symbol': return e.value;
    default: return e.kind;
  }
}

describe('expressions', () => {
  it('follow Calcite precedence', () => {
    expect(show(parseExpression('a + b * -c - d / 2 % 3'))).toBe('((a + (b * (- c))) - ((d / 2) % 3))');
    expect(show(parseExpression('NOT a = 1 AND b IS NOT NULL OR c'))).toBe('(((NOT (a = 1)) AND (b IS NOT NULL)) OR c)');
    expect(show(parseExpression("a || 'x' = b"))).toBe("((a || 'x') = b)");
    expect(show(parseExpression('x BETWEEN 1 AND 2 AND y NOT IN (1, 2) OR z NOT LIKE \'a%\''))).toBe("(((x BETWEEN 1 AND 2) AND (y NOT IN 1, 2)) OR (z NOT LIKE 'a%'))");
    expect(show(parseExpression('B.`dateTime` BETWEEN B1.`dateTime` - INTERVAL \'10\' SECOND AND B1.`dateTime`'))).toBe("(B.dateTime BETWEEN (B1.dateTime - INTERVAL '10' SECOND) AND B1.dateTime)");
  });

  it('read literals, CASE, CAST, TRY_CAST, constructors and access', () => {
    expect(parseExpression('12345678901234567890')).toMatchObject({ kind: 'numeric', text: '12345678901234567890' });
    expect(parseExpression("INTERVAL '1 10:30' DAY TO MINUTE")).toMatchObject({ kind: 'interval', resolution: 'DAY_TO_MINUTE', value: '1 10:30' });
    expect(parseExpression("INTERVAL '10' MINUTES")).toMatchObject({ kind: 'interval', resolution: 'MINUTE' });
    expect(parseExpression("TIMESTAMP '2020-01-01 00:00:00'")).toMatchObject({ kind: 'typedLiteral', type: 'TIMESTAMP' });
    expect(parseExpression('CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END')).toMatchObject({ kind: 'case', whens: [{}, {}], else: { kind: 'numeric' } });
    expect(parseExpression('CASE x WHEN 1 THEN 2 END')).toMatchObject({ kind: 'case', operand: { kind: 'identifier' } });
    expect(parseExpression('TRY_CAST(s AS DECIMAL(10, 2) NOT NULL)')).toMatchObject({ kind: 'cast', safe: true, target: { type: { root: 'DECIMAL', precision: 10, scale: 2, nullable: false } } });
    expect(parseExpression('ARRAY[1, 2]')).toMatchObject({ kind: 'array', elements: [{}, {}] });
    expect(parseExpression("MAP['a', 1, 'b', 2]")).toMatchObject({ kind: 'map', entries: [{}, {}] });
    expect(parseExpression('ROW(1, 2)')).toMatchObject({ kind: 'row', explicit: true });
    expect(show(parseExpression("arr[1].f.g")).toString()).toBe('arr[1].f.g');
    expect(show(parseExpression("person.`dateTime`"))).toBe('person.dateTime');
    expect(parseExpression('CURRENT_TIMESTAMP')).toMatchObject({ kind: 'call', name: ['CURRENT_TIMESTAMP'], args: [] });
    expect(parseExpression('EXTRACT(HOUR FROM ts)')).toMatchObject({ kind: 'extract', unit: 'HOUR' });
  });

  it('read calls with DISTINCT, FILTER, OVER, special argument syntax and reserved-word function names', () => {
    expect(show(parseExpression('count(distinct bidder) filter (where price < 10000)'))).toBe('count(DISTINCT bidder) FILTER (price < 10000)');
    expect(show(parseExpression('COUNT(*)'))).toBe('COUNT(*)');
    expect(show(parseExpression('HOUR(`dateTime`)'))).toBe('HOUR(dateTime)');
    expect(show(parseExpression('LEFT(s, 2)'))).toBe('LEFT(s, 2)');
    expect(show(parseExpression('FLOOR(ts TO HOUR)'))).toBe('FLOOR(ts, HOUR)');
    expect(show(parseExpression('TIMESTAMPADD(DAY, 1, ts)'))).toBe('TIMESTAMPADD(DAY, 1, ts)');
    expect(show(parseExpression('SUBSTRING(s FROM 2 FOR 3)'))).toBe('SUBSTRING(s, 2, 3)');
    expect(show(parseExpression("TRIM(LEADING 'x' FROM s)"))).toBe("TRIM(LEADING, 'x', s)");
    expect(show(parseExpression('POSITION(a IN b)'))).toBe('POSITION(a, b)');
    const over = parseExpression("AVG(price) OVER (PARTITION BY seller ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)") as ExprOf<'call'>;
    expect(over.over).toMatchObject({ partitionBy: [{ parts: ['seller'] }], orderBy: [{ direction: 'ASC' }], frame: { unit: 'RANGE', start: { kind: 'preceding', offset: { kind: 'interval' } }, end: { kind: 'currentRow' } } });
    const rows = parseExpression('SUM(x) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)') as ExprOf<'call'>;
    expect(rows.over?.frame).toMatchObject({ unit: 'ROWS', start: { kind: 'unboundedPreceding' } });
    expect((parseExpression('SUM(x) OVER w') as ExprOf<'call'>).over).toMatchObject({ ref: 'w' });
  });

  it('keep the exact position of every node', () => {
    const e = parseExpression('a +\n  f(b,\n     c)') as ExprOf<'binary'>;
    expect(e.pos).toEqual({ line: 1, column: 3 });
    expect(e.left.pos).toEqual({ line: 1, column: 1 });
    const call = e.right as ExprOf<'call'>;
    expect(call.pos).toEqual({ line: 2, column: 3 });
    expect(call.args.map((a) => a.pos)).toEqual([{ line: 2, column: 5 }, { line: 3, column: 6 }]);
  });
});

describe('queries', () => {
  it('read WITH, UNION ALL, DISTINCT, ORDER BY and LIMIT', () => {
    const q = query('WITH a AS (SELECT 1 AS x), b (y) AS (SELECT 2) SELECT DISTINCT x FROM a UNION ALL SELECT y FROM b ORDER BY 1 DESC LIMIT 10');
    expect(q.with.map((c) => c.name)).toEqual(['a', 'b']);
    expect(q.with[1]!.columns).toEqual(['y']);
    expect(q.body).toMatchObject({ kind: 'setOp', op: 'UNION', all: true, left: { kind: 'select', distinct: true } });
    expect(q.orderBy).toMatchObject([{ direction: 'DESC' }]);
    expect(q.limit).toMatchObject({ kind: 'numeric', text: '10' });
  });

  it('read window table-valued functions with positional and named arguments', () => {
    const s = select("SELECT * FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))");
    expect(s.from).toMatchObject({ kind: 'tableFunction', lateral: false });
    const call = (s.from as Extract<TableRef, { kind: 'tableFunction' }>).call;
    expect(call.args.map(show)).toEqual(['TABLE bid', 'DESCRIPTOR(dateTime)', "INTERVAL '2' SECOND", "INTERVAL '10' SECOND"]);
    const named = select("SELECT * FROM TABLE(CUMULATE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), STEP => INTERVAL '2' MINUTES, SIZE => INTERVAL '10' MINUTES))");
    expect((named.from as Extract<TableRef, { kind: 'tableFunction' }>).call.args.map(show)).toEqual(['DATA => TABLE bid', 'TIMECOL => DESCRIPTOR(ts)', "STEP => INTERVAL '2' MINUTE", "SIZE => INTERVAL '10' MINUTE"]);
    const session = select("SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' MINUTES))");
    expect((session.from as Extract<TableRef, { kind: 'tableFunction' }>).call.args[0]).toMatchObject({ kind: 'tableArg', partitionBy: [{ parts: ['bidder'] }] });
  });

  it('read joins: comma, inner, left outer, temporal, lateral table functions and UNNEST', () => {
    const s = select(`SELECT * FROM a, b
      JOIN c ON a.x = c.x
      LEFT OUTER JOIN d USING (y)
      JOIN rates FOR SYSTEM_TIME AS OF o.proc AS r ON r.k = a.k
      CROSS JOIN LATERAL TABLE(split(s)) AS T(word)
      LEFT JOIN LATERAL TABLE(split(s)) ON TRUE
      CROSS JOIN UNNEST(tags) WITH ORDINALITY AS u (tag, n)`);
    const kinds: string[] = [];
    let ref: TableRef | undefined = s.from;
    while (ref?.kind === 'join') { kinds.unshift(`${ref.joinType}:${ref.right.kind}`); ref = ref.left; }
    expect(kinds).toEqual(['COMMA:table', 'INNER:table', 'LEFT:table', 'INNER:table', 'CROSS:tableFunction', 'LEFT:tableFunction', 'CROSS:unnest']);
    const join = s.from as Extract<TableRef, { kind: 'join' }>;
    expect(join.right).toMatchObject({ kind: 'unnest', withOrdinality: true, alias: { name: 'u', columns: ['tag', 'n'] } });
    const temporal = ((join.left as Extract<TableRef, { kind: 'join' }>).left as Extract<TableRef, { kind: 'join' }>).left as Extract<TableRef, { kind: 'join' }>;
    expect(temporal.right).toMatchObject({ kind: 'table', name: { parts: ['rates'] }, alias: { name: 'r' }, systemTimeAsOf: { kind: 'identifier', parts: ['o', 'proc'] } });
  });

  it('read the legacy GROUP BY window syntax, GROUPING SETS, HAVING and named windows', () => {
    const s = select("SELECT usr, TUMBLE_START(ts, INTERVAL '1' HOUR), SUM(x) OVER w FROM t GROUP BY usr, TUMBLE(ts, INTERVAL '1' HOUR) HAVING COUNT(*) > 1 WINDOW w AS (PARTITION BY usr ORDER BY ts)");
    expect(s.groupBy.map((g) => (g.kind === 'expr' ? show(g.expr) : g.kind))).toEqual(['usr', "TUMBLE(ts, INTERVAL '1' HOUR)"]);
    expect(s.having).toBeDefined();
    expect(s.windows[0]).toMatchObject({ name: 'w', spec: { partitionBy: [{}] } });
    const g = select('SELECT a, b FROM t GROUP BY GROUPING SETS ((a, b), (a), ())');
    expect(g.groupBy[0]).toMatchObject({ kind: 'groupingSets' });
    expect((g.groupBy[0] as { sets: unknown[][] }).sets.map((x) => x.length)).toEqual([2, 1, 0]);
  });

  it('read subqueries in FROM, IN and EXISTS, and VALUES', () => {
    const s = select('SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) AS rn FROM t) WHERE rn <= 1 AND x IN (SELECT y FROM u) AND EXISTS (SELECT 1 FROM v)');
    expect(s.from).toMatchObject({ kind: 'derived' });
    expect(query('VALUES (1, \'a\'), (2, \'b\')').body).toMatchObject({ kind: 'values', rows: [[{}, {}], [{}, {}]] });
  });

  it('accept non-reserved keywords as names and refuse reserved ones', () => {
    const s = select('SELECT key, final, dateTime, window_start, watermark, `value`, `day` FROM t');
    expect(s.items.map((i) => show(i.expr))).toEqual(['key', 'final', 'dateTime', 'window_start', 'watermark', 'value', 'day']);
    expect(() => select('SELECT day FROM t')).toThrow(/'day' is a reserved keyword: quote it as `day`/);
  });
});

describe('table hints', () => {
  it('read OPTIONS after a table name and ignore other hints and plain comments', () => {
    const s = select("SELECT /*+ STATE_TTL('t' = '1d') */ * FROM kafka_t /*+ OPTIONS('scan.startup.mode' = 'earliest-offset', 'x' = 'y') */ AS k /* a comment */ JOIN u /*+ LOOKUP('table' = 'u') */ ON k.a = u.a");
    const join = s.from as Extract<TableRef, { kind: 'join' }>;
    expect(join.left).toMatchObject({ kind: 'table', alias: { name: 'k' }, options: [{ key: 'scan.startup.mode', value: 'earliest-offset' }, { key: 'x', value: 'y' }] });
    expect((join.right as { options?: unknown }).options).toBeUndefined();
  });

  it('report a broken hint where it is', () => {
    expect(() => select("SELECT * FROM t /*+ OPTIONS('a' 'b') */")).toThrow("MR_ERR_SQL_PARSE: line 1, column 33: expected '=' but found ''b''");
  });
});

describe('JSON functions', () => {
  it('read the SQL/JSON clauses', () => {
    expect(parseExpression("JSON_VALUE(s, '$.a' RETURNING INT DEFAULT 0 ON EMPTY NULL ON ERROR)")).toMatchObject({
      kind: 'call', args: [{}, {}], json: { returning: { type: { root: 'INTEGER' } }, behaviors: [{ on: 'EMPTY', action: 'DEFAULT', default: { text: '0' } }, { on: 'ERROR', action: 'NULL' }] },
    });
    expect(parseExpression("JSON_QUERY(s, '$.a' WITH CONDITIONAL ARRAY WRAPPER EMPTY ARRAY ON EMPTY)")).toMatchObject({ json: { wrapper: 'CONDITIONAL', behaviors: [{ on: 'EMPTY', action: 'EMPTY ARRAY' }] } });
    expect(parseExpression("JSON_OBJECT(KEY 'a' VALUE 1, 'b' VALUE x ABSENT ON NULL)")).toMatchObject({ args: [{ value: 'a' }, { text: '1' }, { value: 'b' }, { parts: ['x'] }], json: { behaviors: [{ on: 'NULL', action: 'ABSENT' }] } });
    expect(parseExpression('JSON_ARRAY(1, 2 NULL ON NULL)')).toMatchObject({ args: [{}, {}], json: { behaviors: [{ on: 'NULL', action: 'NULL' }] } });
  });
});
