// Constant folding (Flink's ReduceExpressionsRule): evaluates deterministic operators whose
// operands are literals, with SQL's three-valued logic (`NULL AND FALSE` is FALSE, `NULL OR TRUE`
// is TRUE, anything else with NULL is NULL), exact integer and DECIMAL arithmetic, and simplifies
// AND/OR with a constant side. A filter that is always TRUE disappears.
import type { LogicalNode } from '../logical-plan.ts';
import type { LiteralValue, Rex } from '../rex.ts';
import { literal } from '../rex.ts';
import { T, isCharacter, typeToString } from '../../types/data-type.ts';
import type { DataType } from '../../types/data-type.ts';
import type { Rule } from './rule.ts';

const isLit = (r: Rex): r is Extract<Rex, { kind: 'literal' }> => r.kind === 'literal';
const isNullLit = (r: Rex): boolean => isLit(r) && r.value === null;
const isTrue = (r: Rex): boolean => isLit(r) && r.value === true;
const isFalse = (r: Rex): boolean => isLit(r) && r.value === false;

const EXACT = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'DECIMAL']);

function scaleOf(t: DataType): number {
  return t.root === 'DECIMAL' ? t.scale : 0;
}

/** An exact numeric literal as an integer scaled by 10^scale. */
function toScaled(value: LiteralValue, from: number, to: number): bigint {
  const text = String(value);
  const neg = text.startsWith('-');
  const [i, f = ''] = text.replace(/^-/, '').split('.');
  const digits = BigInt((i || '0') + f.padEnd(from, '0').slice(0, from));
  const v = neg ? -digits : digits;
  return to >= from ? v * 10n ** BigInt(to - from) : v / 10n ** BigInt(from - to);
}

function fromScaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? s : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return neg ? `-${text}` : text;
}

function exactLiteral(v: bigint, type: DataType): Rex | undefined {
  if (type.root === 'DECIMAL') {
    if (v.toString().replace('-', '').length > type.precision) return undefined;
    return literal(fromScaled(v, type.scale), type);
  }
  const limits: Record<string, bigint> = { TINYINT: 127n, SMALLINT: 32767n, INTEGER: 2147483647n, BIGINT: 9223372036854775807n };
  const max = limits[type.root];
  if (max === undefined || v > max || v < -max - 1n) return undefined; // overflow: leave it to run time, as Flink does
  return literal(type.root === 'BIGINT' ? v.toString() : Number(v), type);
}

function compare(a: Extract<Rex, { kind: 'literal' }>, b: Extract<Rex, { kind: 'literal' }>): number | undefined {
  if (EXACT.has(a.type.root) && EXACT.has(b.type.root)) {
    const s = Math.max(scaleOf(a.type), scaleOf(b.type));
    const x = toScaled(a.value, scaleOf(a.type), s);
    const y = toScaled(b.value, scaleOf(b.type), s);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a.value === 'number' && typeof b.value === 'number') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (isCharacter(a.type) && isCharacter(b.type)) {
    // CHAR comparison ignores trailing spaces, as Flink pads CHAR values.
    const x = String(a.value).replace(/ +$/, '');
    const y = String(b.value).replace(/ +$/, '');
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a.value === 'boolean' && typeof b.value === 'boolean') return Number(a.value) - Number(b.value);
  return undefined;
}

/** Folds one call whose operands are already folded; undefined when it cannot. */
export function foldCall(rex: Extract<Rex, { kind: 'call' }>): Rex | undefined {
  const ops = rex.operands;
  const bool = (v: boolean | null): Rex => literal(v, v === null ? T.boolean(true) : T.boolean(false));
  switch (rex.op) {
    case 'AND': {
      if (ops.some(isFalse)) return bool(false);
      const rest = ops.filter((o) => !isTrue(o));
      if (rest.length === 0) return bool(true);
      if (rest.every(isNullLit)) return bool(null);
      if (rest.length === 1 && !isNullLit(rest[0]!)) return rest[0];
      return rest.length < ops.length ? { ...rex, operands: rest } : undefined;
    }
    case 'OR': {
      if (ops.some(isTrue)) return bool(true);
      const rest = ops.filter((o) => !isFalse(o));
      if (rest.length === 0) return bool(false);
      if (rest.every(isNullLit)) return bool(null);
      if (rest.length === 1 && !isNullLit(rest[0]!)) return rest[0];
      return rest.length < ops.length ? { ...rex, operands: rest } : undefined;
    }
    case 'NOT': {
      const x = ops[0]!;
      if (!isLit(x)) return x.kind === 'call' && x.op === 'NOT' ? x.operands[0] : undefined;
      return bool(x.value === null ? null : !x.value);
    }
    case 'IS NULL': case 'IS NOT NULL':
      if (!isLit(ops[0]!)) return ops[0]!.type.nullable ? undefined : bool(rex.op === 'IS NOT NULL');
      return bool((ops[0]!.value === null) === (rex.op === 'IS NULL'));
    case 'IS TRUE': case 'IS FALSE': case 'IS NOT TRUE': case 'IS NOT FALSE': {
      const x = ops[0]!;
      if (!isLit(x)) return undefined;
      const want = rex.op.endsWith('TRUE');
      const hit = x.value === want;
      return bool(rex.op.includes('NOT') ? !hit : hit);
    }
    default: break;
  }
  if (!ops.every(isLit)) return undefined;
  const lits = ops as Extract<Rex, { kind: 'literal' }>[];
  if (lits.some((l) => l.value === null)) {
    // Strict operators: NULL in, NULL out.
    if (['+', '-', '*', '/', 'MOD', '=', '<>', '<', '<=', '>', '>=', '||', 'UPPER', 'LOWER', 'CAST'].includes(rex.op)) return literal(null, { ...rex.type, nullable: true });
    return undefined;
  }
  switch (rex.op) {
    case '=': case '<>': case '<': case '<=': case '>': case '>=': {
      const c = compare(lits[0]!, lits[1]!);
      if (c === undefined) return undefined;
      const r = { '=': c === 0, '<>': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[rex.op];
      return bool(r);
    }
    case '+': case '-': case '*': {
      if (lits.length === 1 && rex.op === '-') return undefined;
      const [a, b] = lits as [Extract<Rex, { kind: 'literal' }>, Extract<Rex, { kind: 'literal' }>];
      if (EXACT.has(a.type.root) && EXACT.has(b.type.root) && EXACT.has(rex.type.root)) {
        const s = scaleOf(rex.type);
        if (rex.op === '*') {
          const v = toScaled(a.value, scaleOf(a.type), scaleOf(a.type)) * toScaled(b.value, scaleOf(b.type), scaleOf(b.type));
          const have = scaleOf(a.type) + scaleOf(b.type);
          return exactLiteral(have >= s ? v / 10n ** BigInt(have - s) : v * 10n ** BigInt(s - have), rex.type);
        }
        const x = toScaled(a.value, scaleOf(a.type), s);
        const y = toScaled(b.value, scaleOf(b.type), s);
        return exactLiteral(rex.op === '+' ? x + y : x - y, rex.type);
      }
      if (rex.type.root === 'DOUBLE' && typeof a.value === 'number' && typeof b.value === 'number') {
        return literal(rex.op === '+' ? a.value + b.value : rex.op === '-' ? a.value - b.value : a.value * b.value, rex.type);
      }
      if (rex.type.root === 'INTERVAL_DAY_TIME' && typeof a.value === 'number' && typeof b.value === 'number' && rex.op !== '*') {
        return literal(rex.op === '+' ? a.value + b.value : a.value - b.value, rex.type);
      }
      return undefined;
    }
    case '||':
      return literal(String(lits[0]!.value) + String(lits[1]!.value), rex.type);
    case 'UPPER': return literal(String(lits[0]!.value).toUpperCase(), rex.type);
    case 'LOWER': return literal(String(lits[0]!.value).toLowerCase(), rex.type);
    case 'CAST': {
      const x = lits[0]!;
      if (isCharacter(rex.type) && (isCharacter(x.type) || EXACT.has(x.type.root))) return literal(String(x.value), rex.type);
      if (EXACT.has(x.type.root) && EXACT.has(rex.type.root)) {
        if (scaleOf(rex.type) < scaleOf(x.type)) return undefined; // rounding: left to run time
        return exactLiteral(toScaled(x.value, scaleOf(x.type), scaleOf(rex.type)), rex.type);
      }
      return undefined;
    }
    default: return undefined;
  }
}

export function foldRex(rex: Rex): Rex {
  if (rex.kind === 'fieldAccess') return { ...rex, expr: foldRex(rex.expr) };
  if (rex.kind !== 'call') return rex;
  const operands = rex.operands.map(foldRex);
  const rebuilt = operands.some((o, i) => o !== rex.operands[i]) ? { ...rex, operands } : rex;
  const folded = foldCall(rebuilt);
  if (folded === undefined) return rebuilt;
  // Keep the declared type (a folded value never widens it); nullability may only narrow.
  if (folded.kind === 'literal' && typeToString(folded.type) !== typeToString(rex.type) && folded.type.root !== rex.type.root) return { ...folded, type: { ...rex.type, nullable: folded.value === null } } as Rex;
  return folded;
}

export const constantFolding: Rule = {
  name: 'constant-folding',
  rewrite(node: LogicalNode) {
    if (node.kind === 'Project') {
      const exprs = node.exprs.map(foldRex);
      return exprs.some((e, i) => e !== node.exprs[i]) ? { ...node, exprs } : undefined;
    }
    if (node.kind === 'Filter') {
      const condition = foldRex(node.condition);
      if (isTrue(condition)) return node.input;
      return condition !== node.condition ? { ...node, condition } : undefined;
    }
    if (node.kind === 'Join') {
      const condition = foldRex(node.condition);
      return condition !== node.condition ? { ...node, condition } : undefined;
    }
    return undefined;
  },
};
