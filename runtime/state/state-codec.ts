// Binary encoding of state values for state files (state-file-format.ts): a tag byte per value,
// numbers as i32 or f64, strings as bytes, arrays and plain objects written in place, object keys
// written once per record and referred to by number after that. bigint, Date, Uint8Array/Buffer,
// typed arrays, Set, RegExp and Error are each one embedded msgpackr value, so they come back as
// themselves; other class instances are written as JSON wrote them (toJSON's result, or their own
// enumerable properties). Chosen over JSON and over msgpackr for whole values by
// `npm run bench:state-codec` (docs/architecture.md, "State and checkpoint files"): state is mostly
// numbers and small arrays, which V8's JSON writes as text digit by digit and msgpackr through
// generic type checks; written here they cost a store each.
//
//   value := 0 null | 1 undefined | 2 false | 3 true | 4 f64 | 5 i32
//          | 6 u32 len latin1 (an ASCII string) | 7 u32 len utf8 (any other string)
//          | 8 u32 n value{n} (array) | 9 u32 n (key value){n} (plain object)
//          | 10 u32 n (value value){n} (Map) | 11 u32 len msgpackr
//   key   := u16 id (a key seen earlier in this record) | 0xffff u16 len utf8 (a new key; it gets
//            the next id while the record has fewer than 0xfffe keys) | 0xfffe u32 len utf8 (a key
//            too long for a u16 length; never numbered)
//
// Little-endian throughout. Exact for: numbers (-0, NaN, ±Infinity included), strings (a lone
// UTF-16 surrogate becomes U+FFFD, as UTF-8 cannot hold it), booleans, null, undefined (also as a
// property or array element; a hole reads back as undefined), nested arrays, plain objects (a
// null prototype reads back as Object.prototype), Map at any depth, and msgpackr's types. A
// function or symbol value is dropped from an object and undefined elsewhere. A cycle throws (a
// RangeError, as JSON's TypeError did).

import { packr } from '../serialization/msgpack.ts';

const NULL = 0;
const UNDEFINED = 1;
const FALSE = 2;
const TRUE = 3;
const F64 = 4;
const I32 = 5;
const ASCII = 6;
const UTF8 = 7;
const ARRAY = 8;
const OBJECT = 9;
const MAP = 10;
const MSGPACK = 11;

const NEW_KEY = 0xffff;
const LONG_KEY = 0xfffe;
const MAX_KEY_IDS = 0xfffe;
/** A key of more characters may need more than 65,535 UTF-8 bytes. */
const MAX_SHORT_KEY_CHARS = 0xffff / 3;
/** Strings up to this length are written and read by a JavaScript loop (a native call costs more). */
const SHORT = 24;
/** A working buffer grown past this by a large record is let go after it. */
const KEEP_BYTES = 4 * 1024 * 1024;

/** Node's own string routines under Buffer#write/toString, without their argument handling. */
interface FastBuffer extends Buffer {
  utf8Write(s: string, offset: number): number;
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

function isPlain(x: object): boolean {
  const proto = Object.getPrototypeOf(x) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (x as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * Writes one record's values into a growing working buffer. One writer is reused for every record
 * (encoding is synchronous); `begin` starts a record, `finish` copies it out.
 */
export class StateWriter {
  private buf = Buffer.allocUnsafe(64 * 1024) as FastBuffer;
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private at = 0;
  private keys = new Map<string, number>();
  /** whether object keys may refer to earlier ones (off for values copied alone, see table-view.ts) */
  private refs = true;

  /** Starts a record (keys are numbered afresh); `refs` false writes every key in full. */
  begin(refs = true): void {
    this.at = 0;
    this.refs = refs;
    if (this.keys.size > 0) this.keys = new Map();
  }

  get length(): number {
    return this.at;
  }

  /** A copy of the bytes written since `begin`. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.at);
    this.buf.copy(out, 0, 0, this.at);
    if (this.buf.length > KEEP_BYTES) this.grow(0, 64 * 1024);
    return out;
  }

  private grow(used: number, need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(need, used === 0 ? need : this.buf.length * 2)) as FastBuffer;
    if (used > 0) this.buf.copy(bigger, 0, 0, used);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }

  private reserve(bytes: number): void {
    if (this.at + bytes > this.buf.length) this.grow(this.at, this.at + bytes);
  }

  u8(x: number): void {
    this.reserve(1);
    this.buf[this.at++] = x;
  }

  u16(x: number): void {
    this.reserve(2);
    this.view.setUint16(this.at, x, true);
    this.at += 2;
  }

  u32(x: number): void {
    this.reserve(4);
    this.view.setUint32(this.at, x, true);
    this.at += 4;
  }

  /** Overwrites a u32 written earlier (a length or count known only at the end). */
  patchU32(offset: number, x: number): void {
    this.view.setUint32(offset, x, true);
  }

  /** A string as u16 length + UTF-8 (names and keys; throws past 65,535 bytes). */
  shortString(s: string): void {
    this.reserve(2 + s.length * 3);
    const n = this.buf.utf8Write(s, this.at + 2);
    if (n > 0xffff) throw new RangeError(`MR_ERR_STATE_FORMAT: a name or key of ${n} bytes is over 65,535`);
    this.view.setUint16(this.at, n, true);
    this.at += 2 + n;
  }

  value(x: unknown): void {
    switch (typeof x) {
      case 'number':
        this.reserve(9);
        if ((x | 0) === x && (x !== 0 || 1 / x > 0)) {
          this.buf[this.at] = I32;
          this.view.setInt32(this.at + 1, x, true);
          this.at += 5;
        } else {
          this.buf[this.at] = F64;
          this.view.setFloat64(this.at + 1, x, true);
          this.at += 9;
        }
        return;
      case 'string':
        this.string(x);
        return;
      case 'boolean':
        this.u8(x ? TRUE : FALSE);
        return;
      case 'undefined':
      case 'function':
      case 'symbol':
        // JSON dropped functions and symbols (or wrote null in arrays); they cannot be restored
        this.u8(UNDEFINED);
        return;
      case 'object':
        if (x === null) this.u8(NULL);
        else if (Array.isArray(x)) this.array(x);
        else if (x instanceof Map) this.map(x);
        else if (isPlain(x)) this.object(x as Record<string, unknown>);
        else if (x instanceof Date || ArrayBuffer.isView(x) || x instanceof ArrayBuffer || x instanceof Set || x instanceof RegExp || x instanceof Error) this.msgpack(x);
        // as JSON: an object's toJSON speaks for it, and other class instances are their own
        // enumerable properties (the prototype is not kept)
        else if (typeof (x as { toJSON?: unknown }).toJSON === 'function') this.value((x as { toJSON(key: string): unknown }).toJSON(''));
        else this.object(x as Record<string, unknown>);
        return;
      default:
        this.msgpack(x); // bigint
    }
  }

  array(a: readonly unknown[]): void {
    const n = a.length;
    // room for n numbers: numbers (most of state: timestamps, counts, sums) are written in
    // this loop, anything else through value()
    this.reserve(5 + 9 * n);
    let buf = this.buf;
    let view = this.view;
    let at = this.at;
    buf[at] = ARRAY;
    view.setUint32(at + 1, n, true);
    at += 5;
    for (let i = 0; i < n; i++) {
      const x = a[i];
      if (typeof x === 'number') {
        if ((x | 0) === x && (x !== 0 || 1 / x > 0)) {
          buf[at] = I32;
          view.setInt32(at + 1, x, true);
          at += 5;
        } else {
          buf[at] = F64;
          view.setFloat64(at + 1, x, true);
          at += 9;
        }
      } else {
        this.at = at;
        this.value(x);
        this.reserve(9 * (n - i - 1));
        buf = this.buf;
        view = this.view;
        at = this.at;
      }
    }
    this.at = at;
  }

  private map(m: Map<unknown, unknown>): void {
    this.reserve(5);
    this.buf[this.at] = MAP;
    this.view.setUint32(this.at + 1, m.size, true);
    this.at += 5;
    for (const [k, v] of m) {
      this.value(k);
      this.value(v);
    }
  }

  private object(o: Record<string, unknown>): void {
    this.reserve(5);
    const head = this.at;
    this.buf[head] = OBJECT;
    this.at += 5;
    let n = 0;
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue;
      const v = o[k];
      // as JSON: a function- or symbol-valued property is left out
      if (typeof v === 'function' || typeof v === 'symbol') continue;
      this.key(k);
      this.value(v);
      n++;
    }
    this.view.setUint32(head + 1, n, true);
  }

  private key(k: string): void {
    if (k.length > MAX_SHORT_KEY_CHARS) {
      this.u16(LONG_KEY);
      this.reserve(4 + k.length * 3);
      const n = this.buf.utf8Write(k, this.at + 4);
      this.view.setUint32(this.at, n, true);
      this.at += 4 + n;
      return;
    }
    if (this.refs) {
      const id = this.keys.get(k);
      if (id !== undefined) {
        this.u16(id);
        return;
      }
      if (this.keys.size < MAX_KEY_IDS) this.keys.set(k, this.keys.size);
    }
    this.u16(NEW_KEY);
    this.shortString(k);
  }

  private string(s: string): void {
    const n = s.length;
    if (n <= SHORT) {
      this.reserve(5 + n);
      const b = this.buf;
      const start = this.at + 5;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[start + i] = c;
      }
      if (i === n) {
        b[this.at] = ASCII;
        this.view.setUint32(this.at + 1, n, true);
        this.at = start + n;
        return;
      }
    }
    this.reserve(5 + n * 3);
    const bytes = this.buf.utf8Write(s, this.at + 5);
    this.buf[this.at] = bytes === n ? ASCII : UTF8;
    this.view.setUint32(this.at + 1, bytes, true);
    this.at += 5 + bytes;
  }

  private msgpack(x: unknown): void {
    const bytes = packr.pack(x);
    this.reserve(5 + bytes.length);
    this.buf[this.at] = MSGPACK;
    this.view.setUint32(this.at + 1, bytes.length, true);
    this.buf.set(bytes, this.at + 5);
    this.at += 5 + bytes.length;
  }
}

/** Reads the values of one record (a view of its bytes; strings and binary values are copies). */
export class StateReader {
  private readonly buf: FastBuffer;
  private readonly view: DataView;
  at: number;
  private readonly end: number;
  private readonly keys: string[] = [];

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf as FastBuffer;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.at = start;
    this.end = end;
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  private need(bytes: number): void {
    if (this.at + bytes > this.end) throw new RangeError(`MR_ERR_STATE_FORMAT: a state record ends ${this.at + bytes - this.end} byte(s) early`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  u16(): number {
    this.need(2);
    const x = this.view.getUint16(this.at, true);
    this.at += 2;
    return x;
  }

  u32(): number {
    this.need(4);
    const x = this.view.getUint32(this.at, true);
    this.at += 4;
    return x;
  }

  shortString(): string {
    const n = this.u16();
    this.need(n);
    const s = this.buf.utf8Slice(this.at, this.at + n);
    this.at += n;
    return s;
  }

  value(): unknown {
    this.need(1);
    const tag = this.buf[this.at++]!;
    switch (tag) {
      case I32: {
        this.need(4);
        const x = this.view.getInt32(this.at, true);
        this.at += 4;
        return x;
      }
      case F64: {
        this.need(8);
        const x = this.view.getFloat64(this.at, true);
        this.at += 8;
        return x;
      }
      case ARRAY: {
        const n = this.u32();
        // each element takes at least a byte: a corrupt count cannot allocate a huge array
        this.need(n);
        const a = new Array<unknown>(n);
        const buf = this.buf;
        const view = this.view;
        for (let i = 0; i < n; i++) {
          // numbers inline (most elements of state arrays), anything else through value()
          const at = this.at;
          const t = buf[at];
          if (t === I32 && at + 5 <= this.end) {
            a[i] = view.getInt32(at + 1, true);
            this.at = at + 5;
          } else if (t === F64 && at + 9 <= this.end) {
            a[i] = view.getFloat64(at + 1, true);
            this.at = at + 9;
          } else a[i] = this.value();
        }
        return a;
      }
      case ASCII: {
        const n = this.u32();
        this.need(n);
        const start = this.at;
        this.at += n;
        const b = this.buf;
        switch (n) {
          case 0: return '';
          case 1: return String.fromCharCode(b[start]!);
          case 2: return String.fromCharCode(b[start]!, b[start + 1]!);
          case 3: return String.fromCharCode(b[start]!, b[start + 1]!, b[start + 2]!);
          case 4: return String.fromCharCode(b[start]!, b[start + 1]!, b[start + 2]!, b[start + 3]!);
          default: return b.latin1Slice(start, start + n);
        }
      }
      case UTF8: {
        const n = this.u32();
        this.need(n);
        const s = this.buf.utf8Slice(this.at, this.at + n);
        this.at += n;
        return s;
      }
      case OBJECT: {
        const n = this.u32();
        this.need(n);
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.key();
          const v = this.value();
          // as JSON.parse: "__proto__" is an own property, never the prototype
          if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          else o[k] = v;
        }
        return o;
      }
      case NULL: return null;
      case UNDEFINED: return undefined;
      case FALSE: return false;
      case TRUE: return true;
      case MAP: {
        const n = this.u32();
        this.need(n);
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const k = this.value();
          m.set(k, this.value());
        }
        return m;
      }
      case MSGPACK: {
        const n = this.u32();
        this.need(n);
        const x: unknown = packr.unpack(this.buf.subarray(this.at, this.at + n));
        this.at += n;
        return x;
      }
      default:
        throw new RangeError(`MR_ERR_STATE_FORMAT: unknown value tag ${tag} at byte ${this.at - 1} of a state record`);
    }
  }

  private key(): string {
    const id = this.u16();
    if (id === LONG_KEY) {
      const n = this.u32();
      this.need(n);
      const s = this.buf.utf8Slice(this.at, this.at + n);
      this.at += n;
      return s;
    }
    if (id !== NEW_KEY) {
      const k = this.keys[id];
      if (k === undefined) throw new RangeError(`MR_ERR_STATE_FORMAT: object key #${id} was never defined in its state record`);
      return k;
    }
    const k = this.shortString();
    if (this.keys.length < MAX_KEY_IDS) this.keys.push(k);
    return k;
  }
}
