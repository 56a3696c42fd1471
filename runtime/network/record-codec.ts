// The values of a DATA frame as bytes. Flat records of one shape (Nexmark events, most DataStream
// records) take the fast path of flat-records.ts; everything else is MessagePack through msgpackr,
// with its record extension
// (an object's keys are written once per frame as a structure, then each object of that shape is
// its values only) and its structured-clone types. Chosen over JSON by `npm run bench:record-codec`
// (figures in docs/architecture.md, "Records on the data plane").
//
// Every frame is self-contained: structures are defined inside the frame that uses them, never
// shared across frames, so frames of one connection decode independently and a malformed frame
// cannot poison the next one.
//
// What crosses the network as it went in (as on a same-slot channel, which passes the objects):
// numbers (NaN and ±Infinity included; -0 arrives as 0, as with JSON), strings, booleans, null,
// undefined (also as an object's property), bigint of any size, Date, Uint8Array and Buffer, the
// typed arrays, Map, Set, RegExp, arrays and plain objects nested to any depth. Not kept: class
// prototypes (objects arrive plain, as with JSON), holes in arrays (arrive as undefined), and a key
// named `__proto__` (msgpackr renames it `__proto_`, so a frame can never set a prototype).

import { packr } from '../serialization/msgpack.ts';
import { decodeFlat, encodeFlat, FLAT_TAG } from './flat-records.ts';
import { isTypedBody, type TypedRowCodec } from './typed-rows.ts';

/**
 * The bytes of `values`. The result is a view of the codec's working buffer, valid until the next
 * call: copy it (into the frame) before encoding again.
 */
export function encodeRecords(values: readonly unknown[], typed?: TypedRowCodec): Uint8Array {
  // a typed channel's batch with a row its type does not describe goes the generic way
  return typed?.encode(values) ?? encodeFlat(values) ?? packr.pack(values);
}

/**
 * The `n` values in `bytes`; throws an Error when they are not exactly an array of `n` values.
 * Typed bytes are read only with the channel's declared type (`typed`).
 */
export function decodeRecords(bytes: Uint8Array, n: number, typed?: TypedRowCodec): unknown[] {
  if (bytes[0] === FLAT_TAG) {
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!isTypedBody(body)) return decodeFlat(body, n);
    if (!typed) throw new Error('typed rows on a channel that declared no row type');
    return typed.decode(body, n);
  }
  const values: unknown = packr.unpack(bytes);
  if (!Array.isArray(values) || values.length !== n) throw new Error(`${Array.isArray(values) ? values.length : 'no'} values for ${n} timestamps`);
  return values;
}
