// Type rules Flink applies without being asked: the common type of CASE/UNION/COALESCE branches
// (LogicalTypeMerging.findCommonType), the result types of arithmetic (DECIMAL rules of
// LogicalTypeMerging: `0.908 * price` with price BIGINT is DECIMAL(23, 3)), which types compare,
// and which casts happen implicitly (LogicalTypeCasts.supportsImplicitCast), e.g. on INSERT.
import type { DataType } from './data-type.ts';
import {
  MAX_DECIMAL_PRECISION, T, decimalPrecisionOf, isBinary, isCharacter, isInteger, isInterval, isNumeric, isTimestamp,
  withNullability, withoutTimeAttribute,
} from './data-type.ts';

const INTEGER_RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INTEGER: 3, BIGINT: 4 };

const anyNullable = (types: readonly DataType[]): boolean => types.some((t) => t.nullable);

function decimal(precision: number, scale: number, nullable: boolean): DataType {
  // Flink's adjustPrecisionScale: keep integer digits, give up scale down to 6 when over 38.
  if (precision <= MAX_DECIMAL_PRECISION) return T.decimal(precision, scale, nullable);
  const intDigits = precision - scale;
  const minScale = Math.min(scale, 6);
  const newScale = Math.max(MAX_DECIMAL_PRECISION - intDigits, minScale);
  return T.decimal(MAX_DECIMAL_PRECISION, newScale, nullable);
}

/** The common type of several types, or undefined when they have none (Flink then refuses the query). */
export function commonType(types: readonly DataType[]): DataType | undefined {
  const nonNull = types.filter((t) => t.root !== 'NULL').map(withoutTimeAttribute);
  const nullable = anyNullable(types);
  if (nonNull.length === 0) return T.null();
  const first = nonNull[0]!;
  if (nonNull.every(isNumeric)) {
    if (nonNull.some((t) => t.root === 'DOUBLE')) return T.double(nullable);
    if (nonNull.some((t) => t.root === 'FLOAT')) return T.float(nullable);
    if (nonNull.some((t) => t.root === 'DECIMAL')) {
      let scale = 0;
      let intDigits = 0;
      for (const t of nonNull) {
        const ps = decimalPrecisionOf(t)!;
        scale = Math.max(scale, ps.scale);
        intDigits = Math.max(intDigits, ps.precision - ps.scale);
      }
      return decimal(intDigits + scale, scale, nullable);
    }
    const top = nonNull.reduce((a, b) => (INTEGER_RANK[b.root]! > INTEGER_RANK[a.root]! ? b : a));
    return withNullability(top, nullable);
  }
  if (nonNull.every(isCharacter)) {
    const length = Math.max(...nonNull.map((t) => (t as { length: number }).length));
    const allChar = nonNull.every((t) => t.root === 'CHAR');
    const sameLength = nonNull.every((t) => (t as { length: number }).length === length);
    return allChar && sameLength ? T.char(length, nullable) : T.varchar(length, nullable);
  }
  if (nonNull.every(isBinary)) {
    const length = Math.max(...nonNull.map((t) => (t as { length: number }).length));
    return T.varbinary(length, nullable);
  }
  if (nonNull.every(isTimestamp) || (nonNull.every((t) => isTimestamp(t) || t.root === 'DATE') && nonNull.some(isTimestamp))) {
    const precision = Math.max(...nonNull.map((t) => (isTimestamp(t) ? (t as { precision: number }).precision : 0)));
    return nonNull.some((t) => t.root === 'TIMESTAMP_LTZ') ? T.timestampLtz(precision, nullable) : T.timestamp(precision, nullable);
  }
  if (first.root === 'ARRAY' && nonNull.every((t) => t.root === 'ARRAY')) {
    const element = commonType(nonNull.map((t) => (t as { element: DataType }).element));
    return element === undefined ? undefined : T.array(element, nullable);
  }
  if (first.root === 'MAP' && nonNull.every((t) => t.root === 'MAP')) {
    const key = commonType(nonNull.map((t) => (t as { key: DataType }).key));
    const value = commonType(nonNull.map((t) => (t as { value: DataType }).value));
    return key === undefined || value === undefined ? undefined : T.map(key, value, nullable);
  }
  if (first.root === 'ROW' && nonNull.every((t) => t.root === 'ROW' && t.fields.length === first.fields.length)) {
    const fields = first.fields.map((f, i) => ({ name: f.name, type: commonType(nonNull.map((t) => (t as { fields: { type: DataType }[] }).fields[i]!.type)) }));
    if (fields.some((f) => f.type === undefined)) return undefined;
    return T.row(fields as { name: string; type: DataType }[], nullable);
  }
  if (isInterval(first) && nonNull.every((t) => t.root === first.root)) return withNullability(first, nullable);
  if (nonNull.every((t) => t.root === first.root)) return withNullability(first, nullable);
  return undefined;
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

/** Result type of `a op b`, or undefined when Flink does not define it for these types. */
export function arithmeticType(op: ArithmeticOperator, a: DataType, b: DataType): DataType | undefined {
  const nullable = a.nullable || b.nullable;
  if (a.root === 'NULL' || b.root === 'NULL') {
    const other = a.root === 'NULL' ? b : a;
    return other.root === 'NULL' ? T.null() : withNullability(withoutTimeAttribute(other), true);
  }
  if (isNumeric(a) && isNumeric(b)) {
    if (a.root === 'DOUBLE' || b.root === 'DOUBLE' || a.root === 'FLOAT' || b.root === 'FLOAT') {
      return a.root === 'DOUBLE' || b.root === 'DOUBLE' ? T.double(nullable) : T.float(nullable);
    }
    if (op === '%') return withNullability(b, nullable);
    if (isInteger(a) && isInteger(b)) {
      // Integer arithmetic stays integer, as in Flink (`7 / 2` is 3).
      return withNullability(INTEGER_RANK[a.root]! >= INTEGER_RANK[b.root]! ? a : b, nullable);
    }
    const pa = decimalPrecisionOf(a)!;
    const pb = decimalPrecisionOf(b)!;
    switch (op) {
      case '+': case '-': {
        const scale = Math.max(pa.scale, pb.scale);
        return decimal(Math.max(pa.precision - pa.scale, pb.precision - pb.scale) + scale + 1, scale, nullable);
      }
      case '*': return decimal(pa.precision + pb.precision, pa.scale + pb.scale, nullable);
      case '/': {
        const scale = Math.max(6, pa.scale + pb.precision + 1);
        return decimal(pa.precision - pa.scale + pb.scale + scale, scale, nullable);
      }
    }
  }
  if ((op === '+' || op === '-') && (isTimestamp(a) || a.root === 'DATE' || a.root === 'TIME') && isInterval(b)) {
    return withNullability(withoutTimeAttribute(a), nullable);
  }
  if (op === '+' && isInterval(a) && (isTimestamp(b) || b.root === 'DATE' || b.root === 'TIME')) return withNullability(withoutTimeAttribute(b), nullable);
  if ((op === '+' || op === '-') && isInterval(a) && isInterval(b) && a.root === b.root) return withNullability(a, nullable);
  if ((op === '*' || op === '/') && isInterval(a) && isNumeric(b)) return withNullability(a, nullable);
  if (op === '*' && isNumeric(a) && isInterval(b)) return withNullability(b, nullable);
  return undefined;
}

/** Whether `=`, `<` ... apply to the two types (Flink does not compare strings with numbers). */
export function comparable(a: DataType, b: DataType): boolean {
  if (a.root === 'NULL' || b.root === 'NULL') return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (isCharacter(a) && isCharacter(b)) return true;
  if (isBinary(a) && isBinary(b)) return true;
  if ((isTimestamp(a) || a.root === 'DATE') && (isTimestamp(b) || b.root === 'DATE')) return true;
  return commonType([a, b]) !== undefined;
}

/** Whether a value of `from` goes into `to` without an explicit CAST (LogicalTypeCasts.supportsImplicitCast). */
export function implicitlyCastable(from: DataType, to: DataType): boolean {
  if (from.root === 'NULL') return true;
  if (from.root === to.root) {
    if (from.root === 'ARRAY' || from.root === 'MULTISET') return implicitlyCastable((from as { element: DataType }).element, (to as { element: DataType }).element);
    if (from.root === 'MAP' && to.root === 'MAP') return implicitlyCastable(from.key, to.key) && implicitlyCastable(from.value, to.value);
    if (from.root === 'ROW' && to.root === 'ROW') return from.fields.length === to.fields.length && from.fields.every((f, i) => implicitlyCastable(f.type, to.fields[i]!.type));
    return true;
  }
  if (isNumeric(from) && isNumeric(to)) {
    const order = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE'];
    return order.indexOf(from.root) <= order.indexOf(to.root);
  }
  if (isCharacter(from) && isCharacter(to)) return true;
  if (isBinary(from) && isBinary(to)) return true;
  if (from.root === 'DATE' && isTimestamp(to)) return true;
  if (isTimestamp(from) && isTimestamp(to)) return true;
  return false;
}
