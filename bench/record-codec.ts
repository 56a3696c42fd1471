// `npm run bench:record-codec`: encode + decode CPU per record of a DATA frame's values, on one
// thread, without sockets: JSON (what the data plane sent until session 8) against MessagePack
// (msgpackr) with and without record structures, on Nexmark bids, persons and auctions and on SQL
// changelog rows. Each batch is encoded to bytes and decoded back, as a sender and a receiver
// would; the decoded batch is checked against the input once per codec, so a codec that loses
// data cannot win. Figures, not assertions.
//
//   npm run bench:record-codec -- [--records 400000] [--batch 512] [--runs 3] [--cbor-x PATH]
//
// `--cbor-x` adds cbor-x (records on) from an install outside the project, e.g.
// `--cbor-x /tmp/x/node_modules/cbor-x/index.js`, for the comparison in docs/architecture.md.

import { isDeepStrictEqual } from 'node:util';
import { parseArgs } from 'node:util';
// the entry the runtime uses (without the native string extractor, see record-codec.ts); importing
// 'msgpackr' here would switch the extractor on for the runtime's codec too
import { Packr } from 'msgpackr/pack';
import { createNexmarkGenerator } from '../runtime/connectors/nexmark/generator.ts';
import { encodeRecords, decodeRecords } from '../runtime/network/record-codec.ts';
import { TypedRowCodec, type RecordType } from '../runtime/network/typed-rows.ts';

interface Codec {
  readonly name: string;
  encode(values: unknown[]): Uint8Array;
  decode(bytes: Uint8Array, n: number): unknown[];
}

const json: Codec = {
  name: 'JSON (before)',
  encode: (values) => {
    // as frame-codec did: stringify, then write the text into the frame's buffer
    const text = JSON.stringify(values);
    const b = Buffer.allocUnsafe(Buffer.byteLength(text));
    b.write(text, 0, 'utf8');
    return b;
  },
  decode: (bytes) => JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown[],
};

function msgpackr(name: string, options: ConstructorParameters<typeof Packr>[0]): Codec {
  const p = new Packr(options);
  return { name, encode: (v) => Buffer.from(p.pack(v)), decode: (b) => p.unpack(b) as unknown[] };
}

const runtime: Codec = { name: 'runtime record-codec.ts', encode: (v) => encodeRecords(v), decode: (b, n) => decodeRecords(b, n) };

/** The runtime's codec on a channel that declares the SQL row type (a SQL job's channels). */
function runtimeTyped(type: RecordType): Codec {
  const typed = new TypedRowCodec(type);
  return { name: 'runtime, typed (SQL row type)', encode: (v) => encodeRecords(v, typed), decode: (b, n) => decodeRecords(b, n, typed) };
}

/** The row types of the SQL record sets (what the planner declares for their channels). */
const SQL_ROW_TYPES: ReadonlyMap<string, RecordType> = new Map<string, RecordType>([
  ['sql row (scan)', { changelogRow: ['i64', 'i64', 'i64', 'string', 'string', 'f64', 'string'] }],
  ['sql row (aggregate)', { changelogRow: ['i64', 'i64', 'f64', 'f64', 'string'] }],
  ['sql row (wide)', { changelogRow: ['i64', 'string', 'bytes', 'f64', { array: 'i32' }, 'string'] }],
]);

async function cborX(path: string): Promise<Codec> {
  const { Encoder } = (await import(path)) as { Encoder: new (o: object) => { encode(v: unknown): Uint8Array; decode(b: Uint8Array): unknown } };
  const e = new Encoder({ useRecords: true, mapsAsObjects: true });
  return { name: 'cbor-x records', encode: (v) => Buffer.from(e.encode(v)), decode: (b) => e.decode(b) as unknown[] };
}

/** The record sets: the three Nexmark types apart (one type per channel, as after a filter) and SQL rows. */
function datasets(records: number): Map<string, unknown[]> {
  const gen = createNexmarkGenerator();
  const bids: unknown[] = [];
  const persons: unknown[] = [];
  const auctions: unknown[] = [];
  for (let i = 0; bids.length < records || persons.length < records / 8 || auctions.length < records / 4; i++) {
    const e = gen.eventAt(i);
    if (e.kind === 'bid' && bids.length < records) bids.push(e);
    else if (e.kind === 'person' && persons.length < records / 8) persons.push(e);
    else if (e.kind === 'auction' && auctions.length < records / 4) auctions.push(e);
  }
  // SQL: a scan of bid rows (BIGINT, BIGINT, BIGINT, VARCHAR, VARCHAR, TIMESTAMP(3), VARCHAR) and a
  // windowed aggregate's output (auction, count, window start, window end, DECIMAL as text)
  const sqlScan = (bids as { auction: number; bidder: number; price: number; channel: string; url: string; dateTime: number; extra: string }[])
    .map((b) => ({ kind: '+I', values: [b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra] }));
  const sqlAgg = sqlScan.map((r, i) => ({ kind: i % 7 === 0 ? '-U' : '+U', values: [r.values[0], i % 1000, 1_700_000_000_000 + i, 1_700_000_010_000 + i, `${i}.25`] }));
  // rows JSON cannot carry: BIGINT beyond 2^53, DECIMAL(38, 4), BYTES, TIMESTAMP(9), ARRAY<INT>, a NULL STRING
  const sqlWide = sqlScan.map((r, i) => ({ kind: '+I', values: [2n ** 60n + BigInt(i), `${r.values[2]}.${String(i % 10_000).padStart(4, '0')}`, Uint8Array.of(i & 255, 7, 9), r.values[5], [i, i + 1], null] }));
  return new Map([['nexmark bid', bids], ['nexmark person', persons], ['nexmark auction', auctions], ['sql row (scan)', sqlScan], ['sql row (aggregate)', sqlAgg], ['sql row (wide)', sqlWide]]);
}

interface Figure {
  readonly nsPerRecord: number;
  readonly bytesPerRecord: number;
}

function measure(codec: Codec, data: unknown[], batch: number): Figure {
  const batches: unknown[][] = [];
  for (let i = 0; i < data.length; i += batch) batches.push(data.slice(i, i + batch));
  // checked first (and warms the code up)
  const first = batches[0]!;
  const back = codec.decode(codec.encode(first), first.length);
  if (!isDeepStrictEqual(back, first)) throw new Error(`MR_ERR_BENCH_CODEC: ${codec.name} does not give its input back`);
  for (const b of batches) codec.decode(codec.encode(b), b.length);
  let bytes = 0;
  const cpu0 = process.threadCpuUsage();
  for (const b of batches) {
    const enc = codec.encode(b);
    bytes += enc.byteLength;
    codec.decode(enc, b.length);
  }
  const cpu = process.threadCpuUsage(cpu0);
  return { nsPerRecord: ((cpu.user + cpu.system) * 1000) / data.length, bytesPerRecord: bytes / data.length };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '400000' }, batch: { type: 'string', default: '512' }, runs: { type: 'string', default: '3' }, 'cbor-x': { type: 'string' } } });
  const records = Number(values.records);
  const batch = Number(values.batch);
  const runs = Number(values.runs);
  const codecs: Codec[] = [
    json,
    msgpackr('msgpackr maps', { useRecords: false }),
    msgpackr('msgpackr records', { useRecords: true }),
    msgpackr('msgpackr records+bundleStrings', { useRecords: true, bundleStrings: true }), // rejected: see docs/architecture.md
    runtime,
  ];
  if (values['cbor-x'] !== undefined) codecs.push(await cborX(values['cbor-x']));
  process.stdout.write(`record codecs: encode + decode CPU per record, batches of ${batch}, median of ${runs} runs (µs = CPU microseconds on this thread)\n`);
  for (const [name, data] of datasets(records)) {
    process.stdout.write(`\n${name} (${data.length} records)\n`);
    let base = 0;
    const type = SQL_ROW_TYPES.get(name);
    for (const c of type ? [...codecs, runtimeTyped(type)] : codecs) {
      // JSON cannot carry a bigint or bytes, nor msgpackr as configured here a bigint as it was:
      // the wide rows compare the runtime's codec without and with the declared type
      if (name === 'sql row (wide)' && c !== runtime && c.name !== 'runtime, typed (SQL row type)') continue;
      const figs = Array.from({ length: runs }, () => measure(c, data, batch));
      const ns = median(figs.map((f) => f.nsPerRecord));
      if (c === json || (base === 0 && name === 'sql row (wide)')) base = ns;
      process.stdout.write(`  ${c.name.padEnd(32)} ${(ns / 1000).toFixed(3)} µs/record  ${figs[0]!.bytesPerRecord.toFixed(1).padStart(6)} B/record  ${(base / ns).toFixed(2)}× ${name === 'sql row (wide)' ? 'untyped' : 'JSON'}\n`);
    }
  }
}

await main();
