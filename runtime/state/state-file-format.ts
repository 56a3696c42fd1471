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
import { StorageError } from '../storage/errors.ts';
import type { KeyedStateSnapshot } from './keyed-state-backend.ts';
import type { TimersSnapshot } from './timer-service.ts';

/** What one operator subtask's state file holds, decoded: keyed state, timers, operator state. */
export interface OperatorSnapshot {
  keyed?: KeyedStateSnapshot;
  timers?: TimersSnapshot[];
  operator?: unknown;
}

export const TIMER_CHUNK = 10_000;
const NL = Buffer.from('\n');

const line = (value: unknown): Buffer => Buffer.concat([Buffer.from(JSON.stringify(value)), NL]);

// Pieces of the same lines for snapshots serialized asynchronously and in slices
// (checkpoint/async-snapshot.ts): a key group's entries are encoded a step at a time (or one by
// one when the task touched them first) and its line assembled from the pieces.

/** JSON text of one keyed-state entry as a key group line holds it (a Map value as entry arrays). */
export function encodeStateEntry(key: unknown, value: unknown): string {
  return JSON.stringify([key, value instanceof Map ? [...value] : value]);
}

export function keyedHeaderLine(maxParallelism: number): Buffer {
  return line({ maxParallelism });
}

const COMMA = Buffer.from(',');

/**
 * `{"kg":…,"s":{"<state>":[entries…]}}` from encoded entries per state, each list given as pieces
 * (comma-separated runs of entries, so no giant string is built); undefined when all are empty.
 */
export function keyGroupLine(keyGroup: number, states: ReadonlyArray<readonly [string, readonly Buffer[]]>): Buffer[] | undefined {
  const out: Buffer[] = [];
  for (const [name, pieces] of states) {
    if (pieces.length === 0) continue;
    out.push(Buffer.from(`${out.length === 0 ? `{"kg":${keyGroup},"s":{` : ','}${JSON.stringify(name)}:[`));
    pieces.forEach((p, i) => {
      if (i > 0) out.push(COMMA);
      out.push(p);
    });
    out.push(Buffer.from(']'));
  }
  if (out.length === 0) return undefined;
  out.push(Buffer.from('}}\n'));
  return out;
}

/** One timer line: `{"timers":{"eventTime":[…],"processingTime":[…]}}`. */
export function timerLine(eventTime: unknown[], processingTime: unknown[]): Buffer {
  return line({ timers: { eventTime, processingTime } });
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
      out.push(timerLine(t.eventTime.slice(i, i + TIMER_CHUNK), t.processingTime.slice(i, i + TIMER_CHUNK)));
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
