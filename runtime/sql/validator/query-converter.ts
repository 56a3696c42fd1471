// Validates a query and builds its logical plan (Calcite's SqlToRelConverter, in one pass):
// FROM (tables with their computed columns and watermarks, views expanded, CTEs, joins,
// FOR SYSTEM_TIME AS OF, window table functions, LATERAL TABLE, UNNEST), WHERE, GROUP BY with
// aggregates and FILTER, legacy GROUP BY TUMBLE/HOP/SESSION, HAVING, OVER, SELECT, DISTINCT,
// UNION ALL, VALUES, ORDER BY / LIMIT.
import type { CatalogFunction, CatalogTable, CatalogView } from '../catalog/catalog-objects.ts';
import { pathToString } from '../catalog/catalog-objects.ts';
import { unparseExpr } from '../parser/unparse.ts';
import { SqlError } from '../errors.ts';
import type { FunctionDefinition } from '../functions/function-definition.ts';
import { WINDOW_TVF_PARAMETERS } from '../functions/builtins.ts';
import type { Expr, ExprOf, FrameBound, OrderItem, Pos, Query, QueryBody, Select, TableOption, TableRef, WindowSpec } from '../parser/ast.ts';
import type { AggCall, Field, FrameDef, LogicalNode, OverGroup, SortKey, WindowDef } from '../planner/logical-plan.ts';
import type { Rex } from '../planner/rex.ts';
import { call, inputRef, literal, rexEquals } from '../planner/rex.ts';
import { commonType, comparable } from '../types/coercion.ts';
import type { DataType } from '../types/data-type.ts';
import { T, timeAttributeOf, typeToString, withNullability, withoutTimeAttribute } from '../types/data-type.ts';
import { findAll } from './ast-walk.ts';
import type { ExprContext } from './expression-converter.ts';
import { castTo, convertExpr, lookupUdf } from './expression-converter.ts';
import { Scope } from './scope.ts';
import type { ResolveContext } from './table-resolver.ts';

interface CteDef {
  name: string;
  columns?: string[];
  query: Query;
}

interface Env {
  ctx: ResolveContext;
  ctes: Map<string, CteDef>;
  /** Views being expanded (to refuse a view that reads itself). */
  views: string[];
}

interface FromResult {
  node: LogicalNode;
  scope: Scope;
}

const fail = (message: string, pos: Pos): never => {
  throw new SqlError('MR_ERR_SQL_VALIDATE', message, pos);
};
/**
 * Flink 1.20 refuses COUNT with more than one argument, DISTINCT or not, while optimizing
 * ("We now only support the count of one field."), although its grammar and documentation show
 * `COUNT(DISTINCT expression1 [, expression2]*)`: refused here too, with the query that works.
 */
function refuseMultiArgumentCount(c: ExprOf<'call'>, fnName: string): void {
  if (fnName !== 'COUNT' || c.args.length < 2) return;
  const args = c.args.map((a) => unparseExpr(a)).join(', ');
  throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `COUNT(${c.distinct ? 'DISTINCT ' : ''}${args}): COUNT takes one argument (Flink SQL refuses more: "We now only support the count of one field."); count the distinct combinations in a subquery instead, e.g. SELECT k, COUNT(*) FROM (SELECT DISTINCT k, ${args} FROM t WHERE ${c.args.map((a) => `${unparseExpr(a)} IS NOT NULL`).join(' AND ')}) GROUP BY k`, c.pos);
}

/**
 * `IGNORE NULLS` / `RESPECT NULLS`: Flink (Calcite) allows them on ARRAY_AGG (and LAG/LEAD) only
 * and refuses them elsewhere with this message. True when the call ignores NULLs.
 */
function ignoresNulls(c: ExprOf<'call'>, fnName: string): boolean {
  if (c.nullTreatment === undefined) return false;
  if (fnName === 'ARRAY_AGG') return c.nullTreatment === 'IGNORE';
  if ((fnName === 'LAG' || fnName === 'LEAD') && c.over !== undefined) {
    if (c.nullTreatment === 'IGNORE') unsupported(`${fnName}(...) IGNORE NULLS is not supported yet; filter the NULLs in a subquery or drop IGNORE NULLS`, c.pos);
    return false;
  }
  return fail(`Cannot specify IGNORE NULLS or RESPECT NULLS following '${fnName}'`, c.pos);
}

const unsupported = (message: string, pos: Pos): never => {
  throw new SqlError('MR_ERR_SQL_UNSUPPORTED', message, pos);
};

export function convertQuery(query: Query, ctx: ResolveContext): LogicalNode {
  return queryToRel(query, { ctx, ctes: new Map(), views: [] });
}

function exprCtx(env: Env, scope: Scope, clause: string, substitute?: (e: Expr) => Rex | undefined): ExprContext {
  const c: ExprContext = { scope, functions: env.ctx.functions, catalog: env.ctx.catalog, clause };
  if (env.ctx.udfTypes) c.udfTypes = env.ctx.udfTypes;
  if (substitute) c.substitute = substitute;
  return c;
}

function queryToRel(query: Query, outer: Env): LogicalNode {
  const env: Env = { ...outer, ctes: new Map(outer.ctes) };
  for (const cte of query.with) {
    const def: CteDef = { name: cte.name, query: cte.query };
    if (cte.columns) def.columns = cte.columns;
    env.ctes.set(cte.name, def);
  }
  let node = bodyToRel(query.body, env);
  if (query.orderBy.length > 0 || query.limit !== undefined || query.offset !== undefined) {
    const scope = Scope.of([{ alias: undefined, fields: node.fields }]);
    const keys = query.orderBy.map((o) => sortKey(o, node.fields, scope, env));
    const sort: Extract<LogicalNode, { kind: 'Sort' }> = { kind: 'Sort', input: node, keys, fields: node.fields };
    if (query.limit !== undefined) sort.fetch = constantInt(query.limit, 'LIMIT');
    if (query.offset !== undefined) sort.offset = constantInt(query.offset, 'OFFSET');
    node = sort;
  }
  return node;
}

function constantInt(e: Expr, what: string): number {
  if (e.kind !== 'numeric' || !/^\d+$/.test(e.text)) return fail(`${what} must be a non-negative integer literal`, e.pos);
  return Number(e.text);
}

function sortKey(o: OrderItem, fields: Field[], scope: Scope, env: Env): SortKey {
  let index: number;
  if (o.expr.kind === 'numeric' && /^\d+$/.test(o.expr.text)) {
    index = Number(o.expr.text) - 1;
    if (index < 0 || index >= fields.length) fail(`Ordinal out of range: ORDER BY ${o.expr.text}, the query has ${fields.length} columns`, o.pos);
  } else {
    const rex = convertExpr(o.expr, exprCtx(env, scope, 'ORDER BY'));
    if (rex.kind !== 'inputRef') return unsupported('ORDER BY supports only columns of the SELECT list (by name or position)', o.pos);
    index = rex.index;
  }
  return { index, direction: o.direction, nulls: o.nulls ?? (o.direction === 'ASC' ? 'FIRST' : 'LAST') };
}

function bodyToRel(body: QueryBody, env: Env): LogicalNode {
  switch (body.kind) {
    case 'query': return queryToRel(body, env);
    case 'select': return selectToRel(body, env);
    case 'values': {
      const scope = new Scope();
      const rows = body.rows.map((r) => r.map((e) => convertExpr(e, exprCtx(env, scope, 'VALUES'))));
      const width = rows[0]!.length;
      if (rows.some((r) => r.length !== width)) fail('Values passed to VALUES operator must have compatible types: every row needs the same number of values', body.pos);
      const types = Array.from({ length: width }, (_, i) => commonType(rows.map((r) => r[i]!.type)) ?? fail(`Values passed to VALUES operator must have compatible types (column ${i + 1})`, body.pos));
      return { kind: 'Values', rows: rows.map((r) => r.map((x, i) => castTo(x, types[i]!))), fields: types.map((t, i) => ({ name: `EXPR$${i}`, type: t })) };
    }
    case 'setOp': {
      if (body.op !== 'UNION') return unsupported(`${body.op} is not supported yet; UNION ALL and UNION are`, body.pos);
      const left = bodyToRel(body.left, env);
      const right = bodyToRel(body.right, env);
      if (left.fields.length !== right.fields.length) fail(`Column count mismatch in UNION: the left side has ${left.fields.length} columns, the right side ${right.fields.length}`, body.pos);
      const types = left.fields.map((f, i) => {
        const t = commonType([f.type, right.fields[i]!.type]);
        if (t === undefined) fail(`Type mismatch in column ${i + 1} of UNION: ${typeToString(f.type)} and ${typeToString(right.fields[i]!.type)} have no common type`, body.pos);
        // A union keeps a time attribute only when both sides have the same one.
        const sameAttr = timeAttributeOf(f.type) !== undefined && timeAttributeOf(f.type) === timeAttributeOf(right.fields[i]!.type);
        return sameAttr ? { ...t!, timeAttribute: timeAttributeOf(f.type) } as DataType : t!;
      });
      const align = (n: LogicalNode): LogicalNode => {
        if (n.fields.every((f, i) => typeToString(f.type) === typeToString(types[i]!))) return n;
        const exprs = n.fields.map((f, i) => (timeAttributeOf(types[i]!) !== undefined ? inputRef(i, f.type) : castTo(inputRef(i, f.type), types[i]!)));
        return { kind: 'Project', input: n, exprs, fields: n.fields.map((f, i) => ({ name: f.name, type: exprs[i]!.type })) };
      };
      const fields = left.fields.map((f, i) => ({ name: f.name, type: types[i]! }));
      const union: LogicalNode = { kind: 'Union', inputs: [align(left), align(right)], all: body.all, fields };
      if (body.all) return union;
      return { kind: 'Aggregate', input: union, groupKeys: fields.map((_, i) => i), aggCalls: [], fields: fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) })) };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// FROM

function fromToRel(ref: TableRef, env: Env): FromResult {
  switch (ref.kind) {
    case 'table': {
      if (ref.systemTimeAsOf !== undefined) return unsupported('FOR SYSTEM_TIME AS OF is allowed only on the right side of a JOIN (a temporal or lookup join)', ref.pos);
      return namedRelation(ref.name.parts, ref.alias?.name ?? ref.name.parts[ref.name.parts.length - 1]!, ref.alias?.columns, ref.name.pos, env, ref.options);
    }
    case 'derived': {
      if (ref.lateral) return unsupported('LATERAL subqueries are not supported yet; use LATERAL TABLE(function(...))', ref.pos);
      const node = queryToRel(ref.query, env);
      return aliased(node, ref.alias?.name, ref.alias?.columns, ref.pos);
    }
    case 'tableFunction': {
      const name = ref.call.name[ref.call.name.length - 1]!.toUpperCase();
      if (ref.call.name.length === 1 && WINDOW_TVF_PARAMETERS[name] !== undefined) {
        const node = windowTvf(ref.call, name, env);
        return aliased(node, ref.alias?.name, ref.alias?.columns, ref.pos);
      }
      return unsupported(`table function ${ref.call.name.join('.')} must be joined to a table: FROM t, LATERAL TABLE(${ref.call.name.join('.')}(...))`, ref.pos);
    }
    case 'unnest': return unsupported('UNNEST must be joined to the table whose array it expands: FROM t CROSS JOIN UNNEST(t.arr) AS u (x)', ref.pos);
    case 'join': return joinToRel(ref, env);
  }
}

function aliased(node: LogicalNode, alias: string | undefined, columns: string[] | undefined, pos: Pos): FromResult {
  let fields = node.fields;
  if (columns !== undefined) {
    if (columns.length !== fields.length) fail(`List of column aliases must have same degree as table; table has ${fields.length} columns (${fields.map((f) => f.name).join(', ')}), whereas alias list has ${columns.length} columns`, pos);
    fields = fields.map((f, i) => ({ name: columns[i]!, type: f.type }));
    node = { kind: 'Project', input: node, exprs: node.fields.map((f, i) => inputRef(i, f.type)), fields };
  }
  return { node, scope: Scope.of([{ alias, fields }]) };
}

/** A table, a view or a CTE by name. */
function namedRelation(parts: string[], alias: string, columns: string[] | undefined, pos: Pos, env: Env, options?: TableOption[]): FromResult {
  if (parts.length === 1 && env.ctes.has(parts[0]!)) {
    const cte = env.ctes.get(parts[0]!)!;
    // A CTE sees the CTEs defined before it, not itself.
    const inner: Env = { ...env, ctes: new Map([...env.ctes].filter(([k]) => k !== cte.name)) };
    const node = queryToRel(cte.query, inner);
    return aliased(node, alias, columns ?? cte.columns, pos);
  }
  const path = env.ctx.catalog.qualify(parts, pos);
  const rel = env.ctx.catalog.getRelation(path);
  if (rel === undefined) {
    return fail(`Object '${parts.join('.')}' not found within '${path.catalog}.${path.database}'${suggestTable(env, path.name)}`, pos);
  }
  if (options !== undefined && (rel.kind === 'view' || env.ctes.has(parts[0]!))) {
    fail(`View '${pathToString(path)}' cannot be enriched with new options. Hints can only be applied to tables.`, pos);
  }
  if (rel.kind === 'view') return aliased(expandView(rel, pos, env), alias, columns, pos);
  // Dynamic table options (`/*+ OPTIONS(...) */`) override the table's WITH options for this query.
  const table = options === undefined ? rel : { ...rel, options: { ...rel.options, ...Object.fromEntries(options.map((o) => [o.key, o.value])) } };
  return aliased(scanTable(table, env), alias, columns, pos);
}

function suggestTable(env: Env, name: string): string {
  const names = env.ctx.catalog.listRelations();
  const same = names.find((n) => n.toLowerCase() === name.toLowerCase());
  return same !== undefined ? `; did you mean '${same}'? (names are case-sensitive)` : '';
}

function expandView(view: CatalogView, pos: Pos, env: Env): LogicalNode {
  const key = pathToString(view.path);
  if (env.views.includes(key)) return fail(`View '${key}' refers to itself`, pos);
  const node = queryToRel(view.query, { ctx: env.ctx, ctes: new Map(), views: [...env.views, key] });
  if (view.columnNames === undefined) return node;
  return aliased(node, undefined, view.columnNames, pos).node;
}

/** Scan of the physical and metadata columns, computed columns on top, then the watermark. */
export function scanTable(table: CatalogTable, env: Env | { ctx: ResolveContext }): LogicalNode {
  const cols = table.schema.columns;
  const readIdx = cols.map((c, i) => (c.kind === 'computed' ? -1 : i)).filter((i) => i >= 0);
  const scanFields = readIdx.map((i) => ({ name: cols[i]!.name, type: withoutTimeAttribute(cols[i]!.type) }));
  let node: LogicalNode = { kind: 'TableScan', table, fields: scanFields, projection: readIdx, filters: [] };
  if (cols.some((c) => c.kind === 'computed')) {
    const scope = Scope.of([{ alias: undefined, fields: scanFields }]);
    const ectx: ExprContext = { scope, functions: env.ctx.functions, catalog: env.ctx.catalog, clause: 'a computed column' };
    if (env.ctx.udfTypes) ectx.udfTypes = env.ctx.udfTypes;
    const exprs = cols.map((c) => (c.kind === 'computed' ? convertExpr(c.expr, ectx) : inputRef(readIdx.indexOf(cols.indexOf(c)), withoutTimeAttribute(c.type))));
    node = { kind: 'Project', input: node, exprs, fields: cols.map((c, i) => ({ name: c.name, type: c.kind === 'computed' ? exprs[i]!.type : withoutTimeAttribute(c.type) })) };
  }
  const wm = table.schema.watermark;
  if (wm !== undefined) {
    const rowtimeIndex = cols.findIndex((c) => c.name === wm.column);
    const scope = Scope.of([{ alias: undefined, fields: node.fields }]);
    const watermark = convertExpr(wm.expr, { scope, functions: env.ctx.functions, catalog: env.ctx.catalog, clause: 'the WATERMARK clause' });
    const fields = node.fields.map((f, i) => (i === rowtimeIndex ? { name: f.name, type: cols[i]!.type } : f));
    node = { kind: 'WatermarkAssigner', input: node, rowtimeIndex, watermark, fields };
  }
  return node;
}

function joinToRel(ref: Extract<TableRef, { kind: 'join' }>, env: Env): FromResult {
  const left = fromToRel(ref.left, env);
  const r = ref.right;
  // LATERAL TABLE(f(...)) and UNNEST(...) on the right: a correlate over the left side.
  if (r.kind === 'tableFunction' && !(r.call.name.length === 1 && WINDOW_TVF_PARAMETERS[r.call.name[0]!.toUpperCase()] !== undefined)) {
    return tableFunctionJoin(ref, left, r, env);
  }
  if (r.kind === 'unnest') return unnestJoin(ref, left, r, env);
  const right = r.kind === 'table' && r.systemTimeAsOf !== undefined
    ? namedRelation(r.name.parts, r.alias?.name ?? r.name.parts[r.name.parts.length - 1]!, r.alias?.columns, r.name.pos, env)
    : fromToRel(r, env);
  const outerLeft = ref.joinType === 'RIGHT' || ref.joinType === 'FULL';
  const outerRight = ref.joinType === 'LEFT' || ref.joinType === 'FULL';
  const nullable = (fs: Field[], yes: boolean): Field[] => (yes ? fs.map((f) => ({ name: f.name, type: withNullability(f.type, true) })) : fs);
  const scope = new Scope();
  for (const rel of left.scope.relations) scope.add(rel.alias, rel.fields);
  for (const rel of right.scope.relations) scope.add(rel.alias, rel.fields);
  let condition: Rex = literal(true, T.boolean(false));
  if (ref.on !== undefined) {
    condition = convertExpr(ref.on, exprCtx(env, scope, 'ON'));
    if (condition.type.root !== 'BOOLEAN') fail(`ON condition must be a boolean expression, but is of type ${typeToString(condition.type)}`, ref.on.pos);
  } else if (ref.using !== undefined || ref.natural) {
    const names = ref.using ?? left.node.fields.map((f) => f.name).filter((n) => right.node.fields.some((g) => g.name === n));
    const parts = names.map((n) => {
      const li = left.node.fields.findIndex((f) => f.name === n);
      const ri = right.node.fields.findIndex((f) => f.name === n);
      if (li < 0 || ri < 0) fail(`Column '${n}' of USING not found in ${li < 0 ? 'the left' : 'the right'} table`, ref.pos);
      const lt = left.node.fields[li]!.type;
      const rt = right.node.fields[ri]!.type;
      return call('=', [inputRef(li, lt), inputRef(left.node.fields.length + ri, rt)], T.boolean(lt.nullable || rt.nullable));
    });
    if (parts.length > 0) condition = parts.length === 1 ? parts[0]! : call('AND', parts, T.boolean());
  }
  const joinType = ref.joinType === 'COMMA' || ref.joinType === 'CROSS' ? 'INNER' : ref.joinType;
  let variant: Extract<LogicalNode, { kind: 'Join' }>['variant'] = { kind: 'regular' };
  if (r.kind === 'table' && r.systemTimeAsOf !== undefined) {
    const asOf = convertExpr(r.systemTimeAsOf, exprCtx(env, left.scope, 'FOR SYSTEM_TIME AS OF'));
    const attr = timeAttributeOf(asOf.type);
    if (asOf.kind !== 'inputRef' || attr === undefined) {
      fail("Temporal table join currently only supports 'FOR SYSTEM_TIME AS OF' left table's time attribute field", r.systemTimeAsOf.pos);
    }
    if (joinType !== 'INNER' && joinType !== 'LEFT') fail('Temporal table join supports only INNER JOIN and LEFT JOIN', ref.pos);
    variant = attr === 'ROWTIME' ? { kind: 'temporal', leftTime: (asOf as { index: number }).index } : { kind: 'lookup', leftTime: (asOf as { index: number }).index };
  }
  // A regular join materializes time attributes (they are no longer ordered by watermarks);
  // the temporal/lookup join keeps the left's.
  const keepTime = variant.kind !== 'regular';
  const lf = nullable(left.node.fields, outerLeft).map((f) => (keepTime ? f : { name: f.name, type: withoutTimeAttribute(f.type) }));
  const rf = nullable(right.node.fields, outerRight).map((f) => ({ name: f.name, type: keepTime ? withoutTimeAttribute(f.type) : withoutTimeAttribute(f.type) }));
  const node: LogicalNode = { kind: 'Join', left: left.node, right: right.node, joinType, condition, variant, fields: [...lf, ...rf] };
  // The scope after the join: same relations, with the join's nullability and time attributes.
  const outScope = new Scope();
  let k = 0;
  for (const rel of scope.relations) {
    outScope.add(rel.alias, rel.fields.map((f) => {
      const g = node.fields[k++]!;
      return { name: f.name, type: g.type };
    }));
  }
  return { node, scope: outScope };
}

function unnestJoin(ref: Extract<TableRef, { kind: 'join' }>, left: FromResult, r: Extract<TableRef, { kind: 'unnest' }>, env: Env): FromResult {
  if (ref.joinType !== 'CROSS' && ref.joinType !== 'COMMA' && ref.joinType !== 'INNER' && ref.joinType !== 'LEFT') fail('UNNEST can be joined with CROSS JOIN, INNER JOIN or LEFT JOIN only', ref.pos);
  if (r.args.length !== 1) return unsupported('UNNEST of several arrays at once is not supported yet', r.pos);
  const arg = convertExpr(r.args[0]!, exprCtx(env, left.scope, 'UNNEST'));
  const t = arg.type;
  let cols: Field[];
  if (t.root === 'ARRAY' || t.root === 'MULTISET') cols = t.element.root === 'ROW' ? t.element.fields.map((f) => ({ name: f.name, type: f.type })) : [{ name: 'EXPR$0', type: t.element }];
  else if (t.root === 'MAP') cols = [{ name: 'EXPR$0', type: t.key }, { name: 'EXPR$1', type: t.value }];
  else return fail(`UNNEST needs an ARRAY, MULTISET or MAP, but the argument is of type ${typeToString(t)}`, r.args[0]!.pos);
  if (r.withOrdinality) cols.push({ name: 'ORDINALITY', type: T.int(false) });
  if (r.alias?.columns) {
    if (r.alias.columns.length !== cols.length) fail(`UNNEST produces ${cols.length} columns, but the alias names ${r.alias.columns.length}`, r.pos);
    cols = cols.map((c, i) => ({ name: r.alias!.columns![i]!, type: c.type }));
  }
  const joinType = ref.joinType === 'LEFT' ? 'LEFT' : 'INNER';
  if (joinType === 'LEFT') cols = cols.map((c) => ({ name: c.name, type: withNullability(c.type, true) }));
  const node: LogicalNode = { kind: 'Correlate', input: left.node, fn: r.withOrdinality ? 'UNNEST_WITH_ORDINALITY' : 'UNNEST', args: [arg], joinType, fields: [...left.node.fields, ...cols] };
  const scope = new Scope();
  for (const rel of left.scope.relations) scope.add(rel.alias, rel.fields);
  scope.add(r.alias?.name, cols);
  let out: FromResult = { node, scope };
  if (ref.on !== undefined) {
    const cond = convertExpr(ref.on, exprCtx(env, scope, 'ON'));
    if (!(cond.kind === 'literal' && cond.value === true)) out = { node: { kind: 'Filter', input: node, condition: cond, fields: node.fields }, scope };
  }
  return out;
}

/**
 * `FROM t, LATERAL TABLE(f(x)) [AS T(a, b)]`, `CROSS JOIN` / `JOIN ... ON TRUE` and
 * `LEFT JOIN LATERAL TABLE(f(x)) ON TRUE` with a user-defined table function: a Correlate over the
 * left side, like Flink's (its result row type declared by the function's module).
 */
function tableFunctionJoin(ref: Extract<TableRef, { kind: 'join' }>, left: FromResult, r: Extract<TableRef, { kind: 'tableFunction' }>, env: Env): FromResult {
  const name = r.call.name.join('.');
  if (!r.lateral) fail(`table function ${name} must be called with LATERAL: LATERAL TABLE(${name}(...))`, r.pos);
  const udf = lookupUdf(r.call, env.ctx);
  if (udf === undefined) {
    const builtin = r.call.name.length === 1 ? env.ctx.functions.lookup(r.call.name[0]!) : undefined;
    return fail(builtin !== undefined
      ? `${name} is not a table function; LATERAL TABLE(...) calls a user-defined table function (CREATE FUNCTION f AS 'module.ts#export' LANGUAGE JAVASCRIPT); to expand an array use CROSS JOIN UNNEST(...)`
      : `No match found for table function ${name}: register it with CREATE FUNCTION ${name} AS 'module.ts#export' LANGUAGE JAVASCRIPT`, r.call.pos);
  }
  if (ref.joinType !== 'CROSS' && ref.joinType !== 'COMMA' && ref.joinType !== 'INNER' && ref.joinType !== 'LEFT') fail('LATERAL TABLE can be joined with a comma, CROSS JOIN, INNER JOIN or LEFT JOIN only', ref.pos);
  const scope = new Scope();
  for (const rel of left.scope.relations) scope.add(rel.alias, rel.fields);
  const ctx = exprCtx(env, left.scope, 'LATERAL TABLE');
  if (r.call.distinct || r.call.filter || r.call.over) fail(`DISTINCT, FILTER and OVER are not allowed in a table function call`, r.call.pos);
  const args = r.call.args.map((a) => (a.kind === 'star' ? fail(`'*' is not an argument of a table function`, a.pos) : convertExpr(a, ctx)));
  if (env.ctx.udfTypes === undefined || udf.language !== 'JAVASCRIPT') {
    throw new SqlError('MR_ERR_SQL_UNSUPPORTED', udf.language === 'JAVASCRIPT'
      ? `function '${name}' (${udf.identifier}) has no known types yet: its module is loaded when the job is built`
      : `function '${name}' is a ${udf.language} function (${udf.identifier}): Millrace runs user-defined functions written in TypeScript/JavaScript; register one with CREATE FUNCTION ${name} AS 'module.ts#export' LANGUAGE JAVASCRIPT`, r.call.pos);
  }
  const t = env.ctx.udfTypes(udf, args.map((a) => a.type), r.call.pos, 'table');
  // A ROW result spreads into its fields; any other type is one column, named f0 as in Flink.
  let cols: Field[] = t.root === 'ROW' ? t.fields.map((f) => ({ name: f.name, type: f.type })) : [{ name: 'f0', type: t }];
  if (r.alias?.columns) {
    if (r.alias.columns.length !== cols.length) fail(`List of column aliases must have same degree as table; the table function ${name} returns ${cols.length} columns (${cols.map((c) => c.name).join(', ')}), whereas alias list has ${r.alias.columns.length} columns`, r.pos);
    cols = cols.map((c, i) => ({ name: r.alias!.columns![i]!, type: c.type }));
  }
  const joinType = ref.joinType === 'LEFT' ? 'LEFT' : 'INNER';
  if (joinType === 'LEFT') cols = cols.map((c) => ({ name: c.name, type: withNullability(c.type, true) }));
  const node: LogicalNode = { kind: 'Correlate', input: left.node, fn: udf.path.name, args, joinType, fields: [...left.node.fields, ...cols] };
  scope.add(r.alias?.name ?? udf.path.name, cols);
  if (ref.on === undefined) return { node, scope };
  const cond = convertExpr(ref.on, exprCtx(env, scope, 'ON'));
  if (cond.kind === 'literal' && cond.value === true) return { node, scope };
  // Flink allows only ON TRUE for a LEFT JOIN with a table function; an inner join filters.
  if (joinType === 'LEFT') fail('LEFT JOIN with a table function supports only ON TRUE as its condition; filter the rows in WHERE or in the function', ref.on.pos);
  return { node: { kind: 'Filter', input: node, condition: cond, fields: node.fields }, scope };
}

/** FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL ...)) and HOP, CUMULATE, SESSION. */
function windowTvf(callExpr: ExprOf<'call'>, name: string, env: Env): LogicalNode {
  const params = WINDOW_TVF_PARAMETERS[name]!;
  const byName = new Map<string, Expr>();
  const named = callExpr.args.some((a) => a.kind === 'namedArg');
  callExpr.args.forEach((a, i) => {
    if (named) {
      if (a.kind !== 'namedArg') fail(`${name}: all arguments must be named once one is (${params.join(', ')})`, a.pos);
      const n = (a as ExprOf<'namedArg'>).name.toUpperCase();
      if (!params.includes(n)) fail(`${name} has no parameter '${(a as ExprOf<'namedArg'>).name}'; its parameters are ${params.join(', ')}`, a.pos);
      byName.set(n, (a as ExprOf<'namedArg'>).value);
    } else {
      if (i >= params.length) fail(`${name} takes at most ${params.length} arguments (${params.join(', ')})`, a.pos);
      byName.set(params[i]!, a);
    }
  });
  const required = name === 'SESSION' ? ['DATA', 'TIMECOL', 'GAP'] : params.filter((p) => p !== 'OFFSET');
  for (const p of required) if (!byName.has(p)) fail(`${name}: missing argument ${p} (${name}(${params.join(', ')}))`, callExpr.pos);
  const data = byName.get('DATA')!;
  if (data.kind !== 'tableArg' || data.name === undefined) return fail(`The first argument of ${name} must be a table: TABLE name`, data.pos);
  const input = namedRelation(data.name.parts, data.name.parts[data.name.parts.length - 1]!, undefined, data.name.pos, env);
  const timecol = byName.get('TIMECOL')!;
  if (timecol.kind !== 'descriptor') return fail(`The TIMECOL argument of ${name} must be DESCRIPTOR(column)`, timecol.pos);
  if (timecol.columns.length !== 1) fail(`DESCRIPTOR of ${name} must name exactly one time attribute column`, timecol.pos);
  const timeIndex = input.node.fields.findIndex((f) => f.name === timecol.columns[0]);
  if (timeIndex < 0) fail(`Column '${timecol.columns[0]}' of DESCRIPTOR not found in ${data.name.parts.join('.')}`, timecol.pos);
  const timeType = input.node.fields[timeIndex]!.type;
  const attr = timeAttributeOf(timeType);
  if (attr === undefined) fail(`The window function requires the timecol is a time attribute type, but is ${typeToString(timeType)}.`, timecol.pos);
  const interval = (p: string): number => {
    const e = byName.get(p)!;
    const rex = convertExpr(e, exprCtx(env, new Scope(), name));
    if (rex.kind !== 'literal' || rex.type.root !== 'INTERVAL_DAY_TIME' || typeof rex.value !== 'number') return fail(`The ${p} argument of ${name} must be an INTERVAL literal such as INTERVAL '10' SECOND`, e.pos);
    if (rex.value <= 0 && p !== 'OFFSET') fail(`The ${p} of ${name} must be positive`, e.pos);
    return rex.value;
  };
  let window: WindowDef;
  const offset = byName.has('OFFSET') ? interval('OFFSET') : undefined;
  switch (name) {
    case 'TUMBLE': window = { kind: 'TUMBLE', timeIndex, size: interval('SIZE') }; break;
    case 'HOP': {
      window = { kind: 'HOP', timeIndex, slide: interval('SLIDE'), size: interval('SIZE') };
      if (window.size % window.slide !== 0) fail(`HOP table function based aggregate requires size must be an integral multiple of slide, but got size ${window.size} ms and slide ${window.slide} ms.`, callExpr.pos);
      break;
    }
    case 'CUMULATE': {
      window = { kind: 'CUMULATE', timeIndex, step: interval('STEP'), size: interval('SIZE') };
      if (window.size % window.step !== 0) fail(`CUMULATE table function based aggregate requires maxSize must be an integral multiple of step, but got maxSize ${window.size} ms and step ${window.step} ms.`, callExpr.pos);
      break;
    }
    default: {
      const keys = data.partitionBy?.map((k) => convertExpr(k, exprCtx(env, input.scope, 'PARTITION BY'))) ?? [];
      const partitionKeys = keys.map((k, i) => (k.kind === 'inputRef' ? k.index : fail('PARTITION BY of SESSION must name columns', data.partitionBy![i]!.pos)));
      window = { kind: 'SESSION', timeIndex, gap: interval('GAP'), partitionKeys };
    }
  }
  if (offset !== undefined && window.kind !== 'SESSION') window.offset = offset;
  const ltz = timeType.root === 'TIMESTAMP_LTZ';
  const boundary = ltz ? T.timestampLtz(3, false) : T.timestamp(3, false);
  const windowTime: DataType = { root: ltz ? 'TIMESTAMP_LTZ' : 'TIMESTAMP', precision: 3, nullable: false, timeAttribute: attr! } as DataType;
  return {
    kind: 'WindowTableFunction',
    input: input.node,
    window,
    fields: [...input.node.fields, { name: 'window_start', type: boundary }, { name: 'window_end', type: boundary }, { name: 'window_time', type: windowTime }],
  };
}

// ---------------------------------------------------------------------------------------------
// SELECT

function lookupFn(env: Env, e: Expr): FunctionDefinition | undefined {
  if (e.kind !== 'call' || e.name.length !== 1) return undefined;
  if (env.ctx.catalog.getSystemFunction(e.name[0]!) !== undefined) return undefined;
  return env.ctx.functions.lookup(e.name[0]!);
}

/** A JAVASCRIPT user-defined aggregate function called by `e` (udf/udf-kinds.ts). */
function aggregateUdf(env: Env, e: Expr): CatalogFunction | undefined {
  if (e.kind !== 'call' || env.ctx.udfTypes?.kindOf === undefined) return undefined;
  const udf = lookupUdf(e, env.ctx);
  if (udf === undefined || udf.language !== 'JAVASCRIPT') return undefined;
  return env.ctx.udfTypes.kindOf(udf, e.pos) === 'aggregate' ? udf : undefined;
}

const isAggregateCall = (env: Env) => (e: Expr): boolean => e.kind === 'call' && e.over === undefined && (lookupFn(env, e)?.kind === 'aggregate' || aggregateUdf(env, e) !== undefined);
const isOverCall = (e: Expr): boolean => e.kind === 'call' && e.over !== undefined;

function fieldName(e: Expr, alias: string | undefined, i: number): string {
  if (alias !== undefined) return alias;
  if (e.kind === 'identifier') return e.parts[e.parts.length - 1]!;
  if (e.kind === 'field') return e.name;
  return `EXPR$${i}`;
}

function selectToRel(select: Select, env: Env): LogicalNode {
  const from: FromResult = select.from !== undefined ? fromToRel(select.from, env) : { node: { kind: 'Values', rows: [[]], fields: [] }, scope: new Scope() };
  let node = from.node;
  let scope = from.scope;
  if (select.where !== undefined) {
    for (const agg of findAll(select.where, isAggregateCall(env))) fail(`Aggregate expression is illegal in WHERE clause: ${agg.kind === 'call' ? agg.name.join('.') : ''}(...)`, agg.pos);
    // `x IN (SELECT ...)` as a top-level conjunct becomes a semi join (Flink's SubQueryRemoveRule).
    const rest: Expr[] = [];
    for (const c of topConjuncts(select.where)) {
      if (c.kind === 'inQuery' && !c.negated) node = semiJoin(node, scope, c, env);
      else rest.push(c);
    }
    if (rest.length > 0) {
      const where = rest.reduce((a, b) => ({ kind: 'binary', op: 'AND', left: a, right: b, pos: a.pos }) as Expr);
      const condition = convertExpr(where, exprCtx(env, scope, 'WHERE'));
      if (condition.type.root !== 'BOOLEAN' && condition.type.root !== 'NULL') fail(`WHERE clause must be a condition, but is of type ${typeToString(condition.type)}`, select.where.pos);
      node = { kind: 'Filter', input: node, condition, fields: node.fields };
    }
  }

  // Expand * and t.* into the columns they stand for.
  // A star column also keeps its position, so two nameless derived tables with the same column
  // names do not make `SELECT *` ambiguous.
  const items: { expr: Expr; name: string; pos: Pos; ref?: number }[] = [];
  select.items.forEach((item, i) => {
    if (item.expr.kind === 'star') {
      const q = item.expr.qualifier;
      const rels = q.length === 0 ? scope.relations : scope.relations.filter((r) => r.alias === q[q.length - 1]);
      if (rels.length === 0) fail(`Unknown table '${q.join('.')}' in ${q.join('.')}.*`, item.pos);
      for (const rel of rels) {
        rel.fields.forEach((f, k) => items.push({ expr: { kind: 'identifier', parts: rel.alias !== undefined ? [rel.alias, f.name] : [f.name], pos: item.pos }, name: f.name, pos: item.pos, ref: rel.offset + k }));
      }
      return;
    }
    items.push({ expr: item.expr, name: fieldName(item.expr, item.alias, i), pos: item.pos });
  });

  const aggregates = [...items.map((i) => i.expr), ...(select.having ? [select.having] : [])].flatMap((e) => findAll(e, isAggregateCall(env)));
  let substitute: ((e: Expr) => Rex | undefined) | undefined;
  if (select.groupBy.length > 0 || aggregates.length > 0) {
    const agg = aggregateToRel(select, node, scope, aggregates, env);
    node = agg.node;
    substitute = agg.substitute;
    scope = new Scope();
    if (select.having !== undefined) {
      const condition = convertExpr(select.having, exprCtx(env, scope, 'HAVING', substitute));
      if (condition.type.root !== 'BOOLEAN') fail(`HAVING clause must be a condition, but is of type ${typeToString(condition.type)}`, select.having.pos);
      node = { kind: 'Filter', input: node, condition, fields: node.fields };
    }
  } else if (select.having !== undefined) {
    fail('HAVING needs GROUP BY or an aggregate function', select.having.pos);
  }

  const overs = items.flatMap((i) => findAll(i.expr, isOverCall));
  if (overs.length > 0) {
    const over = overToRel(select, node, scope, substitute, overs as ExprOf<'call'>[], env);
    node = over.node;
    scope = over.scope;
    const inner = substitute;
    const overSub = over.substitute;
    substitute = (e) => overSub(e) ?? inner?.(e);
  }

  const exprs = items.map((i) => (i.ref !== undefined && substitute === undefined ? inputRef(i.ref, scope.fields[i.ref]!.type) : convertExpr(i.expr, exprCtx(env, scope, 'SELECT', substitute))));
  let out: LogicalNode = { kind: 'Project', input: node, exprs, fields: items.map((i, k) => ({ name: i.name, type: exprs[k]!.type })) };
  if (select.distinct) {
    out = { kind: 'Aggregate', input: out, groupKeys: out.fields.map((_, i) => i), aggCalls: [], fields: out.fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) })) };
  }
  return out;
}

function topConjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...topConjuncts(e.left), ...topConjuncts(e.right)] : [e];
}

/** `x IN (SELECT y ...)` (uncorrelated): the rows of the input with a match, each once. */
function semiJoin(input: LogicalNode, scope: Scope, e: ExprOf<'inQuery'>, env: Env): LogicalNode {
  const right = queryToRel(e.query, env);
  const operands = e.operand.kind === 'row' ? e.operand.fields : [e.operand];
  if (operands.length !== right.fields.length) fail(`The subquery of IN returns ${right.fields.length} columns, but ${operands.length} value${operands.length === 1 ? ' is' : 's are'} compared with it`, e.pos);
  const width = input.fields.length;
  const parts = operands.map((o, i) => {
    const l = convertExpr(o, exprCtx(env, scope, 'IN'));
    const rt = right.fields[i]!.type;
    if (!comparable(l.type, rt)) fail(`Values passed to IN operator must have compatible types: ${typeToString(l.type)} and ${typeToString(rt)}`, o.pos);
    return call('=', [l, inputRef(width + i, withoutTimeAttribute(rt))], T.boolean(l.type.nullable || rt.nullable));
  });
  const condition = parts.length === 1 ? parts[0]! : call('AND', parts, T.boolean());
  return { kind: 'Join', left: input, right, joinType: 'SEMI', condition, variant: { kind: 'regular' }, fields: input.fields };
}

interface AggregateResult {
  node: LogicalNode;
  substitute: (e: Expr) => Rex | undefined;
}

const GROUP_WINDOWS = new Set(['TUMBLE', 'HOP', 'SESSION']);

function aggregateToRel(select: Select, input: LogicalNode, scope: Scope, aggregates: Expr[], env: Env): AggregateResult {
  const inCtx = exprCtx(env, scope, 'GROUP BY');
  const pre: Rex[] = [];
  const preIndex = (rex: Rex): number => {
    const i = pre.findIndex((p) => rexEquals(p, rex));
    if (i >= 0) return i;
    pre.push(rex);
    return pre.length - 1;
  };
  const groupRex: Rex[] = [];
  const groupNames: string[] = [];
  let legacy: { name: string; call: ExprOf<'call'>; window: WindowDef } | undefined;
  for (const g of select.groupBy) {
    if (g.kind !== 'expr') return unsupported('GROUPING SETS, ROLLUP and CUBE are not supported yet', g.pos);
    const e = g.expr;
    const upper = e.kind === 'call' && e.name.length === 1 ? e.name[0]!.toUpperCase() : '';
    if (GROUP_WINDOWS.has(upper) && lookupFn(env, e)?.kind === 'groupWindow') {
      if (legacy !== undefined) fail('Only one group window is allowed in GROUP BY', e.pos);
      legacy = { name: upper, call: e as ExprOf<'call'>, window: legacyWindow(e as ExprOf<'call'>, upper, inCtx, preIndex) };
      continue;
    }
    for (const a of findAll(e, isAggregateCall(env))) fail('Aggregate expression is illegal in GROUP BY clause', a.pos);
    const rex = convertExpr(e, inCtx);
    groupRex.push(rex);
    groupNames.push(e.kind === 'identifier' ? e.parts[e.parts.length - 1]! : e.kind === 'field' ? e.name : `$f${groupRex.length - 1}`);
  }
  // Group keys first in the pre-projection so their indexes are 0..n-1 (window time column after).
  const groupIdx = groupRex.map((r) => {
    pre.push(r);
    return pre.length - 1;
  });
  if (legacy !== undefined) {
    // legacyWindow registered the time column before the keys; move it after them.
    const timeRex = pre.shift()!;
    groupIdx.forEach((_, i) => (groupIdx[i] = i));
    pre.push(timeRex);
    legacy.window = { ...legacy.window, timeIndex: pre.length - 1 } as WindowDef;
  }
  const calls: AggCall[] = [];
  for (const a of aggregates) {
    const c = a as ExprOf<'call'>;
    for (const arg of c.args) for (const nested of findAll(arg, isAggregateCall(env))) fail('Aggregate function calls cannot be nested', nested.pos);
    const udf = aggregateUdf(env, c);
    const fnName = udf?.path.name ?? c.name[0]!.toUpperCase();
    if (udf === undefined) refuseMultiArgumentCount(c, fnName);
    const star = c.args.length === 1 && c.args[0]!.kind === 'star';
    if (star && fnName !== 'COUNT') fail(`'*' is only allowed in COUNT(*)`, c.pos);
    const argRex = star ? [] : c.args.map((x) => convertExpr(x, inCtx));
    const type = udf !== undefined ? env.ctx.udfTypes!(udf, argRex.map((r) => r.type), c.pos, 'aggregate') : lookupFn(env, c)!.inferType(argRex.map((r) => r.type));
    if (typeof type === 'string') fail(type, c.pos);
    const aggCall: AggCall = { fn: fnName, args: argRex.map(preIndex), distinct: c.distinct, name: `EXPR$${calls.length}`, type: type as DataType };
    if (ignoresNulls(c, fnName)) aggCall.ignoreNulls = true;
    if (c.filter !== undefined) {
      const f = convertExpr(c.filter, inCtx);
      if (f.type.root !== 'BOOLEAN') fail(`FILTER condition must be a boolean expression, but is of type ${typeToString(f.type)}`, c.filter.pos);
      aggCall.filterArg = preIndex(f);
    }
    // The same aggregate written twice is computed once.
    if (calls.some((x) => JSON.stringify({ ...x, name: '' }) === JSON.stringify({ ...aggCall, name: '' }))) continue;
    calls.push(aggCall);
  }
  const preFields = pre.map((r, i) => ({ name: i < groupNames.length ? groupNames[i]! : r.kind === 'inputRef' ? input.fields[r.index]!.name : `$f${i}`, type: r.type }));
  const project: LogicalNode = { kind: 'Project', input, exprs: pre, fields: preFields };
  const keyFields = groupIdx.map((i) => ({ name: preFields[i]!.name, type: withoutTimeAttribute(pre[i]!.type) }));
  const aggFields = calls.map((c) => ({ name: c.name, type: c.type }));
  let node: LogicalNode;
  let propertyOffset = -1;
  if (legacy !== undefined) {
    const props: ('window_start' | 'window_end' | 'window_time')[] = ['window_start', 'window_end', 'window_time'];
    const timeType = pre[legacy.window.timeIndex]!.type;
    const ltz = timeType.root === 'TIMESTAMP_LTZ';
    const boundary = ltz ? T.timestampLtz(3, false) : T.timestamp(3, false);
    const attr = timeAttributeOf(timeType)!;
    propertyOffset = keyFields.length + aggFields.length;
    node = {
      kind: 'WindowAggregate', input: project, window: legacy.window, groupKeys: groupIdx, aggCalls: calls, properties: props, legacy: true,
      fields: [...keyFields, ...aggFields, { name: 'window_start', type: boundary }, { name: 'window_end', type: boundary }, { name: 'window_time', type: { root: ltz ? 'TIMESTAMP_LTZ' : 'TIMESTAMP', precision: 3, nullable: false, timeAttribute: attr } as DataType }],
    };
  } else {
    node = { kind: 'Aggregate', input: project, groupKeys: groupIdx, aggCalls: calls, fields: [...keyFields, ...aggFields] };
  }
  const outFields = node.fields;
  const findAgg = (e: Expr): number => {
    const c = e as ExprOf<'call'>;
    const fnName = aggregateUdf(env, c)?.path.name ?? c.name[0]!.toUpperCase();
    const star = c.args.length === 1 && c.args[0]!.kind === 'star';
    const args = star ? [] : c.args.map((x) => preIndex(convertExpr(x, inCtx)));
    const filterArg = c.filter ? preIndex(convertExpr(c.filter, inCtx)) : undefined;
    const ignoreNulls = fnName === 'ARRAY_AGG' && c.nullTreatment === 'IGNORE';
    return calls.findIndex((x) => x.fn === fnName && x.distinct === c.distinct && JSON.stringify(x.args) === JSON.stringify(args) && x.filterArg === filterArg && (x.ignoreNulls === true) === ignoreNulls);
  };
  const substitute = (e: Expr): Rex | undefined => {
    if (isAggregateCall(env)(e)) {
      const k = findAgg(e);
      return inputRef(groupIdx.length + k, outFields[groupIdx.length + k]!.type);
    }
    if (legacy !== undefined && e.kind === 'call' && e.name.length === 1) {
      const upper = e.name[0]!.toUpperCase();
      const m = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME|PROCTIME)$/.exec(upper);
      if (m !== null) {
        if (m[1] !== legacy.name) fail(`${upper} does not match the group window ${legacy.name}(...) of the GROUP BY`, e.pos);
        const prop = m[2] === 'START' ? 0 : m[2] === 'END' ? 1 : 2;
        const f = outFields[propertyOffset + prop]!;
        if (m[2] === 'START' || m[2] === 'END') return inputRef(propertyOffset + prop, f.type);
        if ((m[2] === 'PROCTIME') !== (timeAttributeOf(f.type) === 'PROCTIME')) fail(`${upper} needs a ${m[2] === 'PROCTIME' ? 'processing' : 'event'}-time window`, e.pos);
        return inputRef(propertyOffset + prop, f.type);
      }
    }
    if (e.kind === 'numeric' || e.kind === 'string' || e.kind === 'boolean' || e.kind === 'null' || e.kind === 'interval' || e.kind === 'typedLiteral') return undefined;
    // A grouped expression (compared after resolution, so `B.bidder` matches `bidder`).
    let rex: Rex | undefined;
    try {
      rex = convertExpr(e, inCtx);
    } catch {
      rex = undefined;
    }
    if (rex !== undefined) {
      const k = groupRex.findIndex((g) => rexEquals(g, rex!));
      if (k >= 0) return inputRef(k, outFields[k]!.type);
      if (e.kind === 'identifier' || e.kind === 'field') fail(`Expression '${e.kind === 'identifier' ? e.parts.join('.') : e.name}' is not being grouped`, e.pos);
    }
    return undefined;
  };
  return { node, substitute };
}

/** GROUP BY TUMBLE(ts, INTERVAL ...), HOP(ts, slide, size), SESSION(ts, gap). */
function legacyWindow(e: ExprOf<'call'>, name: string, ctx: ExprContext, preIndex: (r: Rex) => number): WindowDef {
  const args = e.args.map((a) => convertExpr(a, ctx));
  const want = name === 'HOP' ? 3 : 2;
  if (args.length !== want) fail(`${name} in GROUP BY takes ${want} arguments: ${name}(time_attr, ${name === 'HOP' ? 'slide, size' : name === 'SESSION' ? 'gap' : 'size'})`, e.pos);
  const time = args[0]!;
  if (time.kind !== 'inputRef' || timeAttributeOf(time.type) === undefined) fail(`Window can only be defined on a time attribute column, but is type of ${typeToString(time.type)}`, e.args[0]!.pos);
  const ms = args.slice(1).map((a, i) => (a.kind === 'literal' && typeof a.value === 'number' && a.type.root === 'INTERVAL_DAY_TIME' ? a.value : fail(`${name} needs INTERVAL literals (DAY TO SECOND)`, e.args[i + 1]!.pos)));
  const timeIndex = preIndex(time);
  if (name === 'TUMBLE') return { kind: 'TUMBLE', timeIndex, size: ms[0]! };
  if (name === 'HOP') return { kind: 'HOP', timeIndex, slide: ms[0]!, size: ms[1]! };
  return { kind: 'SESSION', timeIndex, gap: ms[0]!, partitionKeys: [] };
}

interface OverResult {
  node: LogicalNode;
  scope: Scope;
  substitute: (e: Expr) => Rex | undefined;
}

function frameOf(spec: WindowSpec, ctx: ExprContext): FrameDef {
  const bound = (b: FrameBound | undefined): number | undefined => {
    if (b === undefined || b.kind === 'unboundedPreceding') return undefined;
    if (b.kind === 'currentRow') return 0;
    if (b.kind === 'following' || b.kind === 'unboundedFollowing') return unsupported('OVER frames ending after the current row (FOLLOWING) are not supported in streaming; end the frame at CURRENT ROW', b.pos);
    const rex = convertExpr((b as { offset: Expr }).offset, ctx);
    if (rex.kind !== 'literal' || typeof rex.value !== 'number') {
      if (rex.kind === 'literal' && typeof rex.value === 'string' && /^\d+$/.test(rex.value)) return Number(rex.value);
      return fail('a frame bound must be a literal (rows, or an INTERVAL for RANGE)', b.pos);
    }
    return rex.value;
  };
  if (spec.frame === undefined) return { unit: 'RANGE', preceding: undefined, following: 0 };
  const end = spec.frame.end;
  if (end !== undefined && end.kind !== 'currentRow') {
    if (end.kind === 'preceding') return unsupported('OVER frames must end at CURRENT ROW in streaming', end.pos);
    bound(end);
  }
  return { unit: spec.frame.unit, preceding: bound(spec.frame.start), following: 0 };
}

function overToRel(select: Select, input: LogicalNode, scope: Scope, inner: ((e: Expr) => Rex | undefined) | undefined, overs: ExprOf<'call'>[], env: Env): OverResult {
  const ctx = exprCtx(env, scope, 'OVER', inner);
  // The input's columns, then expressions the OVER needs that are not columns yet.
  const exprs: Rex[] = input.fields.map((f, i) => inputRef(i, f.type));
  const index = (rex: Rex): number => {
    const i = exprs.findIndex((x) => rexEquals(x, rex));
    if (i >= 0) return i;
    exprs.push(rex);
    return exprs.length - 1;
  };
  const groups: OverGroup[] = [];
  const located: { e: ExprOf<'call'>; group: number; call: number }[] = [];
  for (const o of overs) {
    let spec = o.over!;
    if (spec.ref !== undefined) {
      const named = select.windows.find((w) => w.name === spec.ref);
      if (named === undefined) fail(`Window '${spec.ref}' not found`, spec.pos);
      spec = { ...named!.spec, ...(spec.partitionBy.length > 0 ? { partitionBy: spec.partitionBy } : {}), ...(spec.orderBy.length > 0 ? { orderBy: spec.orderBy } : {}), ...(spec.frame ? { frame: spec.frame } : {}) };
    }
    // a JAVASCRIPT aggregate function runs in OVER as Flink runs user-defined AggregateFunctions there
    const udf = aggregateUdf(env, o);
    const fnName = udf?.path.name ?? o.name[o.name.length - 1]!.toUpperCase();
    const def = udf === undefined ? lookupFn(env, o) : undefined;
    if (udf === undefined && (def === undefined || (def.kind !== 'aggregate' && def.kind !== 'window'))) fail(`${o.name.join('.')} cannot be used with OVER: only aggregate functions (built-in or user-defined) and window functions (ROW_NUMBER, RANK, ...) can`, o.pos);
    if (def?.kind === 'window' && spec.orderBy.length === 0) fail(`${fnName} needs ORDER BY in its OVER clause`, spec.pos);
    const partitionKeys = spec.partitionBy.map((p) => index(convertExpr(p, ctx)));
    const orderKeys: SortKey[] = spec.orderBy.map((x) => ({ index: index(convertExpr(x.expr, ctx)), direction: x.direction, nulls: x.nulls ?? (x.direction === 'ASC' ? 'FIRST' : 'LAST') }));
    const frame = frameOf(spec, ctx);
    if (udf === undefined) refuseMultiArgumentCount(o, fnName);
    const star = o.args.length === 1 && o.args[0]!.kind === 'star';
    if (star && fnName !== 'COUNT') fail(`'*' is only allowed in COUNT(*)`, o.pos);
    const args = star ? [] : o.args.map((a) => convertExpr(a, ctx));
    const type = udf !== undefined ? env.ctx.udfTypes!(udf, args.map((a) => a.type), o.pos, 'aggregate') : def!.inferType(args.map((a) => a.type));
    if (typeof type === 'string') fail(type, o.pos);
    const key = JSON.stringify({ partitionKeys, orderKeys, frame });
    let g = groups.findIndex((x) => JSON.stringify({ partitionKeys: x.partitionKeys, orderKeys: x.orderKeys, frame: x.frame }) === key);
    if (g < 0) {
      groups.push({ partitionKeys, orderKeys, frame, aggCalls: [] });
      g = groups.length - 1;
    }
    const aggCall: AggCall = { fn: fnName, args: args.map(index), distinct: o.distinct, name: `w${g}$o${groups[g]!.aggCalls.length}`, type: type as DataType };
    if (ignoresNulls(o, fnName)) aggCall.ignoreNulls = true;
    groups[g]!.aggCalls.push(aggCall);
    located.push({ e: o, group: g, call: groups[g]!.aggCalls.length - 1 });
  }
  const projFields = exprs.map((r, i) => ({ name: i < input.fields.length ? input.fields[i]!.name : `$${i}`, type: r.type }));
  const base: LogicalNode = exprs.length === input.fields.length ? input : { kind: 'Project', input, exprs, fields: projFields };
  const overFields = groups.flatMap((g) => g.aggCalls.map((c) => ({ name: c.name, type: c.type })));
  const node: LogicalNode = { kind: 'Over', input: base, groups, fields: [...projFields, ...overFields] };
  const offsets: number[] = [];
  let acc = projFields.length;
  for (const g of groups) {
    offsets.push(acc);
    acc += g.aggCalls.length;
  }
  // Expressions over the Over's input keep working: the first input.fields.length columns are the same.
  const nextScope = scope.relations.length > 0 ? scope : new Scope();
  const substitute = (e: Expr): Rex | undefined => {
    const hit = located.find((l) => l.e === e);
    if (hit === undefined) return undefined;
    const i = offsets[hit.group]! + hit.call;
    return inputRef(i, node.fields[i]!.type);
  };
  return { node, scope: nextScope, substitute };
}

