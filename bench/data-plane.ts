// `npm run bench:data-plane`: the TaskManager-to-TaskManager data plane alone, without a job:
// two slots (worker threads, each with its own NetworkEnvironment, as in a TaskManager) on
// loopback; the sender writes data buffers to several channels of one connection, stepping like
// a task (one buffer per channel, then setImmediate), honouring credit; the receiver polls them
// through an InputGate one buffer per step. Prints CPU time per buffer of both threads, socket
// writes and frames; figures, not assertions.
//
//   npm run bench:data-plane -- [--buffers 20000] [--records 64] [--channels 4] [--runs 3]

import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { dataBuffer, END_OF_PARTITION, eventBuffer } from '../runtime/network/buffers.ts';
import { NetworkEnvironment } from '../runtime/network/network-environment.ts';
import { InputGate } from '../runtime/task/input-gate.ts';

interface Settings {
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

async function receiver(s: Settings): Promise<SlotResult> {
  const net = new NetworkEnvironment();
  const address = await net.start('127.0.0.1');
  const gate = new InputGate(Array.from({ length: s.channels }, (_, c) => ({ reader: net.inputChannel(key(c)), inputIndex: 0 })));
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
  const outs = Array.from({ length: s.channels }, (_, c) => net.outputChannel(address, key(c)));
  const values = Array.from({ length: s.records }, (_, i) => record(i));
  const stamps = values.map((v) => v.dateTime);
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
      if (m.result !== undefined) resolve(m.result);
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
  const { values } = parseArgs({ options: { buffers: { type: 'string', default: '20000' }, records: { type: 'string', default: '64' }, channels: { type: 'string', default: '4' }, runs: { type: 'string', default: '3' } } });
  const settings: Settings = { buffers: Number(values.buffers), records: Number(values.records), channels: Number(values.channels) };
  process.stdout.write(`data plane: ${settings.buffers} buffers of ${settings.records} records over ${settings.channels} channels of one connection\n`);
  for (let i = 0; i < Number(values.runs); i++) {
    const r = await runOnce(settings);
    const perBuffer = (ms: number): string => `${((ms * 1000) / settings.buffers).toFixed(1)} µs`;
    process.stdout.write(
      `run ${i + 1}: sender CPU ${perBuffer(r.sender.cpuMs)}/buffer, receiver CPU ${perBuffer(r.receiver.cpuMs)}/buffer, ` +
      `total ${perBuffer(r.sender.cpuMs + r.receiver.cpuMs)}/buffer; ${Math.round(settings.buffers / (r.sender.wallMs / 1000))} buffers/s; ` +
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
