// The typed path of record-codec.ts: SQL changelog rows (`{kind, values}`) on a channel whose row
// type the plan declared (graph/stream-graph.ts `recordType`, set by the SQL translation). Both
// ends know the field kinds, so a row carries no tags and no keys: its kind is one byte, its NULLs
// a bitmap, and each other field its value by type. The type is declared, never inferred per frame:
// the sender's OPEN names the type's fingerprint and the receiver refuses a channel whose
// fingerprint is not its own (network-environment.ts).
//
//   typed := 0xc1 | u8 mode (2 block, 3 inline) | u32 F | row{n} (F bytes) | strings
//   row   := u8 kind (0 +I, 1 -U, 2 +U, 3 -D) | null bitmap (ceil(k/8) bytes, bit set = NULL)
//            | the value of each non-NULL field by its kind:
//   bool   u8            i32  i32 (TINYINT, SMALLINT, INTEGER, DATE, TIME, INTERVAL YEAR TO MONTH)
//   f64    f64 (FLOAT, DOUBLE, TIMESTAMP(p), TIMESTAMP_LTZ(p), INTERVAL DAY TO SECOND: epoch or span ms)
//   i64    f64 of a number, or f64 NaN then i64 of a bigint (a BIGINT beyond 2^53)
//   string u32 len (block: the characters are in the strings block; inline: UTF-8 bytes follow)
//          CHAR, VARCHAR, and DECIMAL, whose value is its exact text ("12.30")
//   bytes  u32 len | bytes (BINARY, VARBINARY; a Uint8Array)
//   array  u32 m | (u8 present | value){m} (ARRAY, MULTISET)
//   map    u32 m | (u8 present | key | u8 present | value){m} (a Map)
//   row    (u8 present | value) per field (a nested ROW, an array of its field values)
//
// A batch with any row the type does not describe exactly (another shape, a value of another
// representation, a Buffer rather than a Uint8Array) is not typed: the caller sends the frame the
// generic way (flat or msgpackr), so every value still arrives as it went in.

import { createHash } from 'node:crypto';
import { FLAT_TAG } from './flat-records.ts';

/** How one field's values are written; derived from a SQL type (physical/record-type.ts). */
export type FieldKind =
  | 'bool' | 'i32' | 'i64' | 'f64' | 'string' | 'bytes' | 'null'
  | { readonly array: FieldKind }
  | { readonly map: readonly [FieldKind, FieldKind] }
  | { readonly row: readonly FieldKind[] };

/** The declared type of a channel's records: changelog rows with these fields. */
export interface RecordType {
  readonly changelogRow: readonly FieldKind[];
}

/** A short name of a declared type for the OPEN frame ('' for none): equal types, equal names. */
export function recordTypeFingerprint(type: RecordType | undefined): string {
  return type ? createHash('sha256').update(JSON.stringify(type)).digest('hex').slice(0, 16) : '';
}

export const TYPED_BLOCK = 2;
export const TYPED_INLINE = 3;

const KEEP_BYTES = 1024 * 1024;
const ROW_KINDS = ['+I', '-U', '+U', '-D'] as const;
const KIND_BYTE: Readonly<Record<string, number>> = Object.assign(Object.create(null) as Record<string, number>, { '+I': 0, '-U': 1, '+U': 2, '-D': 3 });

// field kinds as small integers, for the per-field switch
const BOOL = 0;
const I32 = 1;
const I64 = 2;
const F64 = 3;
const STRING = 4;
const BYTES = 5;
const NULL = 6;
const NESTED = 7;

const codeOf = (k: FieldKind): number =>
  typeof k === 'object' ? NESTED : ({ bool: BOOL, i32: I32, i64: I64, f64: F64, string: STRING, bytes: BYTES, null: NULL } as const)[k];

interface FastBuffer extends Buffer {
  utf8Write(s: string, offset: number): number;
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

const { getPrototypeOf } = Object;
const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const U8_PROTO = Uint8Array.prototype;
const MAP_PROTO = Map.prototype;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Encoder and decoder of one declared row type (made once per channel). */
export class TypedRowCodec {
  readonly type: RecordType;
  private readonly kinds: readonly FieldKind[];
  private readonly codes: Uint8Array;
  private readonly maskBytes: number;
  /** straight-line code for this type's rows (made once per codec, see rowReader/valuesWriter) */
  private readonly readRow: RowReader;
  private readonly writeValues: ValuesWriter;

  // encoding state (encoding is synchronous)
  private out = Buffer.allocUnsafe(64 * 1024) as FastBuffer;
  private at = 0;
  private strings = '';
  private inline = false;

  // decoding state
  private src = EMPTY;
  private pos = 0;
  private fieldsEnd = 0;
  private strPos = 0;

  constructor(type: RecordType) {
    this.type = type;
    this.kinds = type.changelogRow;
    this.codes = Uint8Array.from(this.kinds, codeOf);
    this.maskBytes = (this.kinds.length + 7) >> 3;
    this.readRow = rowReader(this.kinds);
    this.writeValues = valuesWriter(this.kinds);
  }

  /**
   * The typed bytes of `values`, or undefined when a value is not a row this type describes.
   * A view of the codec's working buffer, valid until its next call.
   */
  encode(values: readonly unknown[]): Uint8Array | undefined {
    if (this.out.length > KEEP_BYTES) this.out = Buffer.allocUnsafe(64 * 1024) as FastBuffer;
    let end = this.encodeIn(values, false);
    if (end === NOT_ASCII) end = this.encodeIn(values, true);
    this.strings = '';
    return end < 0 ? undefined : this.out.subarray(0, end);
  }

  private reserve(bytes: number): void {
    const out = this.out;
    if (this.at + bytes <= out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, this.at + bytes)) as FastBuffer;
    out.copy(bigger, 0, 0, this.at);
    this.out = bigger;
  }

  private encodeIn(values: readonly unknown[], inline: boolean): number {
    this.inline = inline;
    this.strings = '';
    this.at = 0;
    this.reserve(6);
    this.out[0] = FLAT_TAG;
    this.out[1] = inline ? TYPED_INLINE : TYPED_BLOCK;
    const fieldsAt = 6;
    this.at = fieldsAt;
    const k = this.codes.length;
    for (let i = 0, n = values.length; i < n; i++) {
      const r = values[i] as { kind: unknown; values: unknown } | null;
      if (r === null || typeof r !== 'object' || getPrototypeOf(r) !== OBJECT_PROTO) return NOT_TYPED;
      let keys = 0;
      for (const _ in r) keys++;
      const kind = KIND_BYTE[r.kind as string];
      const v = r.values as unknown[];
      if (keys !== 2 || kind === undefined || !Array.isArray(v) || getPrototypeOf(v) !== ARRAY_PROTO || v.length !== k) return NOT_TYPED;
      if (!this.writeValues(this, kind, v)) return NOT_TYPED;
    }
    let off = this.at;
    this.out.writeUInt32LE(off - fieldsAt, 2);
    if (!inline && this.strings.length > 0) {
      this.reserve(3 * this.strings.length);
      const len = this.out.utf8Write(this.strings, off);
      // as many bytes as UTF-16 units only when every character was ASCII
      if (len !== this.strings.length) return NOT_ASCII;
      off += len;
    }
    return off;
  }

  /** Writes a non-null value of one kind; false when `x` is not that kind's representation. */
  private writeCode(code: number, kind: FieldKind, x: unknown): boolean {
    this.reserve(17);
    const out = this.out;
    switch (code) {
      case BOOL:
        if (typeof x !== 'boolean') return false;
        out[this.at++] = x ? 1 : 0;
        return true;
      case I32:
        // -0 is not an int: it goes the generic way (and arrives as 0, as it always has)
        if (typeof x !== 'number' || (x | 0) !== x || (x === 0 && 1 / x < 0)) return false;
        out.writeInt32LE(x, this.at);
        this.at += 4;
        return true;
      case I64:
        if (typeof x === 'number') {
          if (x !== x) return false; // NaN marks a bigint
          out.writeDoubleLE(x, this.at);
          this.at += 8;
          return true;
        }
        if (typeof x !== 'bigint' || x < I64_MIN || x > I64_MAX) return false;
        out.writeDoubleLE(NaN, this.at);
        out.writeBigInt64LE(x, this.at + 8);
        this.at += 16;
        return true;
      case F64:
        if (typeof x !== 'number') return false;
        out.writeDoubleLE(x, this.at);
        this.at += 8;
        return true;
      case STRING:
        if (typeof x !== 'string') return false;
        if (!this.inline) {
          out.writeUInt32LE(x.length, this.at);
          this.at += 4;
          this.strings += x;
        } else {
          this.reserve(4 + 3 * x.length);
          const len = this.out.utf8Write(x, this.at + 4);
          this.out.writeUInt32LE(len, this.at);
          this.at += 4 + len;
        }
        return true;
      case BYTES: {
        if (typeof x !== 'object' || getPrototypeOf(x) !== U8_PROTO) return false;
        const b = x as Uint8Array;
        this.reserve(4 + b.length);
        this.out.writeUInt32LE(b.length, this.at);
        this.out.set(b, this.at + 4);
        this.at += 4 + b.length;
        return true;
      }
      case NULL:
        return false; // a non-null value where the type says NULL
      default:
        return this.writeNested(kind, x);
    }
  }

  private writeNested(kind: FieldKind, x: unknown): boolean {
    if (typeof kind !== 'object' || x === null || typeof x !== 'object') return false;
    if ('array' in kind) {
      if (!Array.isArray(x) || getPrototypeOf(x) !== ARRAY_PROTO) return false;
      this.out.writeUInt32LE(x.length, this.at);
      this.at += 4;
      const code = codeOf(kind.array);
      for (let i = 0; i < x.length; i++) if (!this.writeOptional(code, kind.array, x[i])) return false;
      return true;
    }
    if ('map' in kind) {
      if (getPrototypeOf(x) !== MAP_PROTO) return false;
      const m = x as Map<unknown, unknown>;
      this.out.writeUInt32LE(m.size, this.at);
      this.at += 4;
      const [kk, vk] = kind.map;
      const kc = codeOf(kk);
      const vc = codeOf(vk);
      for (const [key, value] of m) if (!this.writeOptional(kc, kk, key) || !this.writeOptional(vc, vk, value)) return false;
      return true;
    }
    const fields = kind.row;
    if (!Array.isArray(x) || getPrototypeOf(x) !== ARRAY_PROTO || x.length !== fields.length) return false;
    for (let i = 0; i < fields.length; i++) if (!this.writeOptional(codeOf(fields[i]!), fields[i]!, x[i])) return false;
    return true;
  }

  /** A nested value: a presence byte, then the value (undefined and holes are not SQL values). */
  private writeOptional(code: number, kind: FieldKind, x: unknown): boolean {
    this.reserve(1);
    if (x === null) {
      this.out[this.at++] = 0;
      return true;
    }
    this.out[this.at++] = 1;
    return this.writeCode(code, kind, x);
  }

  /** The `n` rows of a typed body; throws an Error when it is malformed. */
  decode(body: Buffer, n: number): unknown[] {
    const mode = body[1];
    if (mode !== TYPED_BLOCK && mode !== TYPED_INLINE) throw new Error(`unknown typed string mode ${mode}`);
    if (body.length < 6) throw new Error(`a typed body of ${body.length} bytes has no field length`);
    const fieldBytes = body.readUInt32LE(2);
    const fieldsEnd = 6 + fieldBytes;
    if (fieldsEnd > body.length) throw new Error(`${fieldBytes} bytes of fields do not fit in the frame`);
    const k = this.codes.length;
    const mb = this.maskBytes;
    // each row takes at least its kind and bitmap: a count the body cannot hold is refused before allocating
    if (n * (1 + mb) > fieldBytes) throw new Error(`${n} rows of ${k} fields do not fit in ${fieldBytes} bytes`);
    this.src = body as FastBuffer;
    this.pos = 6;
    this.fieldsEnd = fieldsEnd;
    this.strPos = mode === TYPED_BLOCK ? fieldsEnd : -1;
    try {
      const rows = new Array<unknown>(n);
      for (let i = 0; i < n; i++) rows[i] = this.readRow(this, body);
      if (this.pos !== fieldsEnd) throw new Error(`${fieldsEnd - this.pos} bytes of fields left after ${n} rows`);
      const end = mode === TYPED_BLOCK ? this.strPos : fieldsEnd;
      if (end !== body.length) throw new Error(`${body.length - end} bytes left after ${n} rows`);
      return rows;
    } finally {
      this.src = EMPTY;
    }
  }

  private need(bytes: number): number {
    const p = this.pos;
    if (p + bytes > this.fieldsEnd) throw new Error('a field runs past the end of the fields');
    this.pos = p + bytes;
    return p;
  }

  private readCode(code: number, kind: FieldKind): unknown {
    const b = this.src;
    switch (code) {
      case BOOL: {
        const x = b[this.need(1)];
        if (x !== 0 && x !== 1) throw new Error(`boolean byte ${x}`);
        return x === 1;
      }
      case I32: return b.readInt32LE(this.need(4));
      case I64: {
        const x = b.readDoubleLE(this.need(8));
        return x === x ? x : b.readBigInt64LE(this.need(8));
      }
      case F64: return b.readDoubleLE(this.need(8));
      case STRING: {
        const len = b.readUInt32LE(this.need(4));
        if (this.strPos >= 0) {
          const start = this.strPos;
          if (len > b.length - start) throw new Error(`a ${len}-byte string runs past the end of the frame`);
          this.strPos = start + len;
          return len <= 8 ? shortLatin1(b, start, len) : b.latin1Slice(start, start + len);
        }
        if (len > this.fieldsEnd - this.pos) throw new Error(`a ${len}-byte string runs past the end of the fields`);
        const start = this.need(len);
        return b.utf8Slice(start, start + len);
      }
      case BYTES: {
        const len = b.readUInt32LE(this.need(4));
        if (len > this.fieldsEnd - this.pos) throw new Error(`${len} bytes run past the end of the fields`);
        const start = this.need(len);
        // a copy: a value kept in state must not keep the whole frame alive
        return new Uint8Array(b.subarray(start, start + len));
      }
      case NULL: throw new Error('a value in a NULL-typed field');
      default: return this.readNested(kind);
    }
  }

  private readNested(kind: FieldKind): unknown {
    if (typeof kind !== 'object') throw new Error(`field kind ${String(kind)} is not nested`);
    if ('row' in kind) {
      const fields = kind.row;
      const r = new Array<unknown>(fields.length);
      for (let i = 0; i < fields.length; i++) r[i] = this.readOptional(fields[i]!);
      return r;
    }
    const m = this.src.readUInt32LE(this.need(4));
    // each element takes at least its presence byte
    if (m > this.fieldsEnd - this.pos) throw new Error(`${m} elements do not fit in the fields`);
    if ('array' in kind) {
      const a = new Array<unknown>(m);
      for (let i = 0; i < m; i++) a[i] = this.readOptional(kind.array);
      return a;
    }
    const map = new Map<unknown, unknown>();
    for (let i = 0; i < m; i++) {
      const key = this.readOptional(kind.map[0]);
      map.set(key, this.readOptional(kind.map[1]));
    }
    return map;
  }

  private readOptional(kind: FieldKind): unknown {
    const present = this.src[this.need(1)];
    if (present === 0) return null;
    if (present !== 1) throw new Error(`presence byte ${present}`);
    return this.readCode(codeOf(kind), kind);
  }
}

type RowReader = (c: TypedRowCodec, b: Buffer) => unknown;
type ValuesWriter = (c: TypedRowCodec, kind: number, values: unknown[]) => boolean;

/**
 * A row reader for `kinds` as straight-line code: fixed-size fields read inline (their bounds are
 * the buffer's, and a row that ran past the fields fails the final position check), the others
 * through readCode. About twice as fast as a loop with a switch per field.
 */
function rowReader(kinds: readonly FieldKind[]): RowReader {
  const mb = (kinds.length + 7) >> 3;
  let body = `let p = c.pos;
if (p + ${1 + mb} > c.fieldsEnd) throw new Error('a row runs past the end of the fields');
const kind = K[b[p]];
if (kind === undefined) throw new Error('unknown row kind ' + b[p]);
`;
  for (let j = 0; j < mb; j++) body += `const m${j} = b[p + ${1 + j}];\n`;
  body += `p += ${1 + mb};\n`;
  kinds.forEach((kind, f) => {
    let read: string;
    if (kind === 'i32') read = `v${f} = b.readInt32LE(p); p += 4;`;
    else if (kind === 'f64') read = `v${f} = b.readDoubleLE(p); p += 8;`;
    else if (kind === 'i64') read = `v${f} = b.readDoubleLE(p); p += 8; if (v${f} !== v${f}) { v${f} = b.readBigInt64LE(p); p += 8; }`;
    else read = `c.pos = p; v${f} = c.readCode(${codeOf(kind)}, KINDS[${f}]); p = c.pos;`;
    body += `let v${f} = null;\nif ((m${f >> 3} & ${1 << (f & 7)}) === 0) { ${read} }\n`;
  });
  body += `c.pos = p;\nreturn { kind, values: [${kinds.map((_, f) => `v${f}`).join(', ')}] };`;
  return new Function('K', 'KINDS', `return function readRow(c, b) {\n${body}\n};`)(ROW_KINDS, kinds) as RowReader;
}

/** The writer of a row's kind byte, NULL bitmap and values for `kinds`, as straight-line code. */
function valuesWriter(kinds: readonly FieldKind[]): ValuesWriter {
  const k = kinds.length;
  const mb = (k + 7) >> 3;
  // room for every fixed-size field after this point (an i64 takes at most 16 bytes)
  const room = (from: number): number => 16 * (k - from);
  let body = `c.reserve(${1 + mb + room(0)});
let out = c.out;
let at = c.at;
const maskAt = at + 1;
out[at] = kind;
at += ${1 + mb};
let x;
`;
  for (let j = 0; j < mb; j++) body += `let m${j} = 0;\n`;
  kinds.forEach((kind, f) => {
    const helper = `{ c.at = at; if (!c.writeCode(${codeOf(kind)}, KINDS[${f}], x)) return false; c.reserve(${room(f + 1)}); out = c.out; at = c.at; }`;
    let write: string;
    if (kind === 'i32') write = `if (typeof x === 'number' && (x | 0) === x && (x !== 0 || 1 / x > 0)) { out.writeInt32LE(x, at); at += 4; } else return false;`;
    else if (kind === 'f64') write = `if (typeof x === 'number') { out.writeDoubleLE(x, at); at += 8; } else return false;`;
    else if (kind === 'i64') write = `if (typeof x === 'number' && x === x) { out.writeDoubleLE(x, at); at += 8; } else ${helper}`;
    else write = helper;
    body += `x = values[${f}];\nif (x === null) m${f >> 3} |= ${1 << (f & 7)};\nelse ${write}\n`;
  });
  for (let j = 0; j < mb; j++) body += `out[maskAt + ${j}] = m${j};\n`;
  body += 'c.at = at;\nreturn true;';
  return new Function('KINDS', `return function writeValues(c, kind, values) {\n${body}\n};`)(kinds) as ValuesWriter;
}

const NOT_TYPED = -1;
const NOT_ASCII = -2;
const EMPTY = Buffer.alloc(0) as FastBuffer;
const { fromCharCode } = String;

/** A short ASCII string without a native call (which costs more than the copy itself). */
function shortLatin1(b: Buffer, at: number, len: number): string {
  switch (len) {
    case 0: return '';
    case 1: return fromCharCode(b[at]!);
    case 2: return fromCharCode(b[at]!, b[at + 1]!);
    case 3: return fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!);
    default: {
      let s = fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
      for (let i = at + 4; i < at + len; i++) s += fromCharCode(b[i]!);
      return s;
    }
  }
}

/** Whether a body (after FLAT_TAG) is typed rather than flat. */
export const isTypedBody = (bytes: Uint8Array): boolean => bytes[1] === TYPED_BLOCK || bytes[1] === TYPED_INLINE;
