// `npm run bench:data-plane`: the TaskManager-to-TaskManager data plane alone, without a job:
// two slots (worker threads, each with its own NetworkEnvironment, as in a TaskManager) on
// loopback; the sender writes data buffers to several channels of one connection, stepping like
// a task (one buffer per channel, then setImmediate), honouring credit; the receiver polls them
// through an InputGate one buffer per step. Prints CPU time per buffer of both threads, socket
// writes and frames; figures, not assertions.
//
//   npm run bench:data-plane -- [--buffers 20000] [--records 64] [--channels 4] [--runs 3] [--rows bid|sql|sql-wide] [--untyped]
//
// --rows: bid-like objects (default), SQL changelog rows of a scan of bids (`sql`), or SQL rows
// with a BIGINT beyond 2^53, a DECIMAL(38, 4), BYTES, a TIMESTAMP(9), an ARRAY and NULLs (`sql-wide`).
// SQL rows go on channels that declare their row type, as a SQL job's do (network/typed-rows.ts);
// --untyped sends them without it (flat records or msgpackr, as before the typed codec).

import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { dataBuffer, END_OF_PARTITION, eventBuffer } from '../runtime/network/buffers.ts';
import { NetworkEnvironment } from '../runtime/network/network-environment.ts';
import { InputGate } from '../runtime/task/input-gate.ts';
import type { RecordType } from '../runtime/network/typed-rows.ts';

type Rows = 'bid' | 'sql' | 'sql-wide';

interface Settings {
  readonly rows: Rows;
  readonly untyped: boolean;
  readonly buffers: number;
  readonly records: number;
  readonly channels: number;
}

interface SlotResult {
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly writes: number;
  readonly frames: number;
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));
const key = (c: number): string => `bench/1/e/0/${c}`;

/** A Nexmark-bid-like record, so frames have a realistic size. */
const record = (i: number) => ({ auction: 1000 + (i % 977), bidder: 2000 + (i % 131), price: 100 + (i % 9000), channel: 'Google', url: `https://www.nexmark.com/${i % 50}/item.htm?query=1`, dateTime: 1_700_000_000_000 + i, extra: 'x'.repeat(24) });

/** A SQL row of a scan of bids: BIGINT, BIGINT, BIGINT, STRING, STRING, TIMESTAMP(3), STRING. */
const sqlRow = (i: number) => {
  const b = record(i);
  return { kind: '+I', values: [b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra] };
};

/** A SQL row that JSON could not carry: BIGINT beyond 2^53, DECIMAL(38, 4), BYTES, TIMESTAMP(9), ARRAY<INT>, a NULL STRING. */
const sqlWideRow = (i: number) => ({
  kind: i % 5 === 0 ? '-U' : '+U',
  values: [2n ** 60n + BigInt(i), `${1_000_000 + i}.${String(i % 10_000).padStart(4, '0')}`, Uint8Array.of(i & 255, (i >> 8) & 255, 7, 9), 1_700_000_000_000 + i, [i, i + 1, i + 2], null],
});

/** The row type a SQL job's channel declares for these rows (none for bids). */
function recordTypeOf(s: Settings): RecordType | undefined {
  if (s.untyped || s.rows === 'bid') return undefined;
  return s.rows === 'sql'
    ? { changelogRow: ['i64', 'i64', 'i64', 'string', 'string', 'f64', 'string'] }
    : { changelogRow: ['i64', 'string', 'bytes', 'f64', { array: 'i32' }, 'string'] };
}

const rowsOf = (rows: Rows, i: number): unknown => (rows === 'sql' ? sqlRow(i) : rows === 'sql-wide' ? sqlWideRow(i) : record(i));

async function receiver(s: Settings): Promise<SlotResult> {
  const net = new NetworkEnvironment();
  const address = await net.start('127.0.0.1');
  const gate = new InputGate(Array.from({ length: s.channels }, (_, c) => ({ reader: net.inputChannel(key(c), recordTypeOf(s)), inputIndex: 0 })));
  parentPort!.postMessage({ address });
  let cpu0: NodeJS.CpuUsage | undefined;
  let t0 = 0;
  let received = 0;
  for (;;) {
    const b = gate.poll();
    if (b === undefined) {
      if (gate.allEnded) break;
      await gate.available();
      continue;
    }
    if (cpu0 === undefined) {
      cpu0 = process.threadCpuUsage();
      t0 = performance.now();
    }
    received += b.values.length;
    await yieldNow();
  }
  const cpu = process.threadCpuUsage(cpu0);
  const result = { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0, ...stats(net) };
  if (received !== s.buffers * s.records) throw new Error(`MR_ERR_BENCH_LOST: received ${received} records, expected ${s.buffers * s.records}`);
  await net.close();
  return result;
}

async function sender(s: Settings, address: string): Promise<SlotResult> {
  const net = new NetworkEnvironment();
  await net.start('127.0.0.1');
  const outs = Array.from({ length: s.channels }, (_, c) => net.outputChannel(address, key(c), recordTypeOf(s)));
  const values = Array.from({ length: s.records }, (_, i) => rowsOf(s.rows, i));
  const stamps = values.map((_, i) => 1_700_000_000_000 + i);
  const cpu0 = process.threadCpuUsage();
  const t0 = performance.now();
  for (let sent = 0; sent < s.buffers;) {
    for (const o of outs) if (!o.isAvailable()) await o.waitAvailable();
    for (let c = 0; c < outs.length && sent < s.buffers; c++, sent++) outs[c]!.write(dataBuffer(values, stamps));
    await yieldNow();
  }
  for (const o of outs) o.write(eventBuffer(END_OF_PARTITION));
  for (const o of outs) await o.waitAvailable();
  await yieldNow(); // the last batch is written
  const cpu = process.threadCpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0, ...stats(net) };
}

/** Socket writes and frames, where the NetworkEnvironment counts them. */
function stats(net: NetworkEnvironment): { writes: number; frames: number } {
  const withStats = net as Partial<{ stats: () => { writes: number; frames: number } }>;
  return withStats.stats ? withStats.stats() : { writes: Number.NaN, frames: Number.NaN };
}

function runSlot(role: 'sender' | 'receiver', settings: Settings, address?: string, onAddress?: (a: string) => void): Promise<SlotResult> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role, settings, address } });
  return new Promise((resolve, reject) => {
    worker.on('message', (m: { address?: string; result?: SlotResult }) => {
      if (m.address !== undefined) onAddress?.(m.address);
      // the slot's sockets would keep the worker alive: it is ended once it reported
      if (m.result !== undefined) void worker.terminate().then(() => resolve(m.result!));
    });
    worker.on('error', reject);
  });
}

async function runOnce(settings: Settings): Promise<{ sender: SlotResult; receiver: SlotResult }> {
  let gotAddress: (a: string) => void = () => {};
  const address = new Promise<string>((r) => (gotAddress = r));
  const recv = runSlot('receiver', settings, undefined, gotAddress);
  const send = runSlot('sender', settings, await address);
  return { sender: await send, receiver: await recv };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { buffers: { type: 'string', default: '20000' }, records: { type: 'string', default: '64' }, channels: { type: 'string', default: '4' }, runs: { type: 'string', default: '3' }, rows: { type: 'string', default: 'bid' }, untyped: { type: 'boolean', default: false } } });
  if (!['bid', 'sql', 'sql-wide'].includes(values.rows)) throw new Error(`MR_ERR_BENCH_ARGS: --rows must be bid, sql or sql-wide, got '${values.rows}'`);
  const settings: Settings = { rows: values.rows as Rows, untyped: values.untyped, buffers: Number(values.buffers), records: Number(values.records), channels: Number(values.channels) };
  process.stdout.write(`data plane: ${settings.buffers} buffers of ${settings.records} ${settings.rows}${settings.untyped ? ' (untyped)' : ''} records over ${settings.channels} channels of one connection\n`);
  for (let i = 0; i < Number(values.runs); i++) {
    const r = await runOnce(settings);
    const perBuffer = (ms: number): string => `${((ms * 1000) / settings.buffers).toFixed(1)} µs`;
    process.stdout.write(
      `run ${i + 1}: sender CPU ${perBuffer(r.sender.cpuMs)}/buffer, receiver CPU ${perBuffer(r.receiver.cpuMs)}/buffer, ` +
      `total ${perBuffer(r.sender.cpuMs + r.receiver.cpuMs)}/buffer (${(((r.sender.cpuMs + r.receiver.cpuMs) * 1000) / (settings.buffers * settings.records)).toFixed(3)} µs/record); ${Math.round(settings.buffers / (r.sender.wallMs / 1000))} buffers/s; ` +
      `sender ${r.sender.writes} writes / ${r.sender.frames} frames, receiver ${r.receiver.writes} writes / ${r.receiver.frames} credit frames\n`,
    );
  }
}

if (isMainThread) await main();
else {
  const { role, settings, address } = workerData as { role: 'sender' | 'receiver'; settings: Settings; address?: string };
  const result = role === 'sender' ? await sender(settings, address!) : await receiver(settings);
  parentPort!.postMessage({ result });
}
