// The bytes of one operator subtask's state file: a binary header, then records. Records keep
// every piece small: the snapshot of a large state is never one giant buffer, the upload streams,
// and a restore decodes record by record as the file arrives. Each record is read with one pass
// over its bytes (state-codec.ts), with no text in between.
//
//   file     := 0x89 'M' 'R' 'S' u8 version(1) | record*
//   record   := u32 length | u8 kind | body          (length counts kind and body)
//   kind 1   keyed state header: u32 maxParallelism  (keyed operators, first)
//   kind 2   entries of one state in one key group: u32 keyGroup | u16 len utf8 name | u32 n | (key value){n}
//            (a key group's entries of a state may come in several records: a snapshot writes
//            them in slices, checkpoint/async-snapshot.ts)
//   kind 3   timers: value(eventTime) value(processingTime), at most TIMER_CHUNK of each
//   kind 4   operator state (source position, sink transaction): value
//
// Values are state-codec.ts's. A value that is a Map at the top of an entry (map state, window
// contents) is written as an array of [key, value] pairs, as KeyedStateSnapshot holds it.
// Files written before the binary format are JSON lines (their first byte is `{`); they are read
// by state-file-json.ts, so checkpoints and savepoints taken before it still restore.

import { Readable } from 'node:stream';
import { StorageError } from '../storage/errors.ts';
import type { KeyedStateSnapshot } from './keyed-state-backend.ts';
import { StateReader, StateWriter } from './state-codec.ts';
import { decodeJsonLines } from './state-file-json.ts';
import type { TimersSnapshot } from './timer-service.ts';

/** What one operator subtask's state file holds, decoded: keyed state, timers, operator state. */
export interface OperatorSnapshot {
  keyed?: KeyedStateSnapshot;
  timers?: TimersSnapshot[];
  operator?: unknown;
}

export const TIMER_CHUNK = 10_000;
export const FORMAT_VERSION = 1;
/** The first bytes of a binary state file (0x89 is never the first byte of a JSON-lines file). */
export const FILE_HEADER = Buffer.from([0x89, 0x4d, 0x52, 0x53, FORMAT_VERSION]);
const MAGIC_BYTES = 4;

const KEYED = 1;
const ENTRIES = 2;
const TIMERS = 3;
const OPERATOR = 4;

/** One writer for every record: encoding is synchronous, and its buffer is reused. */
const writer = new StateWriter();

function beginRecord(kind: number, refs = true): void {
  writer.begin(refs);
  writer.u32(0);
  writer.u8(kind);
}

/** The record written since beginRecord, with `extra` bytes following it (copies made earlier). */
function finishRecord(extra = 0): Buffer {
  const length = writer.length - 4 + extra;
  if (length > 0xffff_ffff) throw new RangeError(`MR_ERR_STATE_FORMAT: a state record of ${length} bytes is over 4 GiB`);
  writer.patchU32(0, length);
  return writer.finish();
}

function writeEntry(key: unknown, value: unknown): void {
  writer.value(key);
  if (value instanceof Map) writer.array([...value]);
  else writer.value(value);
}

/** One keyed-state entry encoded alone (a copy of its value as of a snapshot, table-view.ts). */
export function encodeStateEntry(key: unknown, value: unknown): Buffer {
  writer.begin(false);
  writeEntry(key, value);
  return writer.finish();
}

export function keyedHeaderRecord(maxParallelism: number): Buffer {
  beginRecord(KEYED);
  writer.u32(maxParallelism);
  return finishRecord();
}

/**
 * An entries record of state `name` in `keyGroup`: entries of `keys` and `values` encoded now,
 * then `copies` (entries encoded alone earlier, encodeStateEntry) appended as they are. Empty: no record.
 */
export function entriesRecord(keyGroup: number, name: string, keys: readonly unknown[], values: readonly unknown[], copies: readonly Buffer[]): Buffer[] {
  const n = keys.length + copies.length;
  if (n === 0) return [];
  beginRecord(ENTRIES);
  writer.u32(keyGroup);
  writer.shortString(name);
  writer.u32(n);
  for (let i = 0; i < keys.length; i++) writeEntry(keys[i], values[i]);
  let extra = 0;
  for (const c of copies) extra += c.length;
  return [finishRecord(extra), ...copies];
}

export function timersRecord(eventTime: readonly unknown[], processingTime: readonly unknown[]): Buffer {
  beginRecord(TIMERS);
  writer.array(eventTime);
  writer.array(processingTime);
  return finishRecord();
}

export function operatorStateRecord(state: unknown): Buffer {
  beginRecord(OPERATOR);
  writer.value(state);
  return finishRecord();
}

/** The name stream-operator.ts uses (a record now, a line before the binary format). */
export const operatorStateLine = operatorStateRecord;

/** The whole file of a snapshot held in memory (tests and harnesses; checkpoints use the captures). */
export function encodeOperatorSnapshot(snap: OperatorSnapshot): Buffer[] {
  const out: Buffer[] = [FILE_HEADER];
  if (snap.keyed) {
    out.push(keyedHeaderRecord(snap.keyed.maxParallelism));
    for (const [kg, states] of Object.entries(snap.keyed.keyGroups)) {
      for (const [name, entries] of Object.entries(states)) {
        const pairs = entries as Array<[unknown, unknown]>;
        out.push(...entriesRecord(Number(kg), name, pairs.map((e) => e[0]), pairs.map((e) => e[1]), []));
      }
    }
  }
  for (const t of snap.timers ?? []) {
    const n = Math.max(t.eventTime.length, t.processingTime.length);
    for (let i = 0; i === 0 || i < n; i += TIMER_CHUNK) {
      out.push(timersRecord(t.eventTime.slice(i, i + TIMER_CHUNK), t.processingTime.slice(i, i + TIMER_CHUNK)));
    }
  }
  if (snap.operator !== undefined) out.push(operatorStateRecord(snap.operator));
  return out;
}

const corrupt = (what: string, cause?: unknown) => new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `${what}; fall back to an older snapshot`, cause === undefined ? {} : { cause });

/** Decodes the records of a binary state file as its chunks arrive. */
class RecordDecoder {
  readonly snap: OperatorSnapshot = {};
  private keyGroups: Record<string, Record<string, unknown[]>> | undefined;
  /** chunks of a record not complete yet, and their total length */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** bytes the pending record needs in all, once its length prefix has arrived (0: not known yet) */
  private want = 0;
  private headerSeen = false;

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // wait for the whole record before joining (a large record arrives in many chunks)
      if (this.pendingBytes < this.needed()) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.want = 0;
    }
    let at = 0;
    if (!this.headerSeen) {
      if (buf.length < FILE_HEADER.length) return this.keep(buf, 0);
      if (!buf.subarray(0, MAGIC_BYTES).equals(FILE_HEADER.subarray(0, MAGIC_BYTES))) throw corrupt('a state file starts with neither the binary header nor JSON');
      const version = buf[MAGIC_BYTES]!;
      if (version !== FORMAT_VERSION) throw corrupt(`the state file has format version ${version}, this runtime reads version ${FORMAT_VERSION} (and JSON lines); restore it with the Millrace version that wrote it`);
      at = FILE_HEADER.length;
      this.headerSeen = true;
    }
    while (buf.length - at >= 4) {
      const length = buf.readUInt32LE(at);
      if (length === 0) throw corrupt(`an empty record at byte ${at} of a state file chunk`);
      if (buf.length - at - 4 < length) break;
      this.record(buf, at + 4, at + 4 + length);
      at += 4 + length;
    }
    if (at < buf.length) this.keep(buf, at);
  }

  /** Bytes the pending record needs in all (its length prefix may itself be incomplete). */
  private needed(): number {
    if (!this.headerSeen) return FILE_HEADER.length;
    if (this.want > 0) return this.want;
    if (this.pendingBytes < 4) return 4;
    const head = this.pending[0]!.length >= 4 ? this.pending[0]! : Buffer.concat(this.pending);
    this.want = 4 + head.readUInt32LE(0);
    return this.want;
  }

  private keep(buf: Buffer, from: number): void {
    this.pending = [buf.subarray(from)];
    this.pendingBytes = buf.length - from;
  }

  finish(): OperatorSnapshot {
    if (this.pendingBytes > 0) throw corrupt(`the state file ends inside a record (${this.pendingBytes} byte(s) left over)`);
    return this.snap;
  }

  private record(buf: Buffer, start: number, end: number): void {
    const r = new StateReader(buf, start, end);
    const kind = r.u8();
    switch (kind) {
      case KEYED:
        this.keyGroups = {};
        this.snap.keyed = { maxParallelism: r.u32(), keyGroups: this.keyGroups };
        break;
      case ENTRIES: {
        if (!this.keyGroups) throw new Error('MR_ERR_STATE_FORMAT: an entries record before the keyed state header');
        const kg = r.u32();
        const name = r.shortString();
        const n = r.u32();
        const byState = (this.keyGroups[kg] ??= {});
        const list = (byState[name] ??= []);
        for (let i = 0; i < n; i++) {
          const key = r.value();
          list.push([key, r.value()]);
        }
        break;
      }
      case TIMERS: {
        const eventTime = r.value() as TimersSnapshot['eventTime'];
        const processingTime = r.value() as TimersSnapshot['processingTime'];
        (this.snap.timers ??= []).push({ eventTime, processingTime });
        break;
      }
      case OPERATOR:
        this.snap.operator = r.value();
        break;
      default:
        throw corrupt(`unknown record kind ${kind} in a state file`);
    }
    if (!r.done) throw corrupt(`a state record of kind ${kind} has ${end - r.at} byte(s) after its values`);
  }
}

/** A whole binary state file held in memory, decoded (tests and harnesses; restores stream the file). */
export function decodeOperatorSnapshotBuffer(file: Buffer): OperatorSnapshot {
  const d = new RecordDecoder();
  d.push(file);
  return d.finish();
}

/**
 * Decodes a state file stream, binary or JSON lines (told apart by the first byte). The stream
 * verifies size and sha256 at its end; a failure there rejects this.
 */
export async function decodeOperatorSnapshot(input: Readable): Promise<OperatorSnapshot> {
  const failure = new Promise<never>((_, reject) => input.once('error', reject));
  failure.catch(() => undefined);
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const first = await Promise.race([it.next(), failure]);
  if (first.done) return {};
  const chunk0 = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  if (chunk0[0] !== FILE_HEADER[0]) {
    // a JSON-lines file: hand it the chunk read already, then the rest of the stream
    const rest = Readable.from((async function* () {
      yield chunk0;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    })(), { objectMode: false });
    rest.on('error', () => undefined);
    return decodeJsonLines(rest, failure);
  }
  const d = new RecordDecoder();
  const feed = (c: Buffer | string) => {
    try {
      d.push(typeof c === 'string' ? Buffer.from(c) : c);
    } catch (err) {
      if (err instanceof StorageError || (err instanceof Error && err.message.startsWith('MR_ERR_STATE_FORMAT: an entries'))) throw err;
      throw corrupt(`a state record cannot be decoded (${(err as Error).message})`, err);
    }
  };
  feed(chunk0);
  for (;;) {
    const n = await Promise.race([it.next(), failure]);
    if (n.done) break;
    feed(n.value);
  }
  return d.finish();
}
