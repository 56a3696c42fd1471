// Queries: WITH, SELECT, set operations, VALUES, ORDER BY / LIMIT, and the FROM clause with
// joins, FOR SYSTEM_TIME AS OF, table-valued functions (TABLE(TUMBLE(...)), LATERAL TABLE(...)),
// UNNEST and derived tables.
import type { Alias, Cte, Expr, ExprOf, GroupItem, Query, QueryBody, Select, SelectItem, TableOption, TableRef, Values, WindowSpec } from './ast.ts';
import { Cursor } from './cursor.ts';
import { tokenize } from './lexer.ts';
import { parseOptions } from './statement-parser.ts';
import { parseExpr, parseExprList, parseOrderItems, parseWindowSpec } from './expression-parser.ts';

/** True when a query starts here (possibly behind opening parentheses when `throughParens`). */
export function isQueryStart(c: Cursor, throughParens = false): boolean {
  let k = 0;
  if (throughParens) while (c.isOp('(', k)) k++;
  return c.isAnyWord(['SELECT', 'WITH', 'VALUES'], k);
}

export function parseQuery(c: Cursor): Query {
  const pos = c.pos();
  const query: Query = { kind: 'query', with: [], body: undefined as unknown as QueryBody, orderBy: [], pos };
  if (c.acceptWords('WITH')) {
    do query.with.push(parseCte(c));
    while (c.acceptOp(','));
  }
  query.body = parseUnion(c);
  if (c.isWord('ORDER')) {
    c.expectWords('ORDER', 'BY');
    query.orderBy = parseOrderItems(c);
  }
  if (c.acceptWords('LIMIT')) {
    if (!c.acceptWords('ALL')) query.limit = parseExpr(c);
  }
  if (c.acceptWords('OFFSET')) {
    query.offset = parseExpr(c);
    if (!c.acceptWords('ROWS')) c.acceptWords('ROW');
  }
  if (c.acceptWords('FETCH')) {
    if (!c.acceptWords('FIRST')) c.expectWords('NEXT');
    query.limit = parseExpr(c);
    if (!c.acceptWords('ROWS')) c.expectWords('ROW');
    c.expectWords('ONLY');
  }
  return query;
}

function parseCte(c: Cursor): Cte {
  const pos = c.pos();
  const name = c.identifier('a name for the WITH query');
  const cte: Cte = { name, query: undefined as unknown as Query, pos };
  if (c.acceptOp('(')) {
    cte.columns = identifierList(c, 'a column name');
    c.expectOp(')');
  }
  c.expectWords('AS');
  c.expectOp('(');
  cte.query = parseQuery(c);
  c.expectOp(')');
  return cte;
}

function parseUnion(c: Cursor): QueryBody {
  let left = parseIntersect(c);
  for (;;) {
    const pos = c.pos();
    let op: 'UNION' | 'EXCEPT';
    if (c.acceptWords('UNION')) op = 'UNION';
    else if (c.acceptWords('EXCEPT') || c.acceptWords('MINUS')) op = 'EXCEPT';
    else return left;
    const all = c.acceptWords('ALL');
    if (!all) c.acceptWords('DISTINCT');
    left = { kind: 'setOp', op, all, left, right: parseIntersect(c), pos };
  }
}

function parseIntersect(c: Cursor): QueryBody {
  let left = parseQueryPrimary(c);
  for (;;) {
    const pos = c.pos();
    if (!c.acceptWords('INTERSECT')) return left;
    const all = c.acceptWords('ALL');
    if (!all) c.acceptWords('DISTINCT');
    left = { kind: 'setOp', op: 'INTERSECT', all, left, right: parseQueryPrimary(c), pos };
  }
}

function parseQueryPrimary(c: Cursor): QueryBody {
  if (c.isWord('SELECT')) return parseSelect(c);
  if (c.isWord('VALUES')) return parseValues(c);
  if (c.isOp('(') && isQueryStart(c, true)) {
    c.next();
    const q = parseQuery(c);
    c.expectOp(')');
    return q;
  }
  return c.fail('SELECT, VALUES or WITH');
}

function parseValues(c: Cursor): Values {
  const pos = c.pos();
  c.expectWords('VALUES');
  const rows: Expr[][] = [];
  do {
    const e = parseExpr(c);
    rows.push(e.kind === 'row' ? e.fields : [e]);
  } while (c.acceptOp(','));
  return { kind: 'values', rows, pos };
}

function parseSelect(c: Cursor): Select {
  const pos = c.pos();
  c.expectWords('SELECT');
  const select: Select = { kind: 'select', distinct: false, items: [], groupBy: [], windows: [], pos };
  if (c.acceptWords('DISTINCT')) select.distinct = true;
  else c.acceptWords('ALL');
  do select.items.push(parseSelectItem(c));
  while (c.acceptOp(','));
  if (c.acceptWords('FROM')) select.from = parseFrom(c);
  if (c.acceptWords('WHERE')) select.where = parseExpr(c);
  if (c.isWord('GROUP')) {
    c.expectWords('GROUP', 'BY');
    do select.groupBy.push(parseGroupItem(c));
    while (c.acceptOp(','));
  }
  if (c.acceptWords('HAVING')) select.having = parseExpr(c);
  if (c.acceptWords('WINDOW')) {
    do {
      const wpos = c.pos();
      const name = c.identifier('a window name');
      c.expectWords('AS');
      const spec: WindowSpec = parseWindowSpec(c);
      select.windows.push({ name, spec, pos: wpos });
    } while (c.acceptOp(','));
  }
  return select;
}

function parseSelectItem(c: Cursor): SelectItem {
  const pos = c.pos();
  const expr = parseExpr(c);
  const item: SelectItem = { expr, pos };
  if (c.acceptWords('AS')) item.alias = c.identifier('an alias');
  else if (c.isIdentifier()) item.alias = c.identifier();
  return item;
}

function parseGroupItem(c: Cursor): GroupItem {
  const pos = c.pos();
  if (c.isOp('(') && c.isOp(')', 1)) { c.next(); c.next(); return { kind: 'empty', pos }; }
  if (c.acceptWords('GROUPING', 'SETS')) {
    c.expectOp('(');
    const sets: Expr[][] = [];
    do sets.push(groupingSet(c));
    while (c.acceptOp(','));
    c.expectOp(')');
    return { kind: 'groupingSets', sets, pos };
  }
  if (c.isAnyWord(['ROLLUP', 'CUBE']) && c.isOp('(', 1)) {
    const kind = c.next().upper === 'ROLLUP' ? 'rollup' : 'cube';
    c.expectOp('(');
    const sets: Expr[][] = [];
    do sets.push(groupingSet(c));
    while (c.acceptOp(','));
    c.expectOp(')');
    return { kind, sets, pos };
  }
  return { kind: 'expr', expr: parseExpr(c), pos };
}

/** One set of GROUPING SETS / ROLLUP / CUBE: `(a, b)`, `()` or `a`. */
function groupingSet(c: Cursor): Expr[] {
  if (c.isOp('(') && c.isOp(')', 1)) { c.next(); c.next(); return []; }
  const e = parseExpr(c);
  return e.kind === 'row' && !e.explicit ? e.fields : [e];
}

export function parseFrom(c: Cursor): TableRef {
  let left = parseTablePrimary(c);
  for (;;) {
    const pos = c.pos();
    if (c.acceptOp(',')) {
      left = { kind: 'join', joinType: 'COMMA', natural: false, left, right: parseTablePrimary(c), pos };
      continue;
    }
    const natural = c.acceptWords('NATURAL');
    let joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | undefined;
    if (c.acceptWords('JOIN') || c.acceptWords('INNER', 'JOIN')) joinType = 'INNER';
    else if (c.acceptWords('LEFT', 'JOIN') || c.acceptWords('LEFT', 'OUTER', 'JOIN')) joinType = 'LEFT';
    else if (c.acceptWords('RIGHT', 'JOIN') || c.acceptWords('RIGHT', 'OUTER', 'JOIN')) joinType = 'RIGHT';
    else if (c.acceptWords('FULL', 'JOIN') || c.acceptWords('FULL', 'OUTER', 'JOIN')) joinType = 'FULL';
    else if (c.acceptWords('CROSS', 'JOIN')) joinType = 'CROSS';
    if (joinType === undefined) {
      if (natural) c.fail('JOIN after NATURAL');
      return left;
    }
    const right = parseTablePrimary(c);
    const join: TableRef = { kind: 'join', joinType, natural, left, right, pos };
    if (joinType !== 'CROSS' && !natural) {
      if (c.acceptWords('ON')) join.on = parseExpr(c);
      else if (c.acceptWords('USING')) {
        c.expectOp('(');
        join.using = identifierList(c, 'a column name');
        c.expectOp(')');
      } else c.fail(`ON or USING after ${joinType} JOIN`);
    }
    left = join;
  }
}

function parseTablePrimary(c: Cursor): TableRef {
  const pos = c.pos();
  const lateral = c.acceptWords('LATERAL');
  if (c.isWord('TABLE') && c.isOp('(', 1)) {
    c.next(); c.next();
    const call = parseExpr(c);
    if (call.kind !== 'call') c.failAt(call.pos, 'expected a table function call inside TABLE(...)');
    c.expectOp(')');
    return withAlias(c, { kind: 'tableFunction', call: call as ExprOf<'call'>, lateral, pos });
  }
  if (c.isWord('UNNEST') && c.isOp('(', 1)) {
    c.next(); c.next();
    const args = parseExprList(c);
    c.expectOp(')');
    const withOrdinality = c.acceptWords('WITH', 'ORDINALITY');
    return withAlias(c, { kind: 'unnest', args, withOrdinality, pos });
  }
  if (c.isOp('(')) {
    if (isQueryStart(c, true)) {
      c.next();
      const query = parseQuery(c);
      c.expectOp(')');
      return withAlias(c, { kind: 'derived', query, lateral, pos });
    }
    if (lateral) c.fail('a subquery or TABLE(...) after LATERAL');
    c.next();
    const inner = parseFrom(c);
    c.expectOp(')');
    return inner;
  }
  if (lateral) c.fail('a subquery or TABLE(...) after LATERAL');
  const namePos = c.pos();
  const name = { parts: c.compoundIdentifier('a table name'), pos: namePos };
  const ref: Extract<TableRef, { kind: 'table' }> = { kind: 'table', name, pos };
  const hint = c.previous().hint;
  if (hint !== undefined) {
    const options = parseTableHints(hint);
    if (options.length > 0) ref.options = options;
  }
  if (c.acceptWords('FOR', 'SYSTEM_TIME', 'AS', 'OF')) ref.systemTimeAsOf = parseExpr(c);
  return withAlias(c, ref);
}

function withAlias<R extends TableRef>(c: Cursor, ref: R): R {
  let name: string | undefined;
  if (c.acceptWords('AS')) name = c.identifier('an alias');
  else if (c.isIdentifier()) name = c.identifier();
  if (name === undefined) return ref;
  const alias: Alias = { name };
  if (c.acceptOp('(')) {
    alias.columns = identifierList(c, 'a column alias');
    c.expectOp(')');
  }
  if (ref.kind !== 'join') (ref as Exclude<TableRef, { kind: 'join' }>).alias = alias;
  return ref;
}

/**
 * Table hints: `OPTIONS('k' = 'v', ...)` gives dynamic table options; other hints (LOOKUP,
 * STATE_TTL, join hints) are read and ignored for now.
 */
function parseTableHints(hint: { text: string; line: number; column: number }): TableOption[] {
  const padded = '\n'.repeat(hint.line - 1) + ' '.repeat(hint.column - 1) + hint.text;
  const c = new Cursor(padded, tokenize(padded));
  const options: TableOption[] = [];
  do {
    const name = c.identifier('a hint name such as OPTIONS');
    if (name.toUpperCase() === 'OPTIONS') options.push(...parseOptions(c));
    else if (c.acceptOp('(')) {
      let depth = 1;
      while (depth > 0 && !c.atEnd()) {
        if (c.isOp('(')) depth++;
        if (c.isOp(')')) depth--;
        c.next();
      }
    }
  } while (c.acceptOp(','));
  if (!c.atEnd()) c.fail("',' or the end of the hint");
  return options;
}

export function identifierList(c: Cursor, what: string): string[] {
  const list = [c.identifier(what)];
  while (c.acceptOp(',')) list.push(c.identifier(what));
  return list;
}
