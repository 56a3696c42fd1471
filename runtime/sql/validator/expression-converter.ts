// Validates an expression and turns it into a typed row expression (Rex): names resolved through
// the scope, functions checked against the registry, types derived and implicit casts added as
// Flink does. Errors carry the line and column of the offending node.
import type { CatalogFunction } from '../catalog/catalog-objects.ts';
import type { SessionCatalog } from '../catalog/session-catalog.ts';
import { SqlError } from '../errors.ts';
import type { FunctionRegistry } from '../functions/registry.ts';
import type { Expr, ExprOf, Pos } from '../parser/ast.ts';
import { unparseExpr } from '../parser/unparse.ts';
import type { Rex } from '../planner/rex.ts';
import { call, literal } from '../planner/rex.ts';
import type { ArithmeticOperator } from '../types/coercion.ts';
import { arithmeticType, commonType, comparable } from '../types/coercion.ts';
import type { DataType } from '../types/data-type.ts';
import { MAX_LENGTH, T, isCharacter, sameTypeIgnoringNullability, typeToString, withNullability, withoutTimeAttribute } from '../types/data-type.ts';
import { intervalLiteral, numericLiteral, typedLiteral } from './literals.ts';
import type { Scope } from './scope.ts';
import { suggest } from './scope.ts';

/**
 * Gives the result type of a user-defined function once its module is known (codegen/loader side):
 * for a table function its row type. `expected` is how the query calls it (a scalar call when
 * absent); `kindOf` says which kind a JAVASCRIPT function is (aggregate calls are found by it).
 */
export type UdfTypeResolver = ((fn: CatalogFunction, args: readonly DataType[], pos: Pos, expected?: 'scalar' | 'table' | 'aggregate') => DataType) & {
  kindOf?: (fn: CatalogFunction, pos: Pos) => 'scalar' | 'table' | 'aggregate';
};

export interface ExprContext {
  scope: Scope;
  functions: FunctionRegistry;
  catalog: SessionCatalog;
  udfTypes?: UdfTypeResolver;
  /** The clause being converted, for messages: 'WHERE', 'SELECT', 'ON', 'GROUP BY', ... */
  clause: string;
  /**
   * Aggregation and OVER: returns the Rex that replaces a node (an aggregate call, a grouped
   * expression, an OVER call, a window property) or undefined to convert it normally.
   */
  substitute?: (e: Expr) => Rex | undefined;
}

const fail = (message: string, pos: Pos): never => {
  throw new SqlError('MR_ERR_SQL_VALIDATE', message, pos);
};

const angle = (t: DataType): string => `<${typeToString(withoutTimeAttribute(t)).replace(/ NOT NULL$/, '')}>`;

/** Casts `rex` to `type` unless it already has it (nullability aside). */
export function castTo(rex: Rex, type: DataType): Rex {
  if (rex.type.root === 'NULL') return literal(null, withNullability(type, true));
  if (sameTypeIgnoringNullability(rex.type, type)) return rex;
  return call('CAST', [rex], withNullability(withoutTimeAttribute(type), rex.type.nullable));
}

function requireBoolean(rex: Rex, what: string, pos: Pos): void {
  if (rex.type.root !== 'BOOLEAN' && rex.type.root !== 'NULL') fail(`${what} must be a boolean expression, but is of type ${typeToString(rex.type)}`, pos);
}

export function convertExpr(e: Expr, ctx: ExprContext): Rex {
  const replaced = ctx.substitute?.(e);
  if (replaced !== undefined) return replaced;
  switch (e.kind) {
    case 'identifier': {
      const r = ctx.scope.resolve(e.parts, e.pos);
      let rex: Rex = { kind: 'inputRef', index: r.index, type: r.field.type };
      for (const name of r.rest) rex = fieldAccess(rex, name, e.pos);
      return rex;
    }
    case 'numeric': return numericLiteral(e.text, e.pos);
    case 'string': return literal(e.value, T.char(Math.max(1, e.value.length), false));
    case 'binaryString': return literal(e.hex, T.binary(Math.max(1, e.hex.length / 2), false));
    case 'boolean': return literal(e.value, T.boolean(false));
    case 'null': return literal(null, T.null());
    case 'typedLiteral': return typedLiteral(e);
    case 'interval': return intervalLiteral(e);
    case 'unary': return convertUnary(e, ctx);
    case 'binary': return convertBinary(e, ctx);
    case 'is': {
      const operand = convertExpr(e.operand, ctx);
      if (e.test !== 'NULL') requireBoolean(operand, `the operand of IS ${e.test}`, e.pos);
      return call(`IS ${e.negated ? 'NOT ' : ''}${e.test}`, [operand], T.boolean(false));
    }
    case 'isDistinctFrom': {
      const l = convertExpr(e.left, ctx);
      const r = convertExpr(e.right, ctx);
      checkComparable(l, r, 'IS DISTINCT FROM', e.pos);
      return call(e.negated ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM', [l, r], T.boolean(false));
    }
    case 'between': {
      // Calcite expands BETWEEN: x >= low AND x <= high (NOT BETWEEN: x < low OR x > high).
      if (e.symmetric) return fail('BETWEEN SYMMETRIC is not supported; write the two bounds in order', e.pos);
      const x = convertExpr(e.operand, ctx);
      const lo = convertExpr(e.low, ctx);
      const hi = convertExpr(e.high, ctx);
      checkComparable(x, lo, 'BETWEEN', e.pos);
      checkComparable(x, hi, 'BETWEEN', e.pos);
      const nl = x.type.nullable || lo.type.nullable;
      const nh = x.type.nullable || hi.type.nullable;
      const a = call(e.negated ? '<' : '>=', [x, lo], T.boolean(nl));
      const b = call(e.negated ? '>' : '<=', [x, hi], T.boolean(nh));
      return call(e.negated ? 'OR' : 'AND', [a, b], T.boolean(nl || nh));
    }
    case 'in': {
      const x = convertExpr(e.operand, ctx);
      const list = e.list.map((i) => convertExpr(i, ctx));
      for (const [k, item] of list.entries()) checkComparable(x, item, 'IN', e.list[k]!.pos);
      const nullable = x.type.nullable || list.some((i) => i.type.nullable);
      return call(e.negated ? 'NOT IN' : 'IN', [x, ...list], T.boolean(nullable));
    }
    case 'like': {
      const x = convertExpr(e.operand, ctx);
      const p = convertExpr(e.pattern, ctx);
      for (const [rex, at] of [[x, e.operand.pos], [p, e.pattern.pos]] as const) {
        if (!isCharacter(rex.type) && rex.type.root !== 'NULL') fail(`Cannot apply '${e.op}' to arguments of type '${angle(x.type)} ${e.op} ${angle(p.type)}'. Supported form(s): '<STRING> ${e.op} <STRING>'`, at);
      }
      const operands = [x, p];
      if (e.escape) operands.push(convertExpr(e.escape, ctx));
      const like = call(e.op, operands, T.boolean(x.type.nullable || p.type.nullable));
      return e.negated ? call('NOT', [like], like.type) : like;
    }
    case 'case': return convertCase(e, ctx);
    case 'cast': {
      const operand = convertExpr(e.operand, ctx);
      const target = withoutTimeAttribute(e.target.type);
      if (!castSupported(operand.type, target)) fail(`Cast function cannot convert value of type ${typeToString(operand.type)} to type ${typeToString(target)}`, e.pos);
      const type = e.safe ? withNullability(target, true) : withNullability(target, operand.type.nullable || target.nullable);
      return call(e.safe ? 'TRY_CAST' : 'CAST', [operand], type);
    }
    case 'call': return convertCall(e, ctx);
    case 'extract': {
      const operand = convertExpr(e.operand, ctx);
      if (!['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'INTERVAL_DAY_TIME', 'INTERVAL_YEAR_MONTH', 'NULL'].includes(operand.type.root)) {
        fail(`Cannot apply 'EXTRACT' to arguments of type 'EXTRACT(<INTERVAL SYMBOL> FROM ${angle(operand.type)})'. Supported form(s): 'EXTRACT(<DATETIME_INTERVAL> FROM <DATETIME_INTERVAL>)'`, e.pos);
      }
      return call('EXTRACT', [{ kind: 'symbol', value: e.unit, type: T.null() }, operand], T.bigint(operand.type.nullable));
    }
    case 'symbol': return { kind: 'symbol', value: e.value, type: T.null() };
    case 'array': {
      if (e.elements.length === 0) return fail('an ARRAY constructor needs at least one element', e.pos);
      const els = e.elements.map((x) => convertExpr(x, ctx));
      const t = commonType(els.map((x) => x.type)) ?? fail(`Parameters must be of the same type: ${els.map((x) => typeToString(x.type)).join(', ')}`, e.pos);
      return call('ARRAY', els.map((x) => castTo(x, t)), T.array(t, false));
    }
    case 'map': {
      if (e.entries.length === 0) return fail('a MAP constructor needs at least one key and value', e.pos);
      const keys = e.entries.map((x) => convertExpr(x.key, ctx));
      const values = e.entries.map((x) => convertExpr(x.value, ctx));
      const kt = commonType(keys.map((x) => x.type)) ?? fail('MAP keys must have a common type', e.pos);
      const vt = commonType(values.map((x) => x.type)) ?? fail('MAP values must have a common type', e.pos);
      return call('MAP', keys.flatMap((k, i) => [castTo(k, kt), castTo(values[i]!, vt)]), T.map(kt, vt, false));
    }
    case 'row': {
      const fields = e.fields.map((x) => convertExpr(x, ctx));
      return call('ROW', fields, T.row(fields.map((f, i) => ({ name: `EXPR$${i}`, type: f.type })), false));
    }
    case 'item': {
      const target = convertExpr(e.target, ctx);
      const index = convertExpr(e.index, ctx);
      if (target.type.root === 'ARRAY') return call('ITEM', [target, index], withNullability(target.type.element, true));
      if (target.type.root === 'MAP') return call('ITEM', [target, castTo(index, target.type.key)], withNullability(target.type.value, true));
      if (target.type.root === 'ROW') return call('ITEM', [target, index], T.null());
      return fail(`Cannot apply 'ITEM' to arguments of type 'ITEM(${angle(target.type)}, ${angle(index.type)})': only an ARRAY or a MAP can be indexed`, e.pos);
    }
    case 'field': return fieldAccess(convertExpr(e.target, ctx), e.name, e.pos);
    case 'star': return fail(`'*' is only allowed in the SELECT list or in COUNT(*)`, e.pos);
    case 'subquery': case 'exists': case 'inQuery': case 'arrayQuery':
      throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `subqueries in expressions (${e.kind === 'exists' ? 'EXISTS' : e.kind === 'inQuery' ? 'IN (SELECT ...)' : 'scalar subqueries'}) are not supported yet: rewrite the query as a JOIN`, e.pos);
    case 'tableArg': return fail('a TABLE argument is only allowed in a table function call inside FROM TABLE(...)', e.pos);
    case 'descriptor': return fail('DESCRIPTOR(...) is only allowed as an argument of a window table function (TUMBLE, HOP, CUMULATE, SESSION)', e.pos);
    case 'namedArg': return fail(`named argument '${e.name} => ...' is only allowed in a table function call`, e.pos);
  }
}

function fieldAccess(rex: Rex, name: string, pos: Pos): Rex {
  if (rex.type.root !== 'ROW') return fail(`'${name}' is not a field of a value of type ${typeToString(rex.type)}: only a ROW has fields`, pos);
  const i = rex.type.fields.findIndex((f) => f.name === name);
  if (i < 0) return fail(`Unknown field '${name}' in ${typeToString(rex.type)}${suggest(name, rex.type.fields.map((f) => f.name))}`, pos);
  const f = rex.type.fields[i]!;
  return { kind: 'fieldAccess', expr: rex, name, index: i, type: withNullability(f.type, f.type.nullable || rex.type.nullable) };
}

function checkComparable(a: Rex, b: Rex, op: string, pos: Pos): void {
  if (!comparable(a.type, b.type)) {
    fail(`Cannot apply '${op}' to arguments of type '${angle(a.type)} ${op} ${angle(b.type)}'. Supported form(s): '<COMPARABLE_TYPE> ${op} <COMPARABLE_TYPE>'`, pos);
  }
}

function convertUnary(e: ExprOf<'unary'>, ctx: ExprContext): Rex {
  const x = convertExpr(e.operand, ctx);
  if (e.op === 'NOT') {
    requireBoolean(x, 'the operand of NOT', e.pos);
    return call('NOT', [x], T.boolean(x.type.nullable));
  }
  if (!['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE', 'INTERVAL_DAY_TIME', 'INTERVAL_YEAR_MONTH', 'NULL'].includes(x.type.root)) {
    fail(`Cannot apply '${e.op}' to arguments of type '${e.op}${angle(x.type)}'. Supported form(s): '${e.op}<NUMERIC>', '${e.op}<INTERVAL>'`, e.pos);
  }
  if (e.op === '+') return x;
  // A negative numeric literal stays a literal (so `-1` prints and folds as Flink's does).
  if (x.kind === 'literal' && x.value !== null && typeof x.value !== 'boolean') {
    const v = typeof x.value === 'number' ? -x.value : x.value.startsWith('-') ? x.value.slice(1) : `-${x.value}`;
    return literal(v, x.type);
  }
  return call('-', [x], withoutTimeAttribute(x.type));
}

function convertBinary(e: ExprOf<'binary'>, ctx: ExprContext): Rex {
  const l = convertExpr(e.left, ctx);
  const r = convertExpr(e.right, ctx);
  switch (e.op) {
    case 'AND': case 'OR':
      requireBoolean(l, `the left operand of ${e.op}`, e.left.pos);
      requireBoolean(r, `the right operand of ${e.op}`, e.right.pos);
      {
        // Flattened, as Calcite prints them: AND(a, b, c), not AND(AND(a, b), c).
        const flat = (x: Rex): Rex[] => (x.kind === 'call' && x.op === e.op ? x.operands : [x]);
        return call(e.op, [...flat(l), ...flat(r)], T.boolean(l.type.nullable || r.type.nullable));
      }
    case '=': case '<>': case '<': case '<=': case '>': case '>=':
      checkComparable(l, r, e.op, e.pos);
      return call(e.op, [l, r], T.boolean(l.type.nullable || r.type.nullable));
    case '||': {
      if (!(isCharacter(l.type) || l.type.root === 'NULL') || !(isCharacter(r.type) || r.type.root === 'NULL')) {
        fail(`Cannot apply '||' to arguments of type '${angle(l.type)} || ${angle(r.type)}'. Supported form(s): '<STRING> || <STRING>'`, e.pos);
      }
      const len = (t: DataType): number => ('length' in t ? t.length : 0);
      return call('||', [l, r], T.varchar(Math.min(MAX_LENGTH, len(l.type) + len(r.type)), l.type.nullable || r.type.nullable));
    }
    default: {
      const t = arithmeticType(e.op as ArithmeticOperator, l.type, r.type);
      if (t === undefined) {
        return fail(`Cannot apply '${e.op}' to arguments of type '${angle(l.type)} ${e.op} ${angle(r.type)}'. Supported form(s): '<NUMERIC> ${e.op} <NUMERIC>'${e.op === '+' || e.op === '-' ? `, '<DATETIME> ${e.op} <INTERVAL>'` : ''}`, e.pos);
      }
      return call(e.op === '%' ? 'MOD' : e.op, [l, r], t);
    }
  }
}

function convertCase(e: ExprOf<'case'>, ctx: ExprContext): Rex {
  const operand = e.operand ? convertExpr(e.operand, ctx) : undefined;
  const conds: Rex[] = [];
  const results: Rex[] = [];
  for (const w of e.whens) {
    let cond = convertExpr(w.when, ctx);
    if (operand !== undefined) {
      checkComparable(operand, cond, '=', w.when.pos);
      cond = call('=', [operand, cond], T.boolean(operand.type.nullable || cond.type.nullable));
    } else requireBoolean(cond, 'a WHEN condition', w.when.pos);
    conds.push(cond);
    results.push(convertExpr(w.then, ctx));
  }
  const elseRex = e.else ? convertExpr(e.else, ctx) : literal(null, T.null());
  const all = [...results, elseRex];
  const common = commonType(all.map((r) => r.type));
  if (common === undefined) fail(`Illegal mixing of types in CASE or COALESCE statement: ${all.map((r) => typeToString(r.type)).join(', ')}`, e.pos);
  const type = withNullability(common!, all.some((r) => r.type.nullable));
  const operands: Rex[] = [];
  conds.forEach((c, i) => operands.push(c, castTo(results[i]!, type)));
  operands.push(castTo(elseRex, type));
  return call('CASE', operands, type);
}

/** Casts Flink allows explicitly (LogicalTypeCasts.supportsExplicitCast), simplified. */
function castSupported(from: DataType, to: DataType): boolean {
  if (from.root === 'NULL') return true;
  const scalar = new Set(['BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL', 'CHAR', 'VARCHAR', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'BINARY', 'VARBINARY', 'INTERVAL_DAY_TIME', 'INTERVAL_YEAR_MONTH']);
  if (scalar.has(from.root) && scalar.has(to.root)) return true;
  if (from.root === to.root) return true;
  return isCharacter(to);
}

function convertCall(e: ExprOf<'call'>, ctx: ExprContext): Rex {
  const name = e.name[e.name.length - 1]!;
  const upper = name.toUpperCase();
  const udf = lookupUdf(e, ctx);
  const def = udf === undefined && e.name.length === 1 ? ctx.functions.lookup(upper) : undefined;
  if (udf === undefined && def === undefined) {
    const args = e.args.map((a) => (a.kind === 'star' ? '*' : `<${describeArg(a, ctx)}>`)).join(', ');
    const near = ctx.functions.suggestions(name);
    return fail(`No match found for function signature ${name}(${args}): '${name}' is neither a built-in function nor a function of the catalog${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}`, e.pos);
  }
  if (e.over !== undefined) return fail(`OVER is not allowed here: ${name}(...) OVER (...) may appear only in the SELECT list`, e.pos);
  if (def !== undefined) {
    switch (def.kind) {
      case 'aggregate': return fail(`Aggregate function ${upper}(...) is not allowed in ${ctx.clause}${ctx.clause === 'WHERE' ? ': filter aggregates with HAVING' : ''}`, e.pos);
      case 'window': return fail(`OVER clause is necessary for window function ${upper}`, e.pos);
      case 'groupWindow': return fail(`${upper}(...) as a group window is allowed only in GROUP BY; for a windowed query use FROM TABLE(${upper}(TABLE t, DESCRIPTOR(ts), ...))`, e.pos);
      case 'groupWindowAuxiliary': return fail(`${upper}(...) may be used only with a matching ${upper.split('_')[0]}(...) in GROUP BY`, e.pos);
      case 'windowTableFunction': return fail(`${upper} is a table function: call it in FROM TABLE(${upper}(...))`, e.pos);
      default: break;
    }
  }
  if (e.distinct) return fail(`DISTINCT is allowed only in aggregate functions, not in ${upper}`, e.pos);
  if (e.filter) return fail(`FILTER is allowed only in aggregate functions, not in ${upper}`, e.pos);
  if (e.nullTreatment) return fail(`Cannot specify IGNORE NULLS or RESPECT NULLS following '${upper}'`, e.pos);
  const args = e.args.map((a) => {
    if (a.kind === 'star') return fail(`'*' is only allowed in COUNT(*)`, a.pos);
    return convertExpr(a, ctx);
  });
  if (udf !== undefined) {
    if (ctx.udfTypes === undefined) {
      throw new SqlError('MR_ERR_SQL_UNSUPPORTED', udf.language === 'JAVASCRIPT'
        ? `function '${name}' (${udf.identifier}) has no known types yet: its module is loaded when the job is built`
        : `function '${name}' is a ${udf.language} function (${udf.identifier}): Millrace runs user-defined functions written in TypeScript/JavaScript; register one with CREATE FUNCTION ${name} AS 'module.ts#export' LANGUAGE JAVASCRIPT`, e.pos);
    }
    return call(name, args, ctx.udfTypes(udf, args.map((a) => a.type), e.pos));
  }
  const type = def!.inferType(args.map((a) => a.type));
  if (typeof type === 'string') return fail(type, e.pos);
  // JSON_VALUE(... RETURNING t): the declared type, NULL when the path finds nothing.
  if (e.json?.returning !== undefined) {
    for (const b of e.json.behaviors) if (b.default !== undefined) convertExpr(b.default, ctx);
    return call(upper, args, withNullability(e.json.returning.type, true));
  }
  return call(upper, args, type);
}

function describeArg(a: Expr, ctx: ExprContext): string {
  try {
    return typeToString(convertExpr(a, { ...ctx, substitute: undefined }).type).replace(/ NOT NULL$/, '');
  } catch {
    return unparseExpr(a);
  }
}

/** A temporary system function by one-part name, else a catalog function (temporary first). */
export function lookupUdf(e: ExprOf<'call'>, ctx: Pick<ExprContext, 'catalog' | 'functions'>): CatalogFunction | undefined {
  if (e.name.length === 1) {
    const sys = ctx.catalog.getSystemFunction(e.name[0]!);
    if (sys !== undefined) return sys;
    if (ctx.functions.lookup(e.name[0]!) !== undefined) return undefined;
  }
  if (e.name.length > 3) return undefined;
  return ctx.catalog.getCatalogFunction(ctx.catalog.qualify(e.name, e.pos));
}
