// The fast path of record-codec.ts: a batch whose values are all plain objects with the same keys
// in the same order, each field a number, string, boolean, null, undefined or an array of those.
// That is what Nexmark's bids, persons and auctions are, SQL's changelog rows (`{kind, values}`)
// unless a value is a bigint, bytes, a Map or nested, and most DataStream records. The keys are written
// once per frame, each field is a tag byte and its value, and the frame's strings are written by
// one native call as one block (a call per string cost more than the string: 100 ns each).
// msgpackr's per-character loops lost to JSON on string-heavy records; this does not
// (docs/architecture.md, "Records on the data plane").
//
//   flat    := 0xc1 | u8 mode | u8 k | (u16 len | utf8 key){k} | u32 F | field{n·k} (F bytes) | strings
//   field   := 0 null | 1 undefined | 2 false | 3 true | 4 f64 | 5 i32 | 6 u32 len (a string)
//            | 7 u32 m | field{m} (an array of scalars: a SQL row's values; not nested)
//   mode 0 (every string ASCII): the strings are one block after the fields, in field order, and
//          `len` counts bytes of that block (= characters)
//   mode 1 (some string is not): each string's UTF-8 bytes follow its `len` inside the fields
//
// Each string is read by its own native Latin-1/UTF-8 slice: a fresh string, never a slice of a
// larger one that a record kept in state would keep alive. 0xc1 is the one byte MessagePack never
// uses, so a frame says which encoding it is in its first byte. Anything else (nested values,
// bigint, Date, Map, other shapes) goes to msgpackr whole.

export const FLAT_TAG = 0xc1;
const MAX_KEYS = 64;
const MAX_KEY_CHARS = 65_535 / 3;
/** A working buffer grown past this by a large frame is let go before the next frame. */
const KEEP_BYTES = 1024 * 1024;
const BLOCK = 0;
const INLINE = 1;

const NULL = 0;
const UNDEFINED = 1;
const FALSE = 2;
const TRUE = 3;
const F64 = 4;
const I32 = 5;
const STRING = 6;
const ARRAY = 7;

/** Node's own string routines under Buffer#write/toString, without their argument handling. */
interface FastBuffer extends Buffer {
  utf8Write(s: string, offset: number): number;
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

let out = Buffer.allocUnsafe(64 * 1024) as FastBuffer;

function reserve(off: number, bytes: number): void {
  if (off + bytes <= out.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, off + bytes)) as FastBuffer;
  out.copy(bigger, 0, 0, off);
  out = bigger;
}

// encoding state of the frame being written (encoding is synchronous)
let at = 0;
let strings = '';
let stringMode = BLOCK;

/** Writes one field at `at`; false when `x` is not a scalar the flat encoding carries. */
function writeScalar(x: unknown): boolean {
  if (at + 9 > out.length) reserve(at, 9);
  switch (typeof x) {
    case 'number':
      if ((x | 0) === x && !Object.is(x, -0)) {
        out[at] = I32;
        out.writeInt32LE(x, at + 1);
        at += 5;
      } else {
        out[at] = F64;
        out.writeDoubleLE(x, at + 1);
        at += 9;
      }
      return true;
    case 'string':
      out[at] = STRING;
      if (stringMode === BLOCK) {
        out.writeUInt32LE(x.length, at + 1);
        at += 5;
        strings += x;
      } else {
        reserve(at, 5 + 3 * x.length);
        const len = out.utf8Write(x, at + 5);
        out.writeUInt32LE(len, at + 1);
        at += 5 + len;
      }
      return true;
    case 'boolean':
      out[at++] = x ? TRUE : FALSE;
      return true;
    case 'undefined':
      out[at++] = UNDEFINED;
      return true;
    default:
      if (x !== null) return false;
      out[at++] = NULL;
      return true;
  }
}

const NOT_FLAT = -1;
const NOT_ASCII = -2;

/**
 * The flat encoding of `values`, or undefined when they are not flat records of one shape (the
 * caller then uses msgpackr). The result is a view of a working buffer, valid until the next call.
 */
export function encodeFlat(values: readonly unknown[]): Uint8Array | undefined {
  if (out.length > KEEP_BYTES) out = Buffer.allocUnsafe(64 * 1024) as FastBuffer;
  let end = encodeIn(values, BLOCK);
  if (end === NOT_ASCII) end = encodeIn(values, INLINE);
  strings = ''; // not kept: it holds on to the records' strings
  return end < 0 ? undefined : out.subarray(0, end);
}

/** Writes the frame into `out`; its length, or NOT_FLAT / NOT_ASCII (block mode only). */
function encodeIn(values: readonly unknown[], mode: number): number {
  const n = values.length;
  if (n === 0) return NOT_FLAT;
  const first = values[0];
  if (first === null || typeof first !== 'object' || Object.getPrototypeOf(first) !== Object.prototype) return NOT_FLAT;
  const keys = Object.keys(first);
  const k = keys.length;
  if (k === 0 || k > MAX_KEYS) return NOT_FLAT;
  reserve(0, 3);
  out[0] = FLAT_TAG;
  out[1] = mode;
  out[2] = k;
  let off = 3;
  for (const key of keys) {
    // (a key too long for its u16 length goes to msgpackr)
    if (key === '__proto__' || key.length > MAX_KEY_CHARS) return NOT_FLAT;
    reserve(off, 2 + 3 * key.length);
    const len = out.utf8Write(key, off + 2);
    out.writeUInt16LE(len, off);
    off += 2 + len;
  }
  const fieldsAt = off + 4;
  at = fieldsAt;
  strings = '';
  stringMode = mode;
  for (let i = 0; i < n; i++) {
    const v = values[i] as Record<string, unknown>;
    if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return NOT_FLAT;
    let j = 0;
    for (const key in v) {
      if (j >= k || key !== keys[j]) return NOT_FLAT;
      j++;
      const x = v[key];
      if (Array.isArray(x)) {
        // an array of scalars (a SQL row's values): tag, count, then the elements as fields
        const m = x.length;
        reserve(at, 5);
        out[at] = ARRAY;
        out.writeUInt32LE(m, at + 1);
        at += 5;
        for (let e = 0; e < m; e++) if (!writeScalar(x[e])) return NOT_FLAT;
      } else if (!writeScalar(x)) return NOT_FLAT;
    }
    if (j !== k) return NOT_FLAT;
  }
  off = at;
  out.writeUInt32LE(off - fieldsAt, fieldsAt - 4);
  if (mode === BLOCK && strings.length > 0) {
    reserve(off, 3 * strings.length);
    const len = out.utf8Write(strings, off);
    // as many bytes as UTF-16 units: every character was ASCII, and each string's byte length is its length
    if (len !== strings.length) return NOT_ASCII;
    off += len;
  }
  return off;
}

// decoding state of the frame being read (one frame at a time: decoding is synchronous)
let src = Buffer.alloc(0) as FastBuffer;
let pos = 0;
let fieldsEnd = 0;
/** next string of the block (mode BLOCK), or -1 (mode INLINE) */
let strPos = -1;

/** A record's field: a scalar, or an array of scalars. */
function field(): unknown {
  if (src[pos] !== ARRAY || pos >= fieldsEnd) return scalar();
  const m = src.readUInt32LE(pos + 1);
  pos += 5;
  if (m > fieldsEnd - pos) throw new Error(`an array of ${m} values does not fit in the fields`);
  const a = new Array<unknown>(m);
  for (let e = 0; e < m; e++) a[e] = scalar();
  return a;
}

/** A scalar field (an ARRAY tag here, inside an array, is an unknown tag). */
function scalar(): unknown {
  if (pos >= fieldsEnd) throw new Error('a record field runs past the end of the fields');
  const tag = src[pos++]!;
  switch (tag) {
    case NULL: return null;
    case UNDEFINED: return undefined;
    case FALSE: return false;
    case TRUE: return true;
    case F64: {
      const x = src.readDoubleLE(pos);
      pos += 8;
      return x;
    }
    case I32: {
      const x = src.readInt32LE(pos);
      pos += 4;
      return x;
    }
    case STRING: {
      const len = src.readUInt32LE(pos);
      pos += 4;
      if (strPos >= 0) {
        const start = strPos;
        strPos += len;
        if (strPos > src.length) throw new Error(`a ${len}-byte string runs past the end of the frame`);
        return len <= 8 ? shortString(start, len) : src.latin1Slice(start, strPos);
      }
      const start = pos;
      pos += len;
      if (pos > fieldsEnd) throw new Error(`a ${len}-byte string runs past the end of the fields`);
      return src.utf8Slice(start, pos);
    }
    default:
      throw new Error(`unknown record field tag ${tag}`);
  }
}

const { fromCharCode } = String;

/** A short ASCII string without a native call (which costs more than the copy itself). */
function shortString(at: number, len: number): string {
  const b = src;
  switch (len) {
    case 0: return '';
    case 1: return fromCharCode(b[at]!);
    case 2: return fromCharCode(b[at]!, b[at + 1]!);
    case 3: return fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!);
    case 4: return fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
    default: {
      let s = fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
      for (let i = at + 4; i < at + len; i++) s += fromCharCode(b[i]!);
      return s;
    }
  }
}

type RecordReader = (read: () => unknown) => Record<string, unknown>;

/** Object builders per key list: an object literal per shape is what V8 builds fastest. */
const readers = new Map<string, RecordReader>();

function readerFor(keys: string[]): RecordReader {
  const id = JSON.stringify(keys);
  let r = readers.get(id);
  if (r === undefined) {
    // keys are quoted by JSON.stringify (a valid JavaScript string literal); `__proto__` is refused
    // by the caller, since in a literal it would set the prototype instead of a property
    r = new Function('r', `return {${keys.map((key) => `${JSON.stringify(key)}: r()`).join(', ')}};`) as RecordReader;
    if (readers.size >= 256) readers.clear();
    readers.set(id, r);
  }
  return r;
}

/** The `n` records of a flat body (starting with FLAT_TAG); throws an Error when it is malformed. */
export function decodeFlat(body: Buffer, n: number): unknown[] {
  src = body as FastBuffer;
  try {
    const mode = body.readUInt8(1);
    if (mode !== BLOCK && mode !== INLINE) throw new Error(`unknown string mode ${mode}`);
    const k = body.readUInt8(2);
    if (k === 0 || k > MAX_KEYS) throw new Error(`${k} keys per record (1 to ${MAX_KEYS})`);
    pos = 3;
    const keys: string[] = [];
    for (let j = 0; j < k; j++) {
      const len = body.readUInt16LE(pos);
      if (pos + 2 + len > body.length) throw new Error('a key runs past the end of the frame');
      const key = body.toString('utf8', pos + 2, pos + 2 + len);
      if (key === '__proto__' || keys.includes(key)) throw new Error(`key ${JSON.stringify(key)} is not allowed or repeated`);
      keys.push(key);
      pos += 2 + len;
    }
    const fieldBytes = body.readUInt32LE(pos);
    pos += 4;
    fieldsEnd = pos + fieldBytes;
    if (fieldsEnd > body.length) throw new Error(`${fieldBytes} bytes of fields do not fit in the frame`);
    // each field takes at least one byte: a count the body cannot hold is refused before allocating
    if (n * k > fieldBytes) throw new Error(`${n} records of ${k} fields do not fit in ${fieldBytes} bytes`);
    strPos = mode === BLOCK ? fieldsEnd : -1;
    const read = readerFor(keys);
    const values = new Array<unknown>(n);
    for (let i = 0; i < n; i++) values[i] = read(field);
    if (pos !== fieldsEnd) throw new Error(`${fieldsEnd - pos} bytes of fields left after ${n} records`);
    const end = mode === BLOCK ? strPos : fieldsEnd;
    if (end !== body.length) throw new Error(`${body.length - end} bytes left after ${n} records`);
    return values;
  } finally {
    src = EMPTY;
  }
}

const EMPTY = Buffer.alloc(0) as FastBuffer;
