// Flink's built-in functions that the validator knows: name, signatures, return type rule and,
// where code generation can inline it, a JavaScript snippet over non-null arguments.
// docs/sql/README.md lists them; adding a function is one entry here.
import type { DataType } from '../types/data-type.ts';
import { T, decimalPrecisionOf, isBinary, isCharacter, isInteger, isInterval, isNumeric, isTemporal, isTimestamp, typeToString, withNullability, withoutTimeAttribute } from '../types/data-type.ts';
import { commonType } from '../types/coercion.ts';
import type { FunctionDefinition, FunctionKind } from './function-definition.ts';

type Family = 'ANY' | 'NUMERIC' | 'INTEGER' | 'STRING' | 'BINARY' | 'BOOLEAN' | 'DATE' | 'TIME' | 'TIMESTAMP' | 'DATETIME' | 'INTERVAL' | 'ARRAY' | 'MAP' | 'STRING_OR_BINARY';

function matches(family: Family, t: DataType): boolean {
  if (t.root === 'NULL') return true;
  switch (family) {
    case 'ANY': return true;
    case 'NUMERIC': return isNumeric(t);
    case 'INTEGER': return isInteger(t);
    case 'STRING': return isCharacter(t);
    case 'BINARY': return isBinary(t);
    case 'STRING_OR_BINARY': return isCharacter(t) || isBinary(t);
    case 'BOOLEAN': return t.root === 'BOOLEAN';
    case 'DATE': return t.root === 'DATE';
    case 'TIME': return t.root === 'TIME';
    case 'TIMESTAMP': return isTimestamp(t);
    case 'DATETIME': return isTemporal(t);
    case 'INTERVAL': return isInterval(t);
    case 'ARRAY': return t.root === 'ARRAY';
    case 'MAP': return t.root === 'MAP';
  }
}

interface Sig { args: Family[]; optional?: number; variadic?: Family }

/** `ret` gets the argument types and returns the result type before the nullability rule. */
type Ret = DataType | ((args: readonly DataType[]) => DataType | string);

interface Spec {
  kind?: FunctionKind;
  sigs: Sig[];
  ret: Ret;
  /** 'args': nullable when an argument is (default); 'always': nullable; 'never': NOT NULL; 'keep': as ret says */
  nullable?: 'args' | 'always' | 'never' | 'keep';
  deterministic?: boolean;
  js?: string;
  description: string;
}

function sigText(name: string, s: Sig): string {
  const args: string[] = s.args.map((a, i) => (s.optional !== undefined && i >= s.optional ? `[${a}]` : a));
  if (s.variadic) args.push(`${s.variadic}...`);
  return `${name}(${args.join(', ')})`;
}

function define(name: string, spec: Spec): FunctionDefinition {
  const signatures = spec.sigs.map((s) => sigText(name, s));
  const def: FunctionDefinition = {
    name,
    kind: spec.kind ?? 'scalar',
    signatures,
    deterministic: spec.deterministic ?? true,
    description: spec.description,
    inferType(args) {
      const ok = spec.sigs.some((s) => {
        const min = s.optional ?? s.args.length;
        if (args.length < min || (args.length > s.args.length && s.variadic === undefined)) return false;
        return args.every((a, i) => matches(i < s.args.length ? s.args[i]! : s.variadic!, a));
      });
      if (!ok) return `Invalid function call:\n${name}(${args.map(typeToString).join(', ')})\nSupported signatures are:\n${signatures.join('\n')}`;
      const r = typeof spec.ret === 'function' ? spec.ret(args) : spec.ret;
      if (typeof r === 'string') return r;
      switch (spec.nullable ?? 'args') {
        case 'args': return withNullability(r, args.some((a) => a.nullable));
        case 'always': return withNullability(r, true);
        case 'never': return withNullability(r, false);
        case 'keep': return r;
      }
    },
  };
  if (spec.js !== undefined) def.js = spec.js;
  return def;
}

const arg0 = (args: readonly DataType[]): DataType => withoutTimeAttribute(args[0]!);
const common = (args: readonly DataType[]): DataType | string => commonType(args) ?? `arguments of types ${args.map(typeToString).join(', ')} have no common type`;
const STR = T.string();
const S: Family[] = ['STRING'];

const sumType = (args: readonly DataType[]): DataType => {
  const t = args[0]!;
  if (t.root === 'DECIMAL') return T.decimal(38, t.scale);
  return withoutTimeAttribute(t);
};
const avgType = (args: readonly DataType[]): DataType => {
  const t = args[0]!;
  if (t.root === 'DECIMAL') { const ps = decimalPrecisionOf(t)!; return T.decimal(38, Math.max(6, ps.scale)); }
  return withoutTimeAttribute(t);
};

const groupWindowTime = (attr: 'ROWTIME' | 'PROCTIME' | undefined) => (args: readonly DataType[]): DataType | string => {
  const t = args[0]!;
  if (!isTimestamp(t)) return 'the first argument of a group window function must be a time attribute';
  if (attr === undefined) return T.timestamp(3, false);
  if (attr === 'PROCTIME') return { root: 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'PROCTIME' };
  return { root: t.root, precision: 3, nullable: false, timeAttribute: 'ROWTIME' } as DataType;
};

const SPECS: Record<string, Spec> = {
  // ---- arithmetic and math
  ABS: { sigs: [{ args: ['NUMERIC'] }], ret: arg0, js: 'Math.abs', description: 'absolute value' },
  MOD: { sigs: [{ args: ['INTEGER', 'INTEGER'] }, { args: ['NUMERIC', 'NUMERIC'] }], ret: (a) => withoutTimeAttribute(a[1]!), js: '(a, b) => a % b', description: 'remainder of a divided by b (sign of a)' },
  // internal (not callable from SQL text: `$`): the bucket hash of split distinct aggregation (planner/rules/split-distinct-aggregate.ts); Java's String.hashCode of the value's text, composite values all hash to 0
  $HASH_CODE: { sigs: [{ args: ['ANY'] }], ret: T.int(), js: "(v) => { const s = typeof v === 'string' ? v : typeof v === 'object' ? '' : String(v); let h = 0; for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0; return h; }", description: 'internal: hash of a value for split distinct aggregation' },
  POWER: { sigs: [{ args: ['NUMERIC', 'NUMERIC'] }], ret: T.double(), js: 'Math.pow', description: 'a raised to b' },
  SQRT: { sigs: [{ args: ['NUMERIC'] }], ret: T.double(), js: 'Math.sqrt', description: 'square root' },
  EXP: { sigs: [{ args: ['NUMERIC'] }], ret: T.double(), js: 'Math.exp', description: 'e raised to a' },
  LN: { sigs: [{ args: ['NUMERIC'] }], ret: T.double(), js: 'Math.log', description: 'natural logarithm' },
  LOG10: { sigs: [{ args: ['NUMERIC'] }], ret: T.double(), js: 'Math.log10', description: 'base-10 logarithm' },
  LOG2: { sigs: [{ args: ['NUMERIC'] }], ret: T.double(), js: 'Math.log2', description: 'base-2 logarithm' },
  LOG: { sigs: [{ args: ['NUMERIC', 'NUMERIC'], optional: 1 }], ret: T.double(), description: 'LOG(x) natural logarithm, LOG(base, x)' },
  SIGN: { sigs: [{ args: ['NUMERIC'] }], ret: arg0, description: 'signum' },
  ROUND: { sigs: [{ args: ['NUMERIC', 'INTEGER'], optional: 1 }], ret: arg0, description: 'rounds to n decimal places (half up)' },
  TRUNCATE: { sigs: [{ args: ['NUMERIC', 'INTEGER'], optional: 1 }], ret: arg0, description: 'truncates to n decimal places' },
  FLOOR: { sigs: [{ args: ['NUMERIC'] }, { args: ['DATETIME', 'ANY'] }], ret: arg0, description: 'largest integer not above x; FLOOR(ts TO unit) rounds a time down' },
  CEIL: { sigs: [{ args: ['NUMERIC'] }, { args: ['DATETIME', 'ANY'] }], ret: arg0, description: 'smallest integer not below x; CEIL(ts TO unit) rounds a time up' },
  CEILING: { sigs: [{ args: ['NUMERIC'] }, { args: ['DATETIME', 'ANY'] }], ret: arg0, description: 'same as CEIL' },
  RAND: { sigs: [{ args: ['INTEGER'], optional: 0 }], ret: T.double(false), nullable: 'never', deterministic: false, description: 'random double in [0, 1)' },
  RAND_INTEGER: { sigs: [{ args: ['INTEGER', 'INTEGER'], optional: 1 }], ret: T.int(false), nullable: 'never', deterministic: false, description: 'random integer in [0, n)' },
  PI: { sigs: [{ args: [] }], ret: T.double(false), js: '() => Math.PI', description: 'pi' },
  // ---- strings
  UPPER: { sigs: [{ args: S }], ret: arg0, js: '(s) => s.toUpperCase()', description: 'upper case' },
  LOWER: { sigs: [{ args: S }], ret: arg0, js: '(s) => s.toLowerCase()', description: 'lower case' },
  CHAR_LENGTH: { sigs: [{ args: S }], ret: T.int(), js: '(s) => [...s].length', description: 'number of characters' },
  CHARACTER_LENGTH: { sigs: [{ args: S }], ret: T.int(), js: '(s) => [...s].length', description: 'number of characters' },
  TRIM: { sigs: [{ args: ['ANY', 'STRING', 'STRING'] }, { args: ['STRING'] }], ret: STR, description: 'TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)' },
  LTRIM: { sigs: [{ args: S }], ret: STR, js: '(s) => s.replace(/^ +/, "")', description: 'removes leading spaces' },
  RTRIM: { sigs: [{ args: S }], ret: STR, js: '(s) => s.replace(/ +$/, "")', description: 'removes trailing spaces' },
  SUBSTRING: { sigs: [{ args: ['STRING', 'INTEGER', 'INTEGER'], optional: 2 }], ret: STR, description: 'SUBSTRING(s FROM start [FOR length]), 1-based' },
  SUBSTR: { sigs: [{ args: ['STRING', 'INTEGER', 'INTEGER'], optional: 2 }], ret: STR, description: 'SUBSTR(s, start [, length]), 1-based' },
  REPLACE: { sigs: [{ args: ['STRING', 'STRING', 'STRING'] }], ret: STR, js: '(s, a, b) => s.replaceAll(a, b)', description: 'replaces every a by b' },
  CONCAT: { sigs: [{ args: ['STRING'], variadic: 'STRING' }], ret: STR, js: '(...xs) => xs.join("")', description: 'concatenation; NULL if any argument is NULL' },
  CONCAT_WS: { sigs: [{ args: ['STRING', 'STRING'], variadic: 'STRING' }], ret: STR, nullable: 'args', description: 'concatenation with a separator, skipping NULL values' },
  LPAD: { sigs: [{ args: ['STRING', 'INTEGER', 'STRING'] }], ret: STR, description: 'left pad to a length' },
  RPAD: { sigs: [{ args: ['STRING', 'INTEGER', 'STRING'] }], ret: STR, description: 'right pad to a length' },
  REPEAT: { sigs: [{ args: ['STRING', 'INTEGER'] }], ret: STR, js: '(s, n) => n > 0 ? s.repeat(n) : ""', description: 'repeats s n times' },
  REVERSE: { sigs: [{ args: S }], ret: STR, js: '(s) => [...s].reverse().join("")', description: 'reversed string' },
  INITCAP: { sigs: [{ args: S }], ret: STR, description: 'first letter of each word upper case' },
  POSITION: { sigs: [{ args: ['STRING', 'STRING'] }], ret: T.int(), js: '(a, b) => b.indexOf(a) + 1', description: 'POSITION(a IN b): 1-based position, 0 if absent' },
  LOCATE: { sigs: [{ args: ['STRING', 'STRING', 'INTEGER'], optional: 2 }], ret: T.int(), description: 'LOCATE(a, b [, from])' },
  INSTR: { sigs: [{ args: ['STRING', 'STRING'] }], ret: T.int(), js: '(s, a) => s.indexOf(a) + 1', description: 'INSTR(s, a)' },
  LEFT: { sigs: [{ args: ['STRING', 'INTEGER'] }], ret: STR, description: 'leftmost n characters' },
  RIGHT: { sigs: [{ args: ['STRING', 'INTEGER'] }], ret: STR, description: 'rightmost n characters' },
  ASCII: { sigs: [{ args: S }], ret: T.int(), description: 'code of the first character' },
  CHR: { sigs: [{ args: ['INTEGER'] }], ret: STR, description: 'character of a code' },
  REGEXP: { sigs: [{ args: ['STRING', 'STRING'] }], ret: T.boolean(), description: 'whether s matches the Java regular expression anywhere' },
  REGEXP_EXTRACT: { sigs: [{ args: ['STRING', 'STRING', 'INTEGER'], optional: 2 }], ret: STR, nullable: 'always', description: 'group n of the first match of a Java regular expression, NULL when no match' },
  REGEXP_REPLACE: { sigs: [{ args: ['STRING', 'STRING', 'STRING'] }], ret: STR, description: 'replaces every match of a Java regular expression' },
  SPLIT_INDEX: { sigs: [{ args: ['STRING', 'STRING', 'INTEGER'] }], ret: STR, nullable: 'always', description: 'the n-th (0-based) piece of s split by a separator, NULL when out of range' },
  STR_TO_MAP: { sigs: [{ args: ['STRING', 'STRING', 'STRING'], optional: 1 }], ret: T.map(STR, STR), description: "splits 'k1=v1,k2=v2' into a map" },
  MD5: { sigs: [{ args: ['STRING_OR_BINARY'] }], ret: T.char(32), description: 'MD5 hash as 32 hexadecimal digits' },
  SHA1: { sigs: [{ args: ['STRING_OR_BINARY'] }], ret: T.char(40), description: 'SHA-1 hash as hexadecimal digits' },
  SHA256: { sigs: [{ args: ['STRING_OR_BINARY'] }], ret: T.char(64), description: 'SHA-256 hash as hexadecimal digits' },
  SHA2: { sigs: [{ args: ['STRING_OR_BINARY', 'INTEGER'] }], ret: STR, description: 'SHA-2 family hash (224, 256, 384, 512 bits)' },
  TO_BASE64: { sigs: [{ args: ['STRING_OR_BINARY'] }], ret: STR, description: 'base64 of the UTF-8 bytes' },
  FROM_BASE64: { sigs: [{ args: S }], ret: STR, description: 'decodes base64 to a string' },
  HEX: { sigs: [{ args: ['STRING'] }, { args: ['INTEGER'] }], ret: STR, description: 'hexadecimal digits' },
  UUID: { sigs: [{ args: [] }], ret: T.char(36, false), nullable: 'never', deterministic: false, description: 'a random UUID' },
  JSON_VALUE: { sigs: [{ args: ['STRING', 'STRING'] }], ret: STR, nullable: 'always', description: 'the scalar at a JSON path; RETURNING type, NULL|ERROR|DEFAULT x ON EMPTY|ON ERROR' },
  JSON_QUERY: { sigs: [{ args: ['STRING', 'STRING'] }], ret: STR, nullable: 'always', description: 'the JSON value at a JSON path; WITH|WITHOUT [CONDITIONAL] ARRAY WRAPPER, ON EMPTY, ON ERROR' },
  JSON_EXISTS: { sigs: [{ args: ['STRING', 'STRING'] }], ret: T.boolean(), description: 'whether a JSON path matches (ON ERROR clause parsed)' },
  JSON_OBJECT: { sigs: [{ args: [], variadic: 'ANY' }], ret: T.string(false), nullable: 'never', description: 'JSON_OBJECT([KEY] k VALUE v, ... [NULL|ABSENT ON NULL]): a JSON object text' },
  JSON_ARRAY: { sigs: [{ args: [], variadic: 'ANY' }], ret: T.string(false), nullable: 'never', description: 'JSON_ARRAY(v, ... [NULL|ABSENT ON NULL]): a JSON array text' },
  JSON_STRING: { sigs: [{ args: ['ANY'] }], ret: STR, description: 'a value serialized as JSON' },
  // ---- temporal
  DATE_FORMAT: { sigs: [{ args: ['TIMESTAMP', 'STRING'] }, { args: ['STRING', 'STRING'] }], ret: STR, description: 'formats a timestamp with a Java SimpleDateFormat pattern' },
  YEAR: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'year of a date or timestamp' },
  QUARTER: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'quarter (1-4)' },
  MONTH: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'month (1-12)' },
  WEEK: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'ISO week of the year' },
  DAYOFYEAR: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'day of the year (1-366)' },
  DAYOFMONTH: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'day of the month (1-31)' },
  DAYOFWEEK: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'day of the week (1 = Sunday)' },
  HOUR: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'hour of the day (0-23)' },
  MINUTE: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'minute of the hour' },
  SECOND: { sigs: [{ args: ['DATETIME'] }], ret: T.bigint(), description: 'second of the minute' },
  CURRENT_TIMESTAMP: { sigs: [{ args: [] }], ret: T.timestampLtz(3, false), nullable: 'never', deterministic: false, description: 'the current instant (TIMESTAMP_LTZ(3))' },
  NOW: { sigs: [{ args: [] }], ret: T.timestampLtz(3, false), nullable: 'never', deterministic: false, description: 'same as CURRENT_TIMESTAMP' },
  CURRENT_ROW_TIMESTAMP: { sigs: [{ args: [] }], ret: T.timestampLtz(3, false), nullable: 'never', deterministic: false, description: 'the current instant, per row' },
  LOCALTIMESTAMP: { sigs: [{ args: [] }], ret: T.timestamp(3, false), nullable: 'never', deterministic: false, description: 'the current wall-clock time in the session time zone' },
  CURRENT_DATE: { sigs: [{ args: [] }], ret: T.date(false), nullable: 'never', deterministic: false, description: 'the current date in the session time zone' },
  CURRENT_TIME: { sigs: [{ args: [] }], ret: T.time(0, false), nullable: 'never', deterministic: false, description: 'the current time of day in the session time zone' },
  LOCALTIME: { sigs: [{ args: [] }], ret: T.time(0, false), nullable: 'never', deterministic: false, description: 'same as CURRENT_TIME' },
  PROCTIME: { sigs: [{ args: [] }], ret: { root: 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'PROCTIME' }, nullable: 'keep', deterministic: false, js: 'Date.now', description: 'a processing-time attribute' },
  TO_TIMESTAMP: { sigs: [{ args: ['STRING', 'STRING'], optional: 1 }], ret: T.timestamp(3), nullable: 'always', js: '(s, p) => (p === undefined ? $h.toTimestampDefault(s) : $h.toTimestamp(s, p))', description: "parses 'yyyy-MM-dd HH:mm:ss[.fraction]' (unparsable text fails the job, as in Flink), or with a java.time DateTimeFormatter pattern (functions/to-timestamp.ts; NULL when unparsable) to TIMESTAMP(3)" },
  TO_TIMESTAMP_LTZ: { sigs: [{ args: ['NUMERIC', 'INTEGER'] }], ret: T.timestampLtz(3), nullable: 'always', js: '(v, p) => $h.toTimestampLtz(v, p)', description: 'epoch seconds (precision 0) or milliseconds (precision 3) to TIMESTAMP_LTZ(3), fractions cut; Flink 1.20 takes no string and needs the precision' },
  TO_DATE: { sigs: [{ args: ['STRING', 'STRING'], optional: 1 }], ret: T.date(), description: "parses 'yyyy-MM-dd' to DATE" },
  UNIX_TIMESTAMP: { sigs: [{ args: ['STRING', 'STRING'], optional: 0 }], ret: T.bigint(), deterministic: false, description: 'seconds since the epoch (now, or of a parsed string)' },
  FROM_UNIXTIME: { sigs: [{ args: ['NUMERIC', 'STRING'], optional: 1 }], ret: STR, description: "epoch seconds formatted ('yyyy-MM-dd HH:mm:ss' by default)" },
  TIMESTAMPADD: { sigs: [{ args: ['ANY', 'INTEGER', 'DATETIME'] }], ret: (a) => withoutTimeAttribute(a[2]!), description: 'TIMESTAMPADD(unit, n, ts)' },
  TIMESTAMPDIFF: { sigs: [{ args: ['ANY', 'DATETIME', 'DATETIME'] }], ret: T.int(), description: 'TIMESTAMPDIFF(unit, a, b): whole units from a to b' },
  CONVERT_TZ: { sigs: [{ args: ['STRING', 'STRING', 'STRING'] }], ret: STR, description: 'converts a datetime string between time zones' },
  // ---- conditional
  COALESCE: { sigs: [{ args: ['ANY'], variadic: 'ANY' }], ret: common, nullable: 'keep', description: 'first non-NULL argument' },
  NULLIF: { sigs: [{ args: ['ANY', 'ANY'] }], ret: arg0, nullable: 'always', description: 'NULL when a = b, else a' },
  IF: { sigs: [{ args: ['BOOLEAN', 'ANY', 'ANY'] }], ret: (a) => common(a.slice(1)), nullable: 'keep', description: 'IF(condition, then, else)' },
  IFNULL: { sigs: [{ args: ['ANY', 'ANY'] }], ret: (a) => common(a), nullable: 'keep', description: 'the first argument unless NULL, else the second' },
  GREATEST: { sigs: [{ args: ['ANY'], variadic: 'ANY' }], ret: common, description: 'the greatest argument (NULL if any is NULL)' },
  LEAST: { sigs: [{ args: ['ANY'], variadic: 'ANY' }], ret: common, description: 'the least argument (NULL if any is NULL)' },
  // ---- collections
  CARDINALITY: { sigs: [{ args: ['ARRAY'] }, { args: ['MAP'] }], ret: T.int(), description: 'number of elements' },
  ELEMENT: { sigs: [{ args: ['ARRAY'] }], ret: (a) => (a[0]!.root === 'ARRAY' ? withNullability(a[0]!.element, true) : T.null()), nullable: 'always', description: 'the only element of an array of one' },
  ARRAY_CONTAINS: { sigs: [{ args: ['ARRAY', 'ANY'] }], ret: T.boolean(), description: 'whether the array holds the value' },
  MAP_KEYS: { sigs: [{ args: ['MAP'] }], ret: (a) => (a[0]!.root === 'MAP' ? T.array(a[0]!.key) : T.null()), description: 'keys of a map' },
  MAP_VALUES: { sigs: [{ args: ['MAP'] }], ret: (a) => (a[0]!.root === 'MAP' ? T.array(a[0]!.value) : T.null()), description: 'values of a map' },
  // ---- aggregates
  COUNT: { kind: 'aggregate', sigs: [{ args: [] }, { args: ['ANY'], variadic: 'ANY' }], ret: T.bigint(false), nullable: 'never', description: 'number of rows (COUNT(*)) or of non-NULL values' },
  SUM: { kind: 'aggregate', sigs: [{ args: ['NUMERIC'] }], ret: sumType, nullable: 'always', description: 'sum; NULL over no rows' },
  SUM0: { kind: 'aggregate', sigs: [{ args: ['NUMERIC'] }], ret: sumType, nullable: 'never', description: 'sum; 0 over no rows' },
  AVG: { kind: 'aggregate', sigs: [{ args: ['NUMERIC'] }], ret: avgType, nullable: 'always', description: 'average; integer inputs give an integer (truncated), as in Flink' },
  MIN: { kind: 'aggregate', sigs: [{ args: ['ANY'] }], ret: arg0, nullable: 'always', description: 'minimum' },
  MAX: { kind: 'aggregate', sigs: [{ args: ['ANY'] }], ret: arg0, nullable: 'always', description: 'maximum' },
  FIRST_VALUE: { kind: 'aggregate', sigs: [{ args: ['ANY'] }], ret: arg0, nullable: 'always', description: 'first value (in arrival order)' },
  LAST_VALUE: { kind: 'aggregate', sigs: [{ args: ['ANY'] }], ret: arg0, nullable: 'always', description: 'last value (in arrival order)' },
  LISTAGG: { kind: 'aggregate', sigs: [{ args: ['STRING', 'STRING'], optional: 1 }], ret: STR, nullable: 'always', description: "values joined with a separator (',' by default)" },
  STDDEV_POP: { kind: 'aggregate', sigs: [{ args: ['NUMERIC'] }], ret: avgType, nullable: 'always', description: 'population standard deviation' },
  STDDEV_SAMP: { kind: 'aggregate', sigs: [{ args: ['NUMERIC'] }], ret: avgType, nullable: 'always', description: 'sample standard deviation' },
  VAR_POP: { kind: 'aggregate', sigs: [{ args: ['NUMERIC'] }], ret: avgType, nullable: 'always', description: 'population variance' },
  VAR_SAMP: { kind: 'aggregate', sigs: [{ args: ['NUMERIC'] }], ret: avgType, nullable: 'always', description: 'sample variance' },
  COLLECT: { kind: 'aggregate', sigs: [{ args: ['ANY'] }], ret: (a) => T.multiset(a[0]!, false), nullable: 'never', description: 'multiset of the values' },
  ARRAY_AGG: { kind: 'aggregate', sigs: [{ args: ['ANY'] }], ret: (a) => T.array(a[0]!), nullable: 'always', description: 'array of the values' },
  // ---- window functions (OVER only)
  ROW_NUMBER: { kind: 'window', sigs: [{ args: [] }], ret: T.bigint(false), nullable: 'never', description: 'row number in the partition (Top-N, deduplication)' },
  RANK: { kind: 'window', sigs: [{ args: [] }], ret: T.bigint(false), nullable: 'never', description: 'rank with gaps' },
  DENSE_RANK: { kind: 'window', sigs: [{ args: [] }], ret: T.bigint(false), nullable: 'never', description: 'rank without gaps' },
  LAG: { kind: 'window', sigs: [{ args: ['ANY', 'INTEGER', 'ANY'], optional: 1 }], ret: arg0, nullable: 'always', description: 'value n rows before' },
  LEAD: { kind: 'window', sigs: [{ args: ['ANY', 'INTEGER', 'ANY'], optional: 1 }], ret: arg0, nullable: 'always', description: 'value n rows after' },
  // ---- legacy group windows (GROUP BY TUMBLE(ts, INTERVAL ...)) and their auxiliary functions
  TUMBLE: { kind: 'groupWindow', sigs: [{ args: ['TIMESTAMP', 'INTERVAL'] }], ret: T.timestamp(3, false), nullable: 'never', description: 'tumbling group window (legacy; see the TUMBLE table function)' },
  HOP: { kind: 'groupWindow', sigs: [{ args: ['TIMESTAMP', 'INTERVAL', 'INTERVAL'] }], ret: T.timestamp(3, false), nullable: 'never', description: 'sliding group window HOP(ts, slide, size) (legacy)' },
  SESSION: { kind: 'groupWindow', sigs: [{ args: ['TIMESTAMP', 'INTERVAL'] }], ret: T.timestamp(3, false), nullable: 'never', description: 'session group window SESSION(ts, gap) (legacy)' },
};

for (const w of ['TUMBLE', 'HOP', 'SESSION']) {
  const sig: Sig = w === 'HOP' ? { args: ['TIMESTAMP', 'INTERVAL', 'INTERVAL'] } : { args: ['TIMESTAMP', 'INTERVAL'] };
  SPECS[`${w}_START`] = { kind: 'groupWindowAuxiliary', sigs: [sig], ret: groupWindowTime(undefined), nullable: 'keep', description: `start of the ${w} window` };
  SPECS[`${w}_END`] = { kind: 'groupWindowAuxiliary', sigs: [sig], ret: groupWindowTime(undefined), nullable: 'keep', description: `end of the ${w} window` };
  SPECS[`${w}_ROWTIME`] = { kind: 'groupWindowAuxiliary', sigs: [sig], ret: groupWindowTime('ROWTIME'), nullable: 'keep', description: `rowtime attribute of the ${w} window (end - 1 ms)` };
  SPECS[`${w}_PROCTIME`] = { kind: 'groupWindowAuxiliary', sigs: [sig], ret: groupWindowTime('PROCTIME'), nullable: 'keep', description: `proctime attribute of the ${w} window` };
}

export const BUILTIN_FUNCTIONS: readonly FunctionDefinition[] = Object.entries(SPECS).map(([name, spec]) => define(name, spec));

/** Window table-valued functions (FROM TABLE(TUMBLE(...))): their parameters, for named arguments. */
export const WINDOW_TVF_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  TUMBLE: ['DATA', 'TIMECOL', 'SIZE', 'OFFSET'],
  HOP: ['DATA', 'TIMECOL', 'SLIDE', 'SIZE', 'OFFSET'],
  CUMULATE: ['DATA', 'TIMECOL', 'STEP', 'SIZE', 'OFFSET'],
  SESSION: ['DATA', 'TIMECOL', 'GAP'],
};
