// Compiles row expressions (Rex) to JavaScript functions, once per operator, instead of
// interpreting the tree per row. NULL follows SQL: operators and functions return NULL for a NULL
// argument; AND/OR/NOT use three-valued logic; a filter keeps a row only when its condition is
// TRUE. Each expression becomes straight-line code over temporaries, so nothing is evaluated twice.
import { SqlError } from '../errors.ts';
import { FunctionRegistry } from '../functions/registry.ts';
import type { Rex } from '../planner/rex.ts';
import type { DataType } from '../types/data-type.ts';
import { isCharacter, isInteger, typeToString } from '../types/data-type.ts';
import type { SqlRuntime } from './sql-runtime.ts';
import { SQL_RUNTIME, parseDate, parseTimestamp } from './sql-runtime.ts';
import { udfCallSource, udfImplementation } from '../udf/udf-registry.ts';

export type Row = readonly unknown[];

class Builder {
  readonly lines: string[] = [];
  private n = 0;
  indent = '  ';
  tmp(): string {
    return `t${this.n++}`;
  }
  emit(line: string): void {
    this.lines.push(this.indent + line);
  }
  /** Emits `const t = <expr>;` and returns t. */
  let(expr: string): string {
    const t = this.tmp();
    this.emit(`const ${t} = ${expr};`);
    return t;
  }
  block(head: string, body: () => void, tail = '}'): void {
    this.emit(head);
    const saved = this.indent;
    this.indent += '  ';
    body();
    this.indent = saved;
    this.emit(tail);
  }
}

const registry = new FunctionRegistry();
const unsupported = (what: string): never => {
  throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `code generation does not support ${what} yet`);
};

const scaleOf = (t: DataType): number => (t.root === 'DECIMAL' ? t.scale : 0);
const isDecimal = (t: DataType): boolean => t.root === 'DECIMAL';
const precisionOf = (t: DataType): number => (t as { precision: number }).precision;
const isApprox = (t: DataType): boolean => t.root === 'DOUBLE' || t.root === 'FLOAT';

/** A JavaScript literal for a SQL literal, in the runtime representation. */
function literalCode(value: unknown, type: DataType): string {
  if (value === null) return 'null';
  switch (type.root) {
    case 'BIGINT': {
      const v = BigInt(String(value));
      return Number.isSafeInteger(Number(v)) ? String(v) : `${v}n`;
    }
    case 'DECIMAL': case 'CHAR': case 'VARCHAR': return JSON.stringify(String(value));
    case 'DATE': return String(parseDate(String(value)));
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return String(parseTimestamp(String(value)));
    default: return JSON.stringify(value);
  }
}

/** Emits code computing `rex`; returns the variable holding its value (or null). */
function gen(rex: Rex, b: Builder): string {
  switch (rex.kind) {
    case 'inputRef': return b.let(`row[${rex.index}] ?? null`);
    case 'literal': return literalCode(rex.value, rex.type);
    case 'symbol': return JSON.stringify(rex.value);
    case 'fieldAccess': {
      const v = gen(rex.expr, b);
      return b.let(`${v} === null ? null : (${v}[${rex.index}] ?? null)`);
    }
    case 'call': return genCall(rex, b);
  }
}

/** `null` if any argument is null, else `body` (arguments computed first, all of them). */
function strict(rex: Extract<Rex, { kind: 'call' }>, b: Builder, body: (args: string[]) => string): string {
  const args = rex.operands.map((o) => gen(o, b));
  const nullable = rex.operands.map((o, i) => (o.type.nullable || o.type.root === 'NULL' ? args[i]! : undefined)).filter((x): x is string => x !== undefined);
  if (nullable.length === 0) return b.let(body(args));
  return b.let(`${nullable.map((a) => `${a} === null`).join(' || ')} ? null : ${body(args)}`);
}

function arithmetic(op: string, rex: Extract<Rex, { kind: 'call' }>, b: Builder): string {
  const [l, r] = rex.operands as [Rex, Rex];
  const t = rex.type;
  if (rex.operands.length === 1) {
    return strict(rex, b, ([a]) => (isDecimal(t) ? `$h.dec.neg(${a}, ${scaleOf(t)})` : t.root === 'BIGINT' ? `$h.i64.sub(0, ${a})` : `(-${a})`));
  }
  if (isDecimal(t)) {
    const fn = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', MOD: 'mod' }[op]!;
    return strict(rex, b, ([a, c]) => `$h.dec.${fn}(${a}, ${scaleOf(l.type)}, ${c}, ${scaleOf(r.type)}, ${(t as { precision: number }).precision}, ${scaleOf(t)})`);
  }
  if (isApprox(t)) {
    const num = (x: string, ty: DataType): string => (isDecimal(ty) || ty.root === 'BIGINT' ? `Number(${x})` : x);
    const jsop = op === 'MOD' ? '%' : op;
    return strict(rex, b, ([a, c]) => `(${num(a!, l.type)} ${jsop} ${num(c!, r.type)})`);
  }
  if (t.root === 'BIGINT') {
    const fn = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', MOD: 'mod' }[op]!;
    return strict(rex, b, ([a, c]) => `$h.i64.${fn}(${a}, ${c})`);
  }
  if (isInteger(t)) {
    if (op === '/') return strict(rex, b, ([a, c]) => `$h.i32.div(${a}, ${c})`);
    if (op === 'MOD') return strict(rex, b, ([a, c]) => `$h.i32.mod(${a}, ${c})`);
    const wrap = t.root === 'INTEGER' ? ' | 0' : t.root === 'SMALLINT' ? ' << 16 >> 16' : ' << 24 >> 24';
    return strict(rex, b, ([a, c]) => `((${a} ${op} ${c})${wrap})`);
  }
  if (t.root === 'TIMESTAMP' || t.root === 'TIMESTAMP_LTZ' || t.root === 'DATE' || t.root === 'TIME' || t.root === 'INTERVAL_DAY_TIME') {
    if (l.type.root === 'INTERVAL_YEAR_MONTH' || r.type.root === 'INTERVAL_YEAR_MONTH') return unsupported('adding months to a time');
    if (t.root === 'DATE') return strict(rex, b, ([a, c]) => `(${a} ${op} Math.trunc(${c} / 86400000))`);
    return strict(rex, b, ([a, c]) => `(${a} ${op} ${c})`);
  }
  return unsupported(`${op} on ${typeToString(t)}`);
}

function comparison(op: string, rex: Extract<Rex, { kind: 'call' }>, b: Builder): string {
  const [l, r] = rex.operands as [Rex, Rex];
  const js = { '=': '===', '<>': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }[op]!;
  if (isDecimal(l.type) || isDecimal(r.type)) {
    return strict(rex, b, ([a, c]) => `($h.dec.cmp(${a}, ${scaleOf(l.type)}, ${c}, ${scaleOf(r.type)}) ${js} 0)`);
  }
  if (isCharacter(l.type) && isCharacter(r.type) && (l.type.root === 'CHAR' || r.type.root === 'CHAR')) {
    // CHAR values compare without their padding.
    return strict(rex, b, ([a, c]) => `($h.cmp(${a}.replace(/ +$/, ''), ${c}.replace(/ +$/, '')) ${js} 0)`);
  }
  return strict(rex, b, ([a, c]) => `($h.cmp(${a}, ${c}) ${js} 0)`);
}

function genCall(rex: Extract<Rex, { kind: 'call' }>, b: Builder): string {
  const op = rex.op;
  switch (op) {
    case 'AND': case 'OR': {
      // Three-valued logic with short-circuit: FALSE wins for AND, TRUE for OR, else NULL if any NULL.
      const decisive = op === 'AND' ? 'false' : 'true';
      const out = b.tmp();
      b.emit(`let ${out} = ${op === 'AND' ? 'true' : 'false'};`);
      b.block('do {', () => {
        for (const o of rex.operands) {
          const v = gen(o, b);
          b.emit(`if (${v} === ${decisive}) { ${out} = ${decisive}; break; }`);
          b.emit(`if (${v} === null) ${out} = null;`);
        }
      }, '} while (false);');
      return out;
    }
    case 'NOT': return strict(rex, b, ([a]) => `!${a}`);
    case 'IS NULL': { const v = gen(rex.operands[0]!, b); return b.let(`${v} === null`); }
    case 'IS NOT NULL': { const v = gen(rex.operands[0]!, b); return b.let(`${v} !== null`); }
    case 'IS TRUE': { const v = gen(rex.operands[0]!, b); return b.let(`${v} === true`); }
    case 'IS NOT TRUE': { const v = gen(rex.operands[0]!, b); return b.let(`${v} !== true`); }
    case 'IS FALSE': { const v = gen(rex.operands[0]!, b); return b.let(`${v} === false`); }
    case 'IS NOT FALSE': { const v = gen(rex.operands[0]!, b); return b.let(`${v} !== false`); }
    case 'IS UNKNOWN': { const v = gen(rex.operands[0]!, b); return b.let(`${v} === null`); }
    case 'IS NOT UNKNOWN': { const v = gen(rex.operands[0]!, b); return b.let(`${v} !== null`); }
    case 'IS DISTINCT FROM': case 'IS NOT DISTINCT FROM': {
      const [a, c] = rex.operands.map((o) => gen(o, b)) as [string, string];
      const same = b.let(`(${a} === null || ${c} === null) ? ${a} === ${c} : $h.cmp(${a}, ${c}) === 0`);
      return op === 'IS DISTINCT FROM' ? b.let(`!${same}`) : same;
    }
    case '=': case '<>': case '<': case '<=': case '>': case '>=': return comparison(op, rex, b);
    case '+': case '-': case '*': case '/': case 'MOD': return arithmetic(op, rex, b);
    case '||': return strict(rex, b, ([a, c]) => `(${a} + ${c})`);
    case 'CASE': {
      const out = b.tmp();
      b.emit(`let ${out} = null;`);
      const ops = rex.operands;
      b.block('do {', () => {
        for (let i = 0; i + 1 < ops.length; i += 2) {
          const c = gen(ops[i]!, b);
          b.block(`if (${c} === true) {`, () => {
            b.emit(`${out} = ${gen(ops[i + 1]!, b)};`);
            b.emit('break;');
          });
        }
        b.emit(`${out} = ${gen(ops[ops.length - 1]!, b)};`);
      }, '} while (false);');
      return out;
    }
    case 'IN': case 'NOT IN': {
      const [x, ...list] = rex.operands;
      const v = gen(x!, b);
      const out = b.tmp();
      b.emit(`let ${out} = false;`);
      b.block(`if (${v} === null) { ${out} = null; } else do {`, () => {
        for (const item of list) {
          const c = gen(item, b);
          const eq = isDecimal(x!.type) || isDecimal(item.type) ? `$h.dec.cmp(${v}, ${scaleOf(x!.type)}, ${c}, ${scaleOf(item.type)}) === 0` : isCharacter(x!.type) ? `${v}.replace(/ +$/, '') === ${c}.replace(/ +$/, '')` : `$h.cmp(${v}, ${c}) === 0`;
          b.emit(`if (${c} === null) ${out} = null;`);
          b.emit(`else if (${eq}) { ${out} = true; break; }`);
        }
      }, '} while (false);');
      return op === 'IN' ? out : b.let(`${out} === null ? null : !${out}`);
    }
    case 'LIKE': return strict(rex, b, (a) => `$h.like(${a.join(', ')})`);
    case 'CAST': case 'TRY_CAST': return genCast(rex, b);
    case 'ITEM': {
      const [t, i] = rex.operands as [Rex, Rex];
      if (t.type.root === 'MAP') return strict(rex, b, ([m, k]) => `(${m}.get(${k}) ?? null)`);
      if (t.type.root === 'ARRAY') return strict(rex, b, ([a, k]) => `(${a}[${k} - 1] ?? null)`);
      return unsupported(`ITEM on ${typeToString(t.type)} ${typeToString(i.type)}`);
    }
    case 'ROW': case 'ARRAY': { const args = rex.operands.map((o) => gen(o, b)); return b.let(`[${args.join(', ')}]`); }
    case 'MAP': {
      const args = rex.operands.map((o) => gen(o, b));
      const pairs: string[] = [];
      for (let i = 0; i < args.length; i += 2) pairs.push(`[${args[i]}, ${args[i + 1]}]`);
      return b.let(`new Map([${pairs.join(', ')}])`);
    }
    case 'EXTRACT': {
      const unit = (rex.operands[0] as { value: string }).value;
      const v = gen(rex.operands[1]!, b);
      const ms = rex.operands[1]!.type.root === 'DATE' ? `${v} * 86400000` : v;
      return b.let(`${v} === null ? null : $h.extract(${JSON.stringify(unit)}, ${ms})`);
    }
    case 'COALESCE': case 'IFNULL': {
      const out = b.tmp();
      b.emit(`let ${out} = null;`);
      b.block('do {', () => {
        for (const o of rex.operands) b.emit(`if ((${out} = ${gen(o, b)}) !== null) break;`);
      }, '} while (false);');
      return out;
    }
    case 'IF': {
      const [c, t, e] = rex.operands as [Rex, Rex, Rex];
      const out = b.tmp();
      b.emit(`let ${out};`);
      const cv = gen(c, b);
      b.block(`if (${cv} === true) {`, () => b.emit(`${out} = ${gen(t, b)};`), '} else {');
      b.indent += '  ';
      b.emit(`${out} = ${gen(e, b)};`);
      b.indent = b.indent.slice(2);
      b.emit('}');
      return out;
    }
    case 'NULLIF': return strict(rex, b, ([a, c]) => `($h.cmp(${a}, ${c}) === 0 ? null : ${a})`);
    case 'SUBSTRING': case 'SUBSTR': return strict(rex, b, (a) => `$h.substring(${a.join(', ')})`);
    case 'SPLIT_INDEX': return strict(rex, b, (a) => `$h.splitIndex(${a.join(', ')})`);
    case 'REGEXP_EXTRACT': return strict(rex, b, (a) => `$h.regexpExtract(${a.join(', ')})`);
    case 'DATE_FORMAT':
      if (isCharacter(rex.operands[0]!.type)) return strict(rex, b, ([a, p]) => `$h.dateFormat($h.parseTimestamp(${a}), ${p})`);
      return strict(rex, b, ([a, p]) => `$h.dateFormat(${a}, ${p})`);
    case 'YEAR': case 'QUARTER': case 'MONTH': case 'HOUR': case 'MINUTE': case 'SECOND': case 'DAYOFMONTH': {
      const unit = op === 'DAYOFMONTH' ? 'DAY' : op;
      const ms = rex.operands[0]!.type.root === 'DATE' ? (a: string) => `${a} * 86400000` : (a: string) => a;
      return strict(rex, b, ([a]) => `$h.extract(${JSON.stringify(unit)}, ${ms(a!)})`);
    }
    default: {
      const def = registry.lookup(op);
      if (def?.js !== undefined) return strict(rex, b, (a) => `(${def.js})(${a.join(', ')})`);
      // a user-defined function (udf/udf-loader.ts) gets every argument, NULLs included, as in Flink
      if (udfImplementation(op) !== undefined) return b.let(udfCallSource(op, rex.operands.map((o) => gen(o, b))));
      return unsupported(`function ${op}`);
    }
  }
}

/** A call whose value comes from the dec helpers, so its text already has exactly its type's scale. */
function isDecimalArithmetic(rex: Rex): boolean {
  return rex.kind === 'call' && isDecimal(rex.type) && ['+', '-', '*', '/', 'MOD'].includes(rex.op);
}

function genCast(rex: Extract<Rex, { kind: 'call' }>, b: Builder): string {
  const from = rex.operands[0]!.type;
  const to = rex.type;
  const v = gen(rex.operands[0]!, b);
  let conv: string;
  if (isCharacter(to)) {
    const length = (to as { length: number }).length;
    if (isCharacter(from)) conv = to.root === 'CHAR' ? `${v}.padEnd(${length}).slice(0, ${length})` : length < 2147483647 ? `${v}.slice(0, ${length})` : v;
    else if (from.root === 'TIMESTAMP' || from.root === 'TIMESTAMP_LTZ') conv = `$h.formatTimestamp(${v}, ${from.precision})`;
    else if (from.root === 'BOOLEAN') conv = `(${v} ? 'TRUE' : 'FALSE')`;
    else conv = `String(${v})`;
  } else if (isDecimal(to) && isDecimal(from) && scaleOf(from) === scaleOf(to) && precisionOf(to) >= precisionOf(from) && isDecimalArithmetic(rex.operands[0]!)) {
    // Widening the result of DECIMAL arithmetic (Flink's CAST(0.908 * price AS DECIMAL(23, 3)) in
    // q1): the dec helpers already return the exact text at this scale, which fits the wider type.
    conv = v;
  } else if (isDecimal(to)) {
    conv = `$h.dec.cast(${v}, ${scaleOf(from)}, ${(to as { precision: number }).precision}, ${scaleOf(to)})`;
  } else if (to.root === 'BIGINT' || isInteger(to)) {
    const toInt = isDecimal(from) ? `$h.dec.toInt(${v}, ${scaleOf(from)})`
      : isApprox(from) ? `Math.trunc(${v})`
      : isCharacter(from) ? `(/^\\s*[-+]?\\d+\\s*$/.test(${v}) ? $h.i64.add(0, BigInt(${v}.trim())) : $h.fail('Cannot cast ' + JSON.stringify(${v}) + ' to ${typeToString(to)}'))`
      : from.root === 'BOOLEAN' ? `(${v} ? 1 : 0)` : v;
    conv = to.root === 'BIGINT' ? toInt : `Number(${toInt})`;
  } else if (isApprox(to)) {
    conv = isCharacter(from) ? `(Number.isNaN(Number(${v})) ? $h.fail('Cannot cast ' + JSON.stringify(${v}) + ' to DOUBLE') : Number(${v}))` : `Number(${v})`;
  } else if (to.root === 'BOOLEAN') {
    conv = isCharacter(from) ? `(/^\\s*true\\s*$/i.test(${v}) ? true : /^\\s*false\\s*$/i.test(${v}) ? false : $h.fail('Cannot cast ' + JSON.stringify(${v}) + ' to BOOLEAN'))` : `(${v} != 0)`;
  } else if (to.root === 'TIMESTAMP' || to.root === 'TIMESTAMP_LTZ') {
    conv = isCharacter(from) ? `($h.parseTimestamp(${v}) ?? $h.fail('Cannot cast ' + JSON.stringify(${v}) + ' to TIMESTAMP'))` : from.root === 'DATE' ? `(${v} * 86400000)` : v;
  } else if (to.root === 'DATE') {
    conv = isCharacter(from) ? `($h.parseDate(${v}) ?? $h.fail('Cannot cast ' + JSON.stringify(${v}) + ' to DATE'))` : from.root === 'TIMESTAMP' ? `Math.floor(${v} / 86400000)` : v;
  } else {
    conv = v;
  }
  if (rex.op === 'TRY_CAST') {
    const out = b.tmp();
    b.emit(`let ${out} = null;`);
    b.emit(`if (${v} !== null) { try { ${out} = ${conv}; } catch { ${out} = null; } }`);
    return out;
  }
  return b.let(`${v} === null ? null : ${conv}`);
}

type Helpers = SqlRuntime & { fail(message: string): never };

const HELPERS: Helpers = {
  ...SQL_RUNTIME,
  fail(message: string): never {
    throw new SQL_RUNTIME.SqlRuntimeError(message);
  },
};

function build<T>(body: string): T {
  return new Function('$h', body)(HELPERS) as T;
}

/** The source of the projection function, for tests and for printing in EXPLAIN-like tools. */
export function projectionSource(exprs: readonly Rex[]): string {
  const b = new Builder();
  b.indent = '    ';
  const outs = exprs.map((e) => gen(e, b));
  return `return function projection(row) {\n${b.lines.join('\n')}\n    return [${outs.join(', ')}];\n  };`;
}

export function filterSource(condition: Rex): string {
  const b = new Builder();
  b.indent = '    ';
  const out = gen(condition, b);
  return `return function filter(row) {\n${b.lines.join('\n')}\n    return ${out} === true;\n  };`;
}

/** Compiles a projection: row → new row (values in the runtime representation). */
export function compileProjection(exprs: readonly Rex[]): (row: Row) => unknown[] {
  return build(projectionSource(exprs));
}

/** Compiles a filter: true only when the condition is TRUE (NULL and FALSE drop the row). */
export function compileFilter(condition: Rex): (row: Row) => boolean {
  return build(filterSource(condition));
}

/** Compiles one expression: row → value (NULL as null). */
export function compileExpression(rex: Rex): (row: Row) => unknown {
  const project = compileProjection([rex]);
  return (row) => project(row)[0];
}
