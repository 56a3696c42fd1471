// `npm run bench:state-codec`: time to serialize and to restore one operator subtask's keyed state
// through the runtime's own checkpoint path, on one process without storage: a capture
// (state/keyed-state-capture.ts in a state/snapshot-part.ts capture, the asynchronous snapshot's
// serializer, run to the end in steps of 256 entries as checkpoint/async-snapshot.ts does) makes the state file's chunks; the restore
// decodes them (state/state-file-format.ts) and loads them into a fresh backend, as a restored
// subtask does. The restored state is checked against the original once per dataset, so a format
// that loses data cannot win. Figures, not assertions: it measures whatever format the tree
// writes (JSON lines before session 9, the binary format after), so run it on both trees to compare.
//
//   npm run bench:state-codec -- [--mb 100] [--runs 3] [--datasets q5,contents]
//
// Datasets (sizes are of the state's JSON text, so both formats hold the same state):
//   q5        q5's pane state (operators/windowing/sliding-panes.ts): per auction one array
//             [nextEnd, pane, count, …] of a 10 s window sliding by 2 s, 5 panes
//   contents  a WindowOperator's contents (a namespaced table): per bidder a Map of window start
//             to the list of its Nexmark bids

import { isDeepStrictEqual, parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { createNexmarkGenerator, type Bid } from '../runtime/connectors/nexmark/index.ts';
import { KeyedStateBackend } from '../runtime/state/keyed-state-backend.ts';
import { decodeOperatorSnapshot } from '../runtime/state/state-file-format.ts';
import { OperatorStateCapture } from '../runtime/state/snapshot-part.ts';
import type { Namespace } from '../runtime/state/state-table.ts';
import { ManualClock } from '../runtime/time/clock.ts';

const RANGE = { start: 0, end: 127 };
const MAX_PARALLELISM = 128;
const STEP = 256;

interface Dataset {
  readonly name: string;
  readonly table: string;
  readonly namespaced: boolean;
  /** fills the backend's table until its JSON text is about `bytes` long; returns the entry count */
  fill(backend: KeyedStateBackend, bytes: number): number;
}

const q5: Dataset = {
  name: 'q5 panes (number arrays)',
  table: '_window_panes',
  namespaced: false,
  fill(backend, bytes) {
    const group = (key: number) => {
      backend.setCurrentKey(key);
      return backend.currentGroup(backend.table(this.table, false));
    };
    const t0 = 1_700_000_000_000;
    let size = 0;
    let n = 0;
    for (let auction = 1000; size < bytes; auction++, n++) {
      const first = t0 + (auction % 5) * 2000;
      const s: number[] = [first + 10_000];
      for (let p = 0; p < 5; p++) s.push(first + p * 2000, 1 + ((auction * 7 + p * 13) % 97));
      group(auction).set(auction, s);
      size += JSON.stringify([auction, s]).length + 1;
    }
    return n;
  },
};

const contents: Dataset = {
  name: 'window contents (Map of bid lists)',
  table: '_window_contents',
  namespaced: true,
  fill(backend, bytes) {
    const gen = createNexmarkGenerator();
    let size = 0;
    let n = 0;
    const table = backend.table(this.table, true);
    for (let i = 0; size < bytes; i++) {
      const e = gen.eventAt(i);
      if (e.kind !== 'bid') continue;
      const bid = e as Bid;
      const key = `bidder-${bid.bidder % 200_000}`;
      backend.setCurrentKey(key);
      const g = backend.currentGroup(table);
      let m = g.get(key) as Map<Namespace, Bid[]> | undefined;
      if (!m) g.set(key, (m = new Map()));
      const ns = bid.dateTime - (bid.dateTime % 10_000);
      let list = m.get(ns);
      if (!list) {
        m.set(ns, (list = []));
        size += 16;
      }
      list.push({ ...bid });
      size += JSON.stringify(bid).length + 1;
      n++;
    }
    return n;
  },
};

interface Figures {
  readonly serializeMs: number;
  readonly serializeCpuMs: number;
  readonly restoreMs: number;
  readonly restoreCpuMs: number;
  readonly fileBytes: number;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

async function once(source: KeyedStateBackend, ds: Dataset, check: boolean): Promise<Figures> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const capture = new OperatorStateCapture([source.capture()]);
  while (!capture.advance(STEP));
  capture.release();
  const chunks = capture.chunks();
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const fileBytes = chunks.reduce((n, b) => n + b.length, 0);

  const target = new KeyedStateBackend(RANGE, MAX_PARALLELISM, new ManualClock(0));
  const snap = await decodeOperatorSnapshot(Readable.from(chunks));
  target.restore([snap.keyed!], new Set(ds.namespaced ? [ds.table] : []));
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  if (check) {
    // the tables themselves, entry by entry (restore may keep Map values as they were decoded)
    const a = source.table(ds.table, ds.namespaced).groups;
    const b = target.table(ds.table, ds.namespaced).groups;
    for (let i = 0; i < a.length; i++) {
      const norm = (g: Map<unknown, unknown>) => new Map([...g].map(([k, v]) => [k, v instanceof Map ? new Map(v) : v]));
      if (!isDeepStrictEqual(norm(a[i]!), norm(b[i]!))) throw new Error(`MR_ERR_BENCH_STATE: ${ds.name}: key group ${i} differs after the restore`);
    }
  }
  return {
    serializeMs: t1 - t0, serializeCpuMs: cpuMs(c1) - cpuMs(c0),
    restoreMs: t2 - t1, restoreCpuMs: cpuMs(c2) - cpuMs(c1),
    fileBytes,
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]): string => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' }, datasets: { type: 'string', default: 'q5,contents' } } });
  const mb = Number(values.mb);
  const runs = Number(values.runs);
  if (!(mb > 0) || !Number.isSafeInteger(runs) || runs < 1) throw new Error('MR_ERR_BENCH_OPTION: --mb must be a positive number and --runs a positive integer');
  const all: Record<string, Dataset> = { q5, contents };
  const chosen = values.datasets.split(',').map((n) => {
    const d = all[n.trim()];
    if (!d) throw new Error(`MR_ERR_BENCH_OPTION: --datasets: unknown dataset "${n}"; use ${Object.keys(all).join(', ')}`);
    return d;
  });
  process.stdout.write(`state codec: serialize (capture in steps of ${STEP}) and restore (decode + load) of ${mb} MB of keyed state (JSON size), median of ${runs} runs [range]\n`);
  for (const ds of chosen) {
    const source = new KeyedStateBackend(RANGE, MAX_PARALLELISM, new ManualClock(0));
    const entries = ds.fill(source, mb * 1e6);
    const figs: Figures[] = [];
    for (let i = 0; i < runs; i++) figs.push(await once(source, ds, i === 0));
    const f = (pick: (x: Figures) => number) => `${median(figs.map(pick)).toFixed(0).padStart(6)} ms [${range(figs.map(pick))}]`;
    process.stdout.write(`\n${ds.name}: ${entries.toLocaleString('en-US')} entries, file ${(figs[0]!.fileBytes / 1e6).toFixed(1)} MB\n`);
    process.stdout.write(`  serialize  wall ${f((x) => x.serializeMs)}   CPU ${f((x) => x.serializeCpuMs)}\n`);
    process.stdout.write(`  restore    wall ${f((x) => x.restoreMs)}   CPU ${f((x) => x.restoreCpuMs)}\n`);
  }
}

await main();
