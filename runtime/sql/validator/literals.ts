// Types and values of literals as Flink (Calcite) gives them: `12` INT NOT NULL, `0.908`
// DECIMAL(4, 3) NOT NULL (precision counts every digit written), `'abc'` CHAR(3) NOT NULL,
// `INTERVAL '4' SECOND` 4000 ms, `TIMESTAMP '2020-01-01 10:00:00.123'` TIMESTAMP(3).
import { SqlError } from '../errors.ts';
import type { ExprOf, Pos } from '../parser/ast.ts';
import type { Rex } from '../planner/rex.ts';
import { literal } from '../planner/rex.ts';
import type { IntervalResolution } from '../types/data-type.ts';
import { MAX_DECIMAL_PRECISION, T } from '../types/data-type.ts';

const INT_MAX = 2147483647n;
const BIGINT_MAX = 9223372036854775807n;

export function numericLiteral(text: string, pos: Pos): Rex {
  if (/[eE]/.test(text)) return literal(Number(text), T.double(false));
  const dot = text.indexOf('.');
  if (dot < 0 || dot === text.length - 1) {
    const digits = dot < 0 ? text : text.slice(0, -1);
    const v = BigInt(digits);
    if (v <= INT_MAX) return literal(Number(v), T.int(false));
    if (v <= BIGINT_MAX) return literal(v.toString(), T.bigint(false));
    if (digits.length > MAX_DECIMAL_PRECISION) throw new SqlError('MR_ERR_SQL_VALIDATE', `numeric literal ${text} is out of range: DECIMAL holds at most ${MAX_DECIMAL_PRECISION} digits`, pos);
    return literal(v.toString(), T.decimal(digits.length, 0, false));
  }
  const scale = text.length - dot - 1;
  const precision = Math.max(text.length - 1, scale);
  if (precision > MAX_DECIMAL_PRECISION) throw new SqlError('MR_ERR_SQL_VALIDATE', `numeric literal ${text} is out of range: DECIMAL holds at most ${MAX_DECIMAL_PRECISION} digits`, pos);
  return literal(text.startsWith('.') ? `0${text}` : text, T.decimal(precision, scale, false));
}

const MS: Record<string, number> = { DAY: 86_400_000, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1000 };

/** The interval in milliseconds (DAY ... SECOND) or months (YEAR, MONTH). */
export function intervalLiteral(e: ExprOf<'interval'>): Rex {
  const [first, , last] = e.resolution.split('_') as [string, string?, string?];
  const fail = (): never => {
    throw new SqlError('MR_ERR_SQL_VALIDATE', `Illegal interval literal format '${e.value}' for INTERVAL ${e.resolution.replaceAll('_', ' ')}`, e.pos);
  };
  const sign = e.negative ? -1 : 1;
  const text = e.value.trim();
  const neg = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (first === 'YEAR' || first === 'MONTH') {
    let months: number;
    if (e.resolution === 'YEAR_TO_MONTH') {
      const m = /^(\d+)-(\d+)$/.exec(body) ?? fail();
      months = Number(m[1]) * 12 + Number(m[2]);
    } else {
      if (!/^\d+$/.test(body)) fail();
      months = Number(body) * (first === 'YEAR' ? 12 : 1);
    }
    return literal(sign * neg * months, T.intervalYearMonth(e.resolution as IntervalResolution, false));
  }
  // Day-time: the fields from `first` to `last` separated by ' ' (days) and ':' (time), seconds may have a fraction.
  const units = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  const from = units.indexOf(first);
  const to = units.indexOf(last ?? first);
  const pieces = body.split(/[ :]/);
  if (pieces.length !== to - from + 1) fail();
  let ms = 0;
  pieces.forEach((p, k) => {
    const unit = units[from + k]!;
    if (unit === 'SECOND' ? !/^\d+(\.\d+)?$/.test(p) : !/^\d+$/.test(p)) fail();
    ms += Number(p) * MS[unit]!;
  });
  return literal(sign * neg * Math.round(ms), T.intervalDayTime(e.resolution as IntervalResolution, false));
}

export function typedLiteral(e: ExprOf<'typedLiteral'>): Rex {
  const fail = (what: string): never => {
    throw new SqlError('MR_ERR_SQL_VALIDATE', `Illegal ${e.type} literal '${e.value}': expected ${what}`, e.pos);
  };
  const v = e.value.trim();
  switch (e.type) {
    case 'DATE':
      if (!/^\d{4}-\d{1,2}-\d{1,2}$/.test(v)) fail("'yyyy-MM-dd'");
      return literal(v, T.date(false));
    case 'TIME': {
      const m = /^\d{1,2}:\d{2}(:\d{2}(\.(\d+))?)?$/.exec(v) ?? fail("'HH:mm:ss[.fraction]'");
      return literal(v, T.time(m[3]?.length ?? 0, false));
    }
    default: {
      const m = /^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2}(:\d{2}(\.(\d+))?)?)?$/.exec(v) ?? fail("'yyyy-MM-dd HH:mm:ss[.fraction]'");
      const p = m[4]?.length ?? 0;
      return literal(v, e.type === 'TIMESTAMP' ? T.timestamp(p, false) : T.timestampLtz(p, false));
    }
  }
}
