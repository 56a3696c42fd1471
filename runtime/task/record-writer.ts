// Writes the records of one output edge into per-target-channel batches and hands full batches
// (or all of them at a flush) to the channels. Partitioning: forward, rebalance, hash by key group,
// broadcast, global.

import { keyGroupFor, normalizeKey, operatorIndexForKeyGroup } from '../keys/key-groups.ts';
import type { KeySelector } from '../api/functions.ts';
import { dataBuffer, eventBuffer, type ChannelWriter, type StreamBuffer } from '../network/buffers.ts';
import type { PartitionerType } from '../graph/partitioner-type.ts';

export type { PartitionerType } from '../graph/partitioner-type.ts';

export const BATCH_SIZE = 512;

export class RecordWriter {
  readonly channels: ChannelWriter[];
  private readonly type: PartitionerType;
  private readonly key: KeySelector<unknown> | undefined;
  private readonly maxParallelism: number;
  private values: unknown[][];
  private stamps: number[][];
  private next: number;
  recordsOut = 0;

  constructor(channels: ChannelWriter[], type: PartitionerType, key: KeySelector<unknown> | undefined, maxParallelism: number, subtaskIndex: number) {
    this.channels = channels;
    this.type = type;
    this.key = key;
    this.maxParallelism = maxParallelism;
    this.values = channels.map(() => []);
    this.stamps = channels.map(() => []);
    this.next = subtaskIndex % Math.max(1, channels.length);
    if (type === 'hash' && !key) throw new Error('MR_ERR_HASH_WITHOUT_KEY: a hash partitioned edge needs a key selector');
  }

  emit(value: unknown, ts: number): void {
    this.recordsOut++;
    const n = this.channels.length;
    if (this.type === 'broadcast') {
      for (let c = 0; c < n; c++) this.add(c, value, ts);
      return;
    }
    let c = 0;
    if (this.type === 'hash') {
      c = operatorIndexForKeyGroup(this.maxParallelism, n, keyGroupFor(normalizeKey(this.key!(value)), this.maxParallelism));
    } else if (this.type === 'rebalance') {
      c = this.next;
      this.next = c + 1 === n ? 0 : c + 1;
    }
    this.add(c, value, ts);
  }

  private add(c: number, value: unknown, ts: number): void {
    const vs = this.values[c]!;
    vs.push(value);
    this.stamps[c]!.push(ts);
    if (vs.length >= BATCH_SIZE) this.flushChannel(c);
  }

  private flushChannel(c: number): void {
    const vs = this.values[c]!;
    if (vs.length === 0) return;
    this.channels[c]!.write(dataBuffer(vs, this.stamps[c]!));
    this.values[c] = [];
    this.stamps[c] = [];
  }

  flush(): void {
    for (let c = 0; c < this.channels.length; c++) this.flushChannel(c);
  }

  /** True when records wait in a batch that has not been handed to its channel yet. */
  hasBufferedRecords(): boolean {
    for (const vs of this.values) if (vs.length > 0) return true;
    return false;
  }

  /** Events go after all records emitted before them, on every channel. */
  broadcastEvent(kind: number, value = 0): void {
    this.flush();
    const ev: StreamBuffer = eventBuffer(kind, value);
    for (const ch of this.channels) ch.write(ev);
  }

  /** An event to a single channel (latency markers). */
  sendEventTo(c: number, kind: number, value: number): void {
    this.flushChannel(c);
    this.channels[c]?.write(eventBuffer(kind, value));
  }

  isAvailable(): boolean {
    for (const ch of this.channels) if (!ch.isAvailable()) return false;
    return true;
  }

  async waitAvailable(): Promise<void> {
    for (const ch of this.channels) if (!ch.isAvailable()) await ch.waitAvailable();
  }

  backlog(): number {
    let n = 0;
    for (const ch of this.channels) n += ch.backlog();
    return n;
  }
}
