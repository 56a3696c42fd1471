// Row expressions of the logical plan (Calcite's RexNode): typed, resolved to input field
// indexes. The validator produces them from the AST; rules rewrite them; codegen compiles them.
// Printing follows Flink's EXPLAIN: calls in prefix form with field names
// (`=(MOD(auction, 123), 0)`, `*(0.908:DECIMAL(4, 3), price)`).
import type { DataType } from '../types/data-type.ts';
import { typeToString } from '../types/data-type.ts';

/**
 * Literal values: exact numerics (DECIMAL, BIGINT) as their decimal text so no precision is lost;
 * other numbers as numbers (INTERVAL DAY TO SECOND in milliseconds, YEAR TO MONTH in months);
 * character strings as strings; DATE/TIME/TIMESTAMP as the text written; NULL as null.
 */
export type LiteralValue = string | number | boolean | null;

export type Rex =
  | { kind: 'inputRef'; index: number; type: DataType }
  | { kind: 'literal'; value: LiteralValue; type: DataType }
  /**
   * Operators and functions. `op` is the upper-case SQL name: '+', '-', '*', '/', '%', '=', '<>',
   * '<', '<=', '>', '>=', 'AND', 'OR', 'NOT', '-NEG', 'IS NULL', 'IS NOT NULL', 'IS TRUE', ...,
   * 'CASE' (when, then, ..., else), 'CAST', 'TRY_CAST', 'LIKE', 'SIMILAR TO', 'IN' (value, list...),
   * 'ITEM', 'ROW', 'ARRAY', 'MAP', 'EXTRACT' (unit symbol, value), or a function name such as 'MOD'.
   */
  | { kind: 'call'; op: string; operands: Rex[]; type: DataType }
  /** `row.field` on a ROW value. */
  | { kind: 'fieldAccess'; expr: Rex; name: string; index: number; type: DataType }
  /** A keyword argument: a time unit (`HOUR`) or TRIM's `BOTH`. */
  | { kind: 'symbol'; value: string; type: DataType };

export const inputRef = (index: number, type: DataType): Rex => ({ kind: 'inputRef', index, type });
export const literal = (value: LiteralValue, type: DataType): Rex => ({ kind: 'literal', value, type });
export const call = (op: string, operands: Rex[], type: DataType): Rex => ({ kind: 'call', op, operands, type });

/** Applies `f` to the input references of an expression (shifting, remapping). */
export function mapInputRefs(rex: Rex, f: (index: number, type: DataType) => Rex): Rex {
  switch (rex.kind) {
    case 'inputRef': return f(rex.index, rex.type);
    case 'call': return { ...rex, operands: rex.operands.map((o) => mapInputRefs(o, f)) };
    case 'fieldAccess': return { ...rex, expr: mapInputRefs(rex.expr, f) };
    default: return rex;
  }
}

/** Input field indexes an expression reads. */
export function inputRefsOf(rex: Rex, into = new Set<number>()): Set<number> {
  switch (rex.kind) {
    case 'inputRef': into.add(rex.index); break;
    case 'call': for (const o of rex.operands) inputRefsOf(o, into); break;
    case 'fieldAccess': inputRefsOf(rex.expr, into); break;
    default: break;
  }
  return into;
}

/** Splits a condition into its AND-ed parts. */
export function conjunctions(rex: Rex): Rex[] {
  if (rex.kind === 'call' && rex.op === 'AND') return rex.operands.flatMap(conjunctions);
  return [rex];
}

export function and(parts: Rex[], boolType: DataType): Rex | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return call('AND', parts, { ...boolType, nullable: parts.some((p) => p.type.nullable) });
}

const INFIX_LIKE = new Set(['+', '-', '*', '/', '%', '=', '<>', '<', '<=', '>', '>=', '||']);

function literalText(value: LiteralValue, type: DataType): string {
  if (value === null) return 'null:' + typeToString(type).replace(/ NOT NULL$/, '');
  switch (type.root) {
    case 'VARCHAR': case 'CHAR': return `_UTF-16LE'${String(value).replaceAll("'", "''")}'`;
    case 'BOOLEAN': return String(value);
    case 'INTEGER': return String(value);
    case 'INTERVAL_DAY_TIME': return `${value}:${typeToString(type).replace(/ NOT NULL$/, '')}`;
    default: return `${String(value)}:${typeToString(type).replace(/ NOT NULL$/, '')}`;
  }
}

/** Flink-style text of an expression; `names` are the input field names. */
export function rexToString(rex: Rex, names: readonly string[]): string {
  switch (rex.kind) {
    case 'inputRef': return names[rex.index] ?? `$${rex.index}`;
    case 'literal': return literalText(rex.value, rex.type);
    case 'symbol': return rex.value;
    case 'fieldAccess': return `${rexToString(rex.expr, names)}.${rex.name}`;
    case 'call': {
      const args = rex.operands.map((o) => rexToString(o, names));
      if (rex.op === 'CAST' || rex.op === 'TRY_CAST') return `${rex.op}(${args[0]} AS ${typeToString(rex.type)})`;
      if (INFIX_LIKE.has(rex.op) || /^[A-Z_$0-9 ]+$/.test(rex.op)) return `${rex.op}(${args.join(', ')})`;
      return `${rex.op}(${args.join(', ')})`;
    }
  }
}

/** Structural equality (types included). */
export function rexEquals(a: Rex, b: Rex): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
