// Reader of the state files written until session 9: JSON lines, one line per key group of keyed
// state, per chunk of timers and for the operator's own state. Checkpoints and savepoints taken
// before the binary format (state-file-format.ts) restore through this; nothing writes it any more.
//
//   {"maxParallelism":128}                       keyed operators, first
//   {"kg":5,"s":{"<state>":[entries…]}}          one per non-empty key group
//   {"timers":{"eventTime":[…],"processingTime":[…]}}   chunks of at most 10,000 timers
//   {"operator":…}                               operator state (source position, sink transaction)

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { StorageError } from '../storage/errors.ts';
import type { OperatorSnapshot } from './state-file-format.ts';
import type { TimersSnapshot } from './timer-service.ts';

interface StateLine {
  maxParallelism?: number;
  kg?: number;
  s?: Record<string, unknown[]>;
  timers?: TimersSnapshot;
  operator?: unknown;
}

/**
 * Parses a JSON-lines state file line by line. `failure` rejects when the underlying stream fails
 * (it verifies size and sha256 at its end); readline alone would not see that.
 */
export async function decodeJsonLines(input: Readable, failure: Promise<never>): Promise<OperatorSnapshot> {
  const snap: OperatorSnapshot = {};
  let keyGroups: Record<string, Record<string, unknown[]>> | undefined;
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
