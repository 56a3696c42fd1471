// The bytes of one operator subtask's state file: JSON lines, one line per key group of keyed
// state, per chunk of timers and for the operator's own state. Lines keep every piece small: the
// snapshot of a large state never becomes one giant string (V8 caps strings at about 512 MB), the
// upload streams, and a restore parses line by line.
//
//   {"maxParallelism":128}                       keyed operators, first
//   {"kg":5,"s":{"<state>":[entries…]}}          one per non-empty key group
//   {"timers":{"eventTime":[…],"processingTime":[…]}}   chunks of at most TIMER_CHUNK timers
//   {"operator":…}                               operator state (source position, sink transaction)

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { OperatorSnapshot } from '../operators/stream-operator.ts';
import type { TimersSnapshot } from '../state/timer-service.ts';
import { StorageError } from '../storage/errors.ts';

const TIMER_CHUNK = 10_000;
const NL = Buffer.from('\n');

const line = (value: unknown): Buffer => Buffer.concat([Buffer.from(JSON.stringify(value)), NL]);

// Pieces of the same lines for snapshots serialized asynchronously and in slices
// (checkpoint/async-snapshot.ts): entries are encoded one by one, lines assembled from them.

/** JSON text of one keyed-state entry as a key group line holds it (a Map value as entry arrays). */
export function encodeStateEntry(key: unknown, value: unknown): string {
  return JSON.stringify([key, value instanceof Map ? [...value] : value]);
}

/** JSON text of one timer, [timestamp, key, namespace]. */
export function encodeTimer(timestamp: number, key: unknown, namespace: unknown): string {
  return JSON.stringify([timestamp, key, namespace]);
}

export function keyedHeaderLine(maxParallelism: number): Buffer {
  return line({ maxParallelism });
}

/** `{"kg":…,"s":{"<state>":[entries…]}}` from encoded entries per state; undefined when all are empty. */
export function keyGroupLine(keyGroup: number, states: ReadonlyArray<readonly [string, readonly string[]]>): Buffer | undefined {
  const parts: string[] = [];
  for (const [name, entries] of states) if (entries.length > 0) parts.push(`${JSON.stringify(name)}:[${entries.join(',')}]`);
  if (parts.length === 0) return undefined;
  return Buffer.from(`{"kg":${keyGroup},"s":{${parts.join(',')}}}\n`);
}

/** The timer lines of one operator from encoded timers, in chunks of TIMER_CHUNK (at least one line). */
export function timerLines(eventTime: readonly string[], processingTime: readonly string[]): Buffer[] {
  const out: Buffer[] = [];
  const n = Math.max(eventTime.length, processingTime.length);
  for (let i = 0; i === 0 || i < n; i += TIMER_CHUNK) {
    out.push(Buffer.from(`{"timers":{"eventTime":[${eventTime.slice(i, i + TIMER_CHUNK).join(',')}],"processingTime":[${processingTime.slice(i, i + TIMER_CHUNK).join(',')}]}}\n`));
  }
  return out;
}

export function operatorStateLine(state: unknown): Buffer {
  return line({ operator: state });
}

export function encodeOperatorSnapshot(snap: OperatorSnapshot): Buffer[] {
  const out: Buffer[] = [];
  if (snap.keyed) {
    out.push(line({ maxParallelism: snap.keyed.maxParallelism }));
    for (const [kg, states] of Object.entries(snap.keyed.keyGroups)) out.push(line({ kg: Number(kg), s: states }));
  }
  for (const t of snap.timers ?? []) {
    const n = Math.max(t.eventTime.length, t.processingTime.length);
    for (let i = 0; i === 0 || i < n; i += TIMER_CHUNK) {
      out.push(line({ timers: { eventTime: t.eventTime.slice(i, i + TIMER_CHUNK), processingTime: t.processingTime.slice(i, i + TIMER_CHUNK) } }));
    }
  }
  if (snap.operator !== undefined) out.push(line({ operator: snap.operator }));
  return out;
}

interface StateLine {
  maxParallelism?: number;
  kg?: number;
  s?: Record<string, unknown[]>;
  timers?: TimersSnapshot;
  operator?: unknown;
}

/** Parses a state file stream line by line (the stream verifies size and sha256 at its end). */
export async function decodeOperatorSnapshot(input: Readable): Promise<OperatorSnapshot> {
  const snap: OperatorSnapshot = {};
  let keyGroups: Record<string, Record<string, unknown[]>> | undefined;
  const failure = new Promise<never>((_, reject) => input.once('error', reject));
  failure.catch(() => undefined);
  const reading = (async () => {
    for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (text === '') continue;
      let l: StateLine;
      try {
        l = JSON.parse(text) as StateLine;
      } catch (err) {
        throw new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `a state file line is not JSON (${(err as Error).message}); fall back to an older snapshot`, { cause: err });
      }
      if (l.maxParallelism !== undefined) {
        keyGroups = {};
        snap.keyed = { maxParallelism: l.maxParallelism, keyGroups };
      } else if (l.kg !== undefined) {
        if (!keyGroups) throw new Error('MR_ERR_STATE_FORMAT: key group line before maxParallelism');
        keyGroups[String(l.kg)] = l.s ?? {};
      } else if (l.timers) (snap.timers ??= []).push(l.timers);
      else if ('operator' in l) snap.operator = l.operator;
    }
  })();
  await Promise.race([reading, failure]);
  return snap;
}
