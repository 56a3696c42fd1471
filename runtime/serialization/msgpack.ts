// The one msgpackr configuration of the runtime: records on the data plane
// (network/record-codec.ts) and the values of state files that are not plain data
// (state/state-codec.ts) use the same types and the same exactness.
//
// `msgpackr/pack` is msgpackr without its native string extractor: the extractor decodes a run of
// strings as one string and hands out slices of it, so one string kept in state would keep its
// whole frame's strings alive (measured: 6 KB held per kept Nexmark `extra`, 15 KB with
// `bundleStrings`, against 0.1 KB with JSON or this entry). Decoding is as fast without it here.
import { Packr } from 'msgpackr/pack';

export const packr = new Packr({
  // objects of one shape share one structure inside a frame
  useRecords: true,
  // typed arrays, Set, RegExp, Error as themselves, not as plain objects
  moreTypes: true,
  // 64-bit integers come back as bigint (numbers are never written as int64: above 32 bits they
  // are written as float64), and bigints beyond 64 bits use msgpackr's bigint extension
  int64AsType: 'bigint',
  useBigIntExtension: true,
  // binary values are copied out, so a kept one does not keep its frame or file buffer alive
  copyBuffers: true,
});
