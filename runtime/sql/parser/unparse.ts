// Writes an expression back as SQL text the way Flink prints expressions in DESCRIBE and
// SHOW CREATE TABLE: names backquoted, keywords upper case (`` `ts` - INTERVAL '4' SECOND ``).
import type { Expr, FrameBound, OrderItem, WindowSpec } from './ast.ts';
import { typeToString } from '../types/data-type.ts';

const quote = (name: string): string => '`' + name.replaceAll('`', '``') + '`';
const str = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export function unparseExpr(e: Expr): string {
  switch (e.kind) {
    case 'identifier': return e.parts.map(quote).join('.');
    case 'star': return [...e.qualifier.map(quote), '*'].join('.');
    case 'numeric': return e.text;
    case 'string': return str(e.value);
    case 'binaryString': return `X'${e.hex}'`;
    case 'boolean': return e.value ? 'TRUE' : 'FALSE';
    case 'null': return 'NULL';
    case 'typedLiteral': return `${e.type} ${str(e.value)}`;
    case 'interval': return `INTERVAL ${e.negative ? '-' : ''}${str(e.value)} ${e.resolution.replaceAll('_', ' ')}`;
    case 'unary': return e.op === 'NOT' ? `NOT ${unparseExpr(e.operand)}` : `${e.op}${unparseExpr(e.operand)}`;
    case 'binary': return `${wrap(e.left)} ${e.op} ${wrap(e.right)}`;
    case 'is': return `${wrap(e.operand)} IS ${e.negated ? 'NOT ' : ''}${e.test}`;
    case 'isDistinctFrom': return `${wrap(e.left)} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${wrap(e.right)}`;
    case 'between': return `${wrap(e.operand)} ${e.negated ? 'NOT ' : ''}BETWEEN ${e.symmetric ? 'SYMMETRIC ' : ''}${wrap(e.low)} AND ${wrap(e.high)}`;
    case 'in': return `${wrap(e.operand)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(unparseExpr).join(', ')})`;
    case 'inQuery': return `${wrap(e.operand)} ${e.negated ? 'NOT ' : ''}IN (<subquery>)`;
    case 'like': return `${wrap(e.operand)} ${e.negated ? 'NOT ' : ''}${e.op} ${wrap(e.pattern)}${e.escape ? ` ESCAPE ${unparseExpr(e.escape)}` : ''}`;
    case 'case': return `CASE${e.operand ? ` ${unparseExpr(e.operand)}` : ''}${e.whens.map((w) => ` WHEN ${unparseExpr(w.when)} THEN ${unparseExpr(w.then)}`).join('')}${e.else ? ` ELSE ${unparseExpr(e.else)}` : ''} END`;
    case 'cast': return `${e.safe ? 'TRY_CAST' : 'CAST'}(${unparseExpr(e.operand)} AS ${typeToString(e.target.type)})`;
    case 'call': {
      const args = `${e.distinct ? 'DISTINCT ' : ''}${e.args.map(unparseExpr).join(', ')}${e.nullTreatment ? ` ${e.nullTreatment} NULLS` : ''}`;
      const filter = e.filter ? ` FILTER (WHERE ${unparseExpr(e.filter)})` : '';
      const over = e.over ? ` OVER ${unparseWindow(e.over)}` : '';
      return `${e.name.join('.').toUpperCase()}(${args})${filter}${over}`;
    }
    case 'extract': return `EXTRACT(${e.unit} FROM ${unparseExpr(e.operand)})`;
    case 'tableArg': return `TABLE ${e.name ? e.name.parts.map(quote).join('.') : '(<query>)'}`;
    case 'descriptor': return `DESCRIPTOR(${e.columns.map(quote).join(', ')})`;
    case 'namedArg': return `${e.name} => ${unparseExpr(e.value)}`;
    case 'subquery': return '(<subquery>)';
    case 'exists': return 'EXISTS (<subquery>)';
    case 'array': return `ARRAY[${e.elements.map(unparseExpr).join(', ')}]`;
    case 'arrayQuery': return 'ARRAY(<subquery>)';
    case 'map': return `MAP[${e.entries.map((x) => `${unparseExpr(x.key)}, ${unparseExpr(x.value)}`).join(', ')}]`;
    case 'row': return `${e.explicit ? 'ROW' : ''}(${e.fields.map(unparseExpr).join(', ')})`;
    case 'item': return `${wrap(e.target)}[${unparseExpr(e.index)}]`;
    case 'field': return `${wrap(e.target)}.${quote(e.name)}`;
    case 'symbol': return e.value;
  }
}

function wrap(e: Expr): string {
  const s = unparseExpr(e);
  return e.kind === 'binary' || e.kind === 'between' || e.kind === 'like' || e.kind === 'in' ? `(${s})` : s;
}

function unparseOrder(o: OrderItem): string {
  return `${unparseExpr(o.expr)}${o.direction === 'DESC' ? ' DESC' : ''}${o.nulls ? ` NULLS ${o.nulls}` : ''}`;
}

function unparseBound(b: FrameBound): string {
  switch (b.kind) {
    case 'unboundedPreceding': return 'UNBOUNDED PRECEDING';
    case 'unboundedFollowing': return 'UNBOUNDED FOLLOWING';
    case 'currentRow': return 'CURRENT ROW';
    case 'preceding': return `${unparseExpr(b.offset)} PRECEDING`;
    case 'following': return `${unparseExpr(b.offset)} FOLLOWING`;
  }
}

export function unparseWindow(w: WindowSpec): string {
  if (w.ref !== undefined && w.partitionBy.length === 0 && w.orderBy.length === 0 && w.frame === undefined) return quote(w.ref);
  const parts: string[] = [];
  if (w.ref !== undefined) parts.push(quote(w.ref));
  if (w.partitionBy.length > 0) parts.push(`PARTITION BY ${w.partitionBy.map(unparseExpr).join(', ')}`);
  if (w.orderBy.length > 0) parts.push(`ORDER BY ${w.orderBy.map(unparseOrder).join(', ')}`);
  if (w.frame) parts.push(`${w.frame.unit} ${w.frame.end ? `BETWEEN ${unparseBound(w.frame.start)} AND ${unparseBound(w.frame.end)}` : unparseBound(w.frame.start)}`);
  return `(${parts.join(' ')})`;
}
