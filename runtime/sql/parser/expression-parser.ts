// Expressions, by precedence climbing (a Pratt parser). Binding powers follow Calcite's operator
// precedences, which Flink inherits: OR 22 < AND 24 < NOT 26 < IS 28 < comparisons 30 <
// BETWEEN/IN/LIKE 32 < + - 40 < * / % || 60 < unary minus 80 < item/field access 100.
import type { BinaryOperator, Expr, ExprOf, FrameBound, JsonClauses, OrderItem, Pos, WindowSpec } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { NILADIC_FUNCTIONS, TIME_UNITS } from './keywords.ts';
import { isQueryStart, parseQuery } from './query-parser.ts';
import { parseIntervalQualifier, parseType } from './type-parser.ts';

const BP = { OR: 22, AND: 24, NOT: 26, IS: 28, COMPARE: 30, RANGE: 32, ADD: 40, MUL: 60, UNARY: 80, ACCESS: 100 } as const;

const COMPARISON: Record<string, BinaryOperator> = { '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

export function parseExpr(c: Cursor, minBp = 0): Expr {
  let left = parsePrefix(c);
  for (;;) {
    const t = c.peek();
    const pos = c.pos(t);
    if (t.kind === 'op') {
      const op = t.value;
      if (op in COMPARISON) {
        if (BP.COMPARE <= minBp) break;
        c.next();
        // `x = ANY (SELECT ...)`, `x > ALL (...)`: quantified comparisons are not supported yet.
        if (c.isAnyWord(['ANY', 'SOME', 'ALL']) && c.isOp('(', 1)) c.failAt(c.pos(), `quantified comparison ${c.peek().upper} (...) is not supported; use IN or EXISTS`);
        left = { kind: 'binary', op: COMPARISON[op]!, left, right: parseExpr(c, BP.COMPARE), pos };
        continue;
      }
      if (op === '+' || op === '-') {
        if (BP.ADD <= minBp) break;
        c.next();
        left = { kind: 'binary', op, left, right: parseExpr(c, BP.ADD), pos };
        continue;
      }
      if (op === '*' || op === '/' || op === '%' || op === '||') {
        if (BP.MUL <= minBp) break;
        c.next();
        left = { kind: 'binary', op: op as BinaryOperator, left, right: parseExpr(c, BP.MUL), pos };
        continue;
      }
      if (op === '[') {
        c.next();
        const index = parseExpr(c);
        c.expectOp(']');
        left = { kind: 'item', target: left, index, pos };
        continue;
      }
      if (op === '.' && left.kind !== 'identifier') {
        c.next();
        left = { kind: 'field', target: left, name: c.identifier('a field name'), pos };
        continue;
      }
      break;
    }
    if (t.kind !== 'word') break;
    const word = t.upper;
    if (word === 'OR' || word === 'AND') {
      const bp = word === 'OR' ? BP.OR : BP.AND;
      if (bp <= minBp) break;
      c.next();
      left = { kind: 'binary', op: word, left, right: parseExpr(c, bp), pos };
      continue;
    }
    if (word === 'IS') {
      if (BP.IS <= minBp) break;
      c.next();
      const negated = c.acceptWords('NOT');
      if (c.acceptWords('DISTINCT', 'FROM')) {
        left = { kind: 'isDistinctFrom', negated, left, right: parseExpr(c, BP.IS), pos };
        continue;
      }
      const test = c.peek();
      if (test.kind === 'word' && ['NULL', 'TRUE', 'FALSE', 'UNKNOWN'].includes(test.upper)) {
        c.next();
        left = { kind: 'is', negated, test: test.upper as 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN', operand: left, pos };
        continue;
      }
      c.fail('NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS');
    }
    const negated = word === 'NOT' && c.isAnyWord(['IN', 'BETWEEN', 'LIKE', 'SIMILAR'], 1);
    const rangeWord = negated ? c.peek(1).upper : word;
    if (rangeWord === 'IN' || rangeWord === 'BETWEEN' || rangeWord === 'LIKE' || rangeWord === 'SIMILAR') {
      if (BP.RANGE <= minBp) break;
      if (negated) c.next();
      c.next();
      left = parseRangePredicate(c, rangeWord, negated, left, pos);
      continue;
    }
    break;
  }
  return left;
}

function parseRangePredicate(c: Cursor, word: string, negated: boolean, operand: Expr, pos: Pos): Expr {
  if (word === 'IN') {
    c.expectOp('(');
    if (isQueryStart(c)) {
      const query = parseQuery(c);
      c.expectOp(')');
      return { kind: 'inQuery', negated, operand, query, pos };
    }
    const list = parseExprList(c);
    c.expectOp(')');
    return { kind: 'in', negated, operand, list, pos };
  }
  if (word === 'BETWEEN') {
    let symmetric = false;
    if (c.acceptWords('SYMMETRIC')) symmetric = true;
    else c.acceptWords('ASYMMETRIC');
    const low = parseExpr(c, BP.RANGE);
    c.expectWords('AND');
    const high = parseExpr(c, BP.RANGE);
    return { kind: 'between', negated, symmetric, operand, low, high, pos };
  }
  let op: 'LIKE' | 'SIMILAR TO' = 'LIKE';
  if (word === 'SIMILAR') { c.expectWords('TO'); op = 'SIMILAR TO'; }
  const pattern = parseExpr(c, BP.RANGE);
  const like: ExprOf<'like'> = { kind: 'like', op, negated, operand, pattern, pos };
  if (c.acceptWords('ESCAPE')) like.escape = parseExpr(c, BP.RANGE);
  return like;
}

export function parseExprList(c: Cursor): Expr[] {
  const list = [parseExpr(c)];
  while (c.acceptOp(',')) list.push(parseExpr(c));
  return list;
}

function parsePrefix(c: Cursor): Expr {
  const t = c.peek();
  const pos = c.pos(t);
  switch (t.kind) {
    case 'number': c.next(); return { kind: 'numeric', text: t.value, pos };
    case 'string': c.next(); return { kind: 'string', value: t.value, pos };
    case 'binary': c.next(); return { kind: 'binaryString', hex: t.value, pos };
    case 'quoted': return parseNameOrCall(c);
    case 'op': return parseOperatorPrefix(c);
    case 'word': return parseWordPrefix(c);
    default: return c.fail('an expression');
  }
}

function parseOperatorPrefix(c: Cursor): Expr {
  const t = c.peek();
  const pos = c.pos(t);
  if (t.value === '-' || t.value === '+') {
    c.next();
    return { kind: 'unary', op: t.value, operand: parseExpr(c, BP.UNARY), pos };
  }
  if (t.value === '*') {
    c.next();
    return { kind: 'star', qualifier: [], pos };
  }
  if (t.value === '(') {
    c.next();
    if (isQueryStart(c)) {
      const query = parseQuery(c);
      c.expectOp(')');
      return { kind: 'subquery', query, pos };
    }
    const first = parseExpr(c);
    if (c.acceptOp(',')) {
      const fields = [first, ...parseExprList(c)];
      c.expectOp(')');
      return { kind: 'row', fields, explicit: false, pos };
    }
    c.expectOp(')');
    return first;
  }
  return c.fail('an expression');
}

function parseWordPrefix(c: Cursor): Expr {
  const t = c.peek();
  const pos = c.pos(t);
  const word = t.upper;
  const callFollows = c.isOp('(', 1);
  switch (word) {
    case 'NULL': c.next(); return { kind: 'null', pos };
    case 'TRUE': case 'FALSE': c.next(); return { kind: 'boolean', value: word === 'TRUE', pos };
    case 'UNKNOWN': c.next(); return { kind: 'null', pos };
    case 'NOT': c.next(); return { kind: 'unary', op: 'NOT', operand: parseExpr(c, BP.NOT), pos };
    case 'CASE': return parseCase(c);
    case 'CAST': case 'TRY_CAST': {
      c.next();
      c.expectOp('(');
      const operand = parseExpr(c);
      c.expectWords('AS');
      const target = parseType(c);
      c.expectOp(')');
      return { kind: 'cast', safe: word === 'TRY_CAST', operand, target, pos };
    }
    case 'EXISTS': {
      c.next();
      c.expectOp('(');
      const query = parseQuery(c);
      c.expectOp(')');
      return { kind: 'exists', query, pos };
    }
    case 'INTERVAL': return parseIntervalLiteral(c);
    case 'DATE': case 'TIME': case 'TIMESTAMP': case 'TIMESTAMP_LTZ':
      if (c.peek(1).kind === 'string') {
        c.next();
        return { kind: 'typedLiteral', type: word, value: c.string(), pos };
      }
      break;
    case 'ARRAY':
      if (c.isOp('[', 1)) {
        c.next(); c.next();
        const elements = c.isOp(']') ? [] : parseExprList(c);
        c.expectOp(']');
        return { kind: 'array', elements, pos };
      }
      if (callFollows && isQueryStartAt(c, 2)) {
        c.next(); c.next();
        const query = parseQuery(c);
        c.expectOp(')');
        return { kind: 'arrayQuery', query, pos };
      }
      break;
    case 'MAP':
      if (c.isOp('[', 1)) {
        c.next(); c.next();
        const entries: { key: Expr; value: Expr }[] = [];
        if (!c.isOp(']')) {
          do {
            const key = parseExpr(c);
            c.expectOp(',');
            entries.push({ key, value: parseExpr(c) });
          } while (c.acceptOp(','));
        }
        c.expectOp(']');
        return { kind: 'map', entries, pos };
      }
      break;
    case 'ROW':
      if (callFollows) {
        c.next(); c.next();
        const fields = c.isOp(')') ? [] : parseExprList(c);
        c.expectOp(')');
        return { kind: 'row', fields, explicit: true, pos };
      }
      break;
    case 'EXTRACT':
      if (callFollows) {
        c.next(); c.next();
        const unit = parseUnit(c);
        c.expectWords('FROM');
        const operand = parseExpr(c);
        c.expectOp(')');
        return { kind: 'extract', unit, operand, pos };
      }
      break;
    case 'DESCRIPTOR':
      if (callFollows) {
        c.next(); c.next();
        const columns = [c.identifier('a column name')];
        while (c.acceptOp(',')) columns.push(c.identifier('a column name'));
        c.expectOp(')');
        return { kind: 'descriptor', columns, pos };
      }
      break;
    case 'TABLE': {
      // A table argument of a table-valued function: `TABLE bid` or `TABLE bid PARTITION BY k`.
      c.next();
      const namePos = c.pos();
      const name = { parts: c.compoundIdentifier('a table name'), pos: namePos };
      const arg: ExprOf<'tableArg'> = { kind: 'tableArg', name, pos };
      if (c.acceptWords('PARTITION', 'BY')) {
        // One column, or several in parentheses: the next comma ends the table argument.
        const keys = parseExpr(c);
        arg.partitionBy = keys.kind === 'row' && !keys.explicit ? keys.fields : [keys];
      }
      return arg;
    }
    default:
      break;
  }
  if (NILADIC_FUNCTIONS.has(word) && !callFollows) {
    c.next();
    return { kind: 'call', name: [word], args: [], distinct: false, pos };
  }
  if (callFollows) return parseCall(c, [t.text], pos, true);
  return parseNameOrCall(c);
}

function isQueryStartAt(c: Cursor, ahead: number): boolean {
  return c.isAnyWord(['SELECT', 'WITH', 'VALUES'], ahead);
}

/** `a`, `a.b.c`, `t.*`, `cat.db.fn(x)`. */
function parseNameOrCall(c: Cursor): Expr {
  const pos = c.pos();
  const parts = [c.identifier('an expression')];
  for (;;) {
    if (c.isOp('.') && c.isOp('*', 1)) {
      c.next(); c.next();
      return { kind: 'star', qualifier: parts, pos };
    }
    if (c.isOp('.') && (c.isIdentifier(1) || c.peek(1).kind === 'word')) {
      c.next();
      // After a dot any word is a name (`t.value` would still need quotes in Flink; we are lenient).
      parts.push(c.next().value);
      continue;
    }
    break;
  }
  if (c.isOp('(')) return parseCall(c, parts, pos, false);
  return { kind: 'identifier', parts, pos };
}

const TRIM_FLAGS = ['BOTH', 'LEADING', 'TRAILING'];

function parseCall(c: Cursor, nameParts: string[], pos: Pos, consumeName: boolean): Expr {
  if (consumeName) c.next();
  c.expectOp('(');
  const upper = nameParts.length === 1 ? nameParts[0]!.toUpperCase() : '';
  const call: ExprOf<'call'> = { kind: 'call', name: nameParts, args: [], distinct: false, pos };
  if (c.acceptOp(')')) return parseCallSuffix(c, call);
  if (c.acceptWords('DISTINCT')) call.distinct = true;
  else c.acceptWords('ALL');
  if (upper === 'TRIM') {
    // TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) → TRIM(flag, chars, s)
    const flagTok = c.peek();
    let flag = 'BOTH';
    if (c.isAnyWord(TRIM_FLAGS)) { flag = flagTok.upper; c.next(); }
    let chars: Expr = { kind: 'string', value: ' ', pos };
    if (!c.acceptWords('FROM')) {
      const first = parseExpr(c);
      if (c.acceptWords('FROM')) chars = first;
      else { c.expectOp(')'); call.args = [{ kind: 'symbol', value: flag, pos }, chars, first]; return parseCallSuffix(c, call); }
    }
    call.args = [{ kind: 'symbol', value: flag, pos }, chars, parseExpr(c)];
    c.expectOp(')');
    return parseCallSuffix(c, call);
  }
  if (upper.startsWith('JSON_') && JSON_FUNCTIONS.has(upper)) return parseJsonCall(c, call, upper);
  if ((upper === 'TIMESTAMPADD' || upper === 'TIMESTAMPDIFF') && c.peek().kind === 'word' && TIME_UNITS[c.peek().upper] !== undefined) {
    call.args.push({ kind: 'symbol', value: parseUnit(c), pos: c.pos(c.previous()) });
    c.expectOp(',');
  }
  if (upper === 'POSITION') {
    // POSITION(a IN b): the first operand stops before IN.
    call.args.push(parseExpr(c, BP.RANGE));
    if (c.acceptWords('IN')) {
      call.args.push(parseExpr(c));
      c.expectOp(')');
      return parseCallSuffix(c, call);
    }
    c.expectOp(',');
  }
  for (;;) {
    call.args.push(parseArgument(c));
    if (upper === 'SUBSTRING' && c.isWord('FROM')) { c.next(); call.args.push(parseExpr(c)); if (c.acceptWords('FOR')) call.args.push(parseExpr(c)); break; }
    if ((upper === 'FLOOR' || upper === 'CEIL' || upper === 'CEILING') && c.acceptWords('TO')) {
      const at = c.pos();
      call.args.push({ kind: 'symbol', value: parseUnit(c), pos: at });
      break;
    }
    if (!c.acceptOp(',')) break;
  }
  // ARRAY_AGG(x IGNORE NULLS): Flink's documented form puts the null treatment inside the call
  acceptNullTreatment(c, call);
  c.expectOp(')');
  return parseCallSuffix(c, call);
}

/** `IGNORE NULLS` / `RESPECT NULLS` (inside or after a call); the validator decides where it is allowed. */
function acceptNullTreatment(c: Cursor, call: ExprOf<'call'>): void {
  if (c.acceptWords('IGNORE', 'NULLS')) call.nullTreatment = 'IGNORE';
  else if (c.acceptWords('RESPECT', 'NULLS')) call.nullTreatment = 'RESPECT';
}

const JSON_FUNCTIONS = new Set(['JSON_VALUE', 'JSON_QUERY', 'JSON_EXISTS', 'JSON_OBJECT', 'JSON_ARRAY']);

/** JSON functions with their SQL/JSON clauses (the opening parenthesis is consumed). */
function parseJsonCall(c: Cursor, call: ExprOf<'call'>, upper: string): Expr {
  const json: JsonClauses = { behaviors: [] };
  const onClause = (): boolean => {
    const mark = c.mark;
    let action: string | undefined;
    let dflt: Expr | undefined;
    if (c.acceptWords('DEFAULT')) { action = 'DEFAULT'; dflt = parseExpr(c, BP.RANGE); }
    else if (c.acceptWords('EMPTY', 'ARRAY')) action = 'EMPTY ARRAY';
    else if (c.acceptWords('EMPTY', 'OBJECT')) action = 'EMPTY OBJECT';
    else if (c.isAnyWord(['NULL', 'ERROR', 'TRUE', 'FALSE', 'UNKNOWN', 'ABSENT'])) action = c.next().upper;
    if (action === undefined) return false;
    if (!c.acceptWords('ON')) { c.reset(mark); return false; }
    const on = c.peek();
    if (!c.isAnyWord(['EMPTY', 'ERROR', 'NULL'])) c.fail('EMPTY, ERROR or NULL after ON');
    c.next();
    json.behaviors.push(dflt === undefined ? { on: on.upper as 'EMPTY', action } : { on: on.upper as 'EMPTY', action, default: dflt });
    return true;
  };
  if (upper === 'JSON_OBJECT') {
    // JSON_OBJECT([KEY] k VALUE v, ...) → args k1, v1, k2, v2, ...
    while (!c.isOp(')') && !onClause()) {
      c.acceptWords('KEY');
      call.args.push(parseExpr(c, BP.RANGE));
      c.expectWords('VALUE');
      call.args.push(parseExpr(c));
      if (!c.acceptOp(',')) break;
    }
    while (onClause()) { /* NULL|ABSENT ON NULL */ }
  } else if (upper === 'JSON_ARRAY') {
    while (!c.isOp(')') && !onClause()) {
      call.args.push(parseExpr(c));
      if (!c.acceptOp(',')) break;
    }
    while (onClause()) { /* NULL|ABSENT ON NULL */ }
  } else {
    call.args.push(parseExpr(c));
    c.expectOp(',');
    call.args.push(parseExpr(c));
    if (c.acceptWords('RETURNING')) json.returning = parseType(c);
    if (c.acceptWords('WITHOUT')) { c.acceptWords('ARRAY'); c.expectWords('WRAPPER'); json.wrapper = 'WITHOUT'; }
    else if (c.acceptWords('WITH')) {
      json.wrapper = c.acceptWords('CONDITIONAL') ? 'CONDITIONAL' : (c.acceptWords('UNCONDITIONAL'), 'UNCONDITIONAL');
      c.acceptWords('ARRAY');
      c.expectWords('WRAPPER');
    }
    while (onClause()) { /* ON EMPTY / ON ERROR */ }
  }
  c.expectOp(')');
  call.json = json;
  return parseCallSuffix(c, call);
}

/** An argument; `name => value` when named (window TVFs: `DATA => TABLE bid`, `SIZE => ...`). */
function parseArgument(c: Cursor): Expr {
  if (c.isIdentifier() && c.isOp('=>', 1)) {
    const pos = c.pos();
    const name = c.identifier();
    c.next();
    return { kind: 'namedArg', name, value: parseExpr(c), pos };
  }
  if (c.isOp('*')) {
    const pos = c.pos();
    c.next();
    return { kind: 'star', qualifier: [], pos };
  }
  return parseExpr(c);
}

function parseCallSuffix(c: Cursor, call: ExprOf<'call'>): Expr {
  if (c.isWord('FILTER') && c.isOp('(', 1)) {
    c.next(); c.next();
    c.expectWords('WHERE');
    call.filter = parseExpr(c);
    c.expectOp(')');
  }
  acceptNullTreatment(c, call);
  if (c.isWord('OVER')) {
    const pos = c.pos();
    c.next();
    if (c.isIdentifier()) call.over = { ref: c.identifier(), partitionBy: [], orderBy: [], pos };
    else call.over = parseWindowSpec(c);
  }
  return call;
}

/** `( [base] [PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE ...] )`. */
export function parseWindowSpec(c: Cursor): WindowSpec {
  const pos = c.pos();
  c.expectOp('(');
  const spec: WindowSpec = { partitionBy: [], orderBy: [], pos };
  if (c.isIdentifier() && !c.isAnyWord(['PARTITION', 'ORDER', 'ROWS', 'RANGE'])) spec.ref = c.identifier();
  if (c.acceptWords('PARTITION', 'BY')) spec.partitionBy = parseExprList(c);
  if (c.acceptWords('ORDER', 'BY')) spec.orderBy = parseOrderItems(c);
  if (c.isAnyWord(['ROWS', 'RANGE'])) {
    const framePos = c.pos();
    const unit = c.next().upper as 'ROWS' | 'RANGE';
    if (c.acceptWords('BETWEEN')) {
      const start = parseFrameBound(c);
      c.expectWords('AND');
      const end = parseFrameBound(c);
      spec.frame = { unit, start, end, pos: framePos };
    } else {
      spec.frame = { unit, start: parseFrameBound(c), pos: framePos };
    }
  }
  c.expectOp(')');
  return spec;
}

function parseFrameBound(c: Cursor): FrameBound {
  const pos = c.pos();
  if (c.acceptWords('UNBOUNDED', 'PRECEDING')) return { kind: 'unboundedPreceding', pos };
  if (c.acceptWords('UNBOUNDED', 'FOLLOWING')) return { kind: 'unboundedFollowing', pos };
  if (c.acceptWords('CURRENT', 'ROW')) return { kind: 'currentRow', pos };
  const offset = parseExpr(c, BP.ADD);
  if (c.acceptWords('PRECEDING')) return { kind: 'preceding', offset, pos };
  if (c.acceptWords('FOLLOWING')) return { kind: 'following', offset, pos };
  return c.fail('PRECEDING or FOLLOWING');
}

export function parseOrderItems(c: Cursor): OrderItem[] {
  const items: OrderItem[] = [];
  do {
    const pos = c.pos();
    const expr = parseExpr(c);
    let direction: 'ASC' | 'DESC' = 'ASC';
    if (c.acceptWords('DESC')) direction = 'DESC';
    else c.acceptWords('ASC');
    const item: OrderItem = { expr, direction, pos };
    if (c.acceptWords('NULLS', 'FIRST')) item.nulls = 'FIRST';
    else if (c.acceptWords('NULLS', 'LAST')) item.nulls = 'LAST';
    items.push(item);
  } while (c.acceptOp(','));
  return items;
}

function parseCase(c: Cursor): Expr {
  const pos = c.pos();
  c.expectWords('CASE');
  const node: ExprOf<'case'> = { kind: 'case', whens: [], pos };
  if (!c.isWord('WHEN')) node.operand = parseExpr(c);
  if (!c.isWord('WHEN')) c.fail('WHEN');
  while (c.acceptWords('WHEN')) {
    const when = parseExpr(c);
    c.expectWords('THEN');
    node.whens.push({ when, then: parseExpr(c) });
  }
  if (c.acceptWords('ELSE')) node.else = parseExpr(c);
  c.expectWords('END');
  return node;
}

function parseUnit(c: Cursor): string {
  const t = c.peek();
  const unit = t.kind === 'word' ? TIME_UNITS[t.upper] : undefined;
  if (unit === undefined) c.fail('a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, ...)');
  c.next();
  return unit;
}

/** `INTERVAL '4' SECOND`, `INTERVAL -'1' DAY`, `INTERVAL '1:30' HOUR TO MINUTE`, `INTERVAL '10' MINUTES`. */
function parseIntervalLiteral(c: Cursor): Expr {
  const pos = c.pos();
  c.expectWords('INTERVAL');
  let negative = false;
  if (c.acceptOp('-')) negative = true;
  else c.acceptOp('+');
  const t = c.peek();
  if (t.kind !== 'string' && t.kind !== 'number') c.fail("an interval value such as '10'");
  c.next();
  const q = parseIntervalQualifier(c);
  const node: ExprOf<'interval'> = { kind: 'interval', negative, value: t.value, resolution: q.resolution, pos };
  if (q.precision !== undefined) node.precision = q.precision;
  if (q.fractionalPrecision !== undefined) node.fractionalPrecision = q.fractionalPrecision;
  return node;
}
