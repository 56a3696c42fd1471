import { arithmeticType, commonType, comparable, implicitlyCastable } from './coercion.ts';
import { T, typeToString } from './data-type.ts';

const s = (t: ReturnType<typeof commonType>): string => (t === undefined ? 'none' : typeToString(t));

describe('Flink type rules', () => {
  it('print types as Flink summarizes them', () => {
    expect(typeToString(T.string())).toBe('STRING');
    expect(typeToString(T.varchar(10, false))).toBe('VARCHAR(10) NOT NULL');
    expect(typeToString({ root: 'TIMESTAMP', precision: 3, nullable: true, timeAttribute: 'ROWTIME' })).toBe('TIMESTAMP(3) *ROWTIME*');
    expect(typeToString(T.row([{ name: 'id', type: T.bigint() }, { name: 'name', type: T.string() }]))).toBe('ROW<`id` BIGINT, `name` STRING>');
    expect(typeToString(T.map(T.string(), T.array(T.int(false))))).toBe('MAP<STRING, ARRAY<INT NOT NULL>>');
  });

  it('give DECIMAL arithmetic the precision Flink gives it', () => {
    // Nexmark q1: 0.908 * price (BIGINT) goes into DECIMAL(23, 3).
    expect(s(arithmeticType('*', T.decimal(4, 3, false), T.bigint()))).toBe('DECIMAL(23, 3)');
    expect(s(arithmeticType('+', T.decimal(10, 2), T.decimal(5, 4)))).toBe('DECIMAL(13, 4)');
    expect(s(arithmeticType('/', T.decimal(10, 2), T.decimal(5, 0)))).toBe('DECIMAL(16, 8)');
    expect(s(arithmeticType('*', T.decimal(38, 10), T.decimal(38, 10)))).toBe('DECIMAL(38, 6)');
  });

  it('keep integer arithmetic integer and widen to the larger type', () => {
    expect(s(arithmeticType('/', T.int(false), T.int(false)))).toBe('INT NOT NULL');
    expect(s(arithmeticType('+', T.int(false), T.bigint()))).toBe('BIGINT');
    expect(s(arithmeticType('*', T.int(), T.double(false)))).toBe('DOUBLE');
    expect(s(arithmeticType('-', { root: 'TIMESTAMP', precision: 3, nullable: false, timeAttribute: 'ROWTIME' }, T.intervalDayTime('SECOND', false)))).toBe('TIMESTAMP(3) NOT NULL');
    expect(arithmeticType('+', T.string(), T.int())).toBeUndefined();
  });

  it('find common types for CASE and UNION branches', () => {
    expect(s(commonType([T.int(false), T.bigint(false), T.null()]))).toBe('BIGINT');
    expect(s(commonType([T.char(3, false), T.char(5, false)]))).toBe('VARCHAR(5) NOT NULL');
    expect(s(commonType([T.decimal(5, 2), T.int()]))).toBe('DECIMAL(12, 2)');
    expect(s(commonType([T.timestamp(3), T.timestamp(6)]))).toBe('TIMESTAMP(6)');
    expect(commonType([T.string(), T.int()])).toBeUndefined();
  });

  it('compare numbers with numbers and strings with strings only', () => {
    expect(comparable(T.int(), T.decimal(10, 2))).toBe(true);
    expect(comparable(T.string(), T.int())).toBe(false);
    expect(comparable(T.timestamp(3), T.date())).toBe(true);
  });

  it('cast implicitly only where Flink does (widening, CHAR to VARCHAR, DATE to TIMESTAMP)', () => {
    expect(implicitlyCastable(T.int(), T.bigint())).toBe(true);
    expect(implicitlyCastable(T.bigint(), T.decimal(23, 3))).toBe(true);
    expect(implicitlyCastable(T.bigint(), T.int())).toBe(false);
    expect(implicitlyCastable(T.bigint(), T.string())).toBe(false);
    expect(implicitlyCastable(T.char(3), T.string())).toBe(true);
    expect(implicitlyCastable(T.date(), T.timestamp(3))).toBe(true);
  });
});
