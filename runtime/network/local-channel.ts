// A channel between two tasks in the same thread: buffers are handed over as objects (no
// serialization), with the same credit discipline as a network channel so backpressure behaves
// the same locally and remotely.

import { BACKLOG_LIMIT, DATA, INITIAL_CREDIT, type ChannelReader, type ChannelWriter, type StreamBuffer } from './buffers.ts';

export class LocalChannel implements ChannelWriter, ChannelReader {
  private readonly queue: StreamBuffer[] = [];
  private readonly pending: StreamBuffer[] = [];
  private credits: number;
  private listener: (() => void) | undefined;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(credits = INITIAL_CREDIT) {
    this.credits = credits;
  }

  write(buffer: StreamBuffer): void {
    if (this.closed) return;
    if (this.pending.length === 0 && (buffer.kind !== DATA || this.credits > 0)) this.deliver(buffer);
    else this.pending.push(buffer);
  }

  private deliver(buffer: StreamBuffer): void {
    if (buffer.kind === DATA) this.credits--;
    this.queue.push(buffer);
    if (this.queue.length === 1) this.listener?.();
  }

  poll(): StreamBuffer | undefined {
    const b = this.queue.shift();
    if (b && b.kind === DATA) {
      this.credits++;
      while (this.pending.length > 0 && (this.pending[0]!.kind !== DATA || this.credits > 0)) this.deliver(this.pending.shift()!);
      if (this.pending.length < BACKLOG_LIMIT && this.waiters.length > 0) {
        const ws = this.waiters;
        this.waiters = [];
        for (const w of ws) w();
      }
    }
    return b;
  }

  setListener(listener: () => void): void {
    this.listener = listener;
    if (this.queue.length > 0) listener();
  }

  isAvailable(): boolean {
    return this.pending.length < BACKLOG_LIMIT;
  }

  waitAvailable(): Promise<void> {
    if (this.isAvailable() || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  backlog(): number {
    return this.pending.length;
  }

  close(): void {
    this.closed = true;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}
