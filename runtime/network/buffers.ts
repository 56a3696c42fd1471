// What flows through a channel: batches of records (values + timestamps) and in-band events
// (watermarks, idleness, end of partition, latency markers; checkpoint barriers come next).
// Events keep their place between data buffers, which is what aligned checkpoints need.

export const DATA = 0;
export const WATERMARK = 1;
export const END_OF_PARTITION = 2;
export const IDLE = 3;
export const ACTIVE = 4;
export const LATENCY_MARKER = 5;
/** Reserved for aligned checkpoint barriers (value = checkpoint id). */
export const BARRIER = 6;

export interface StreamBuffer {
  readonly kind: number;
  readonly values: unknown[];
  readonly timestamps: number[];
  /** watermark, marker creation time (epoch ms) or checkpoint id, depending on kind */
  readonly value: number;
}

const NONE: unknown[] = [];
const NO_TS: number[] = [];

export const dataBuffer = (values: unknown[], timestamps: number[]): StreamBuffer => ({ kind: DATA, values, timestamps, value: 0 });
export const eventBuffer = (kind: number, value = 0): StreamBuffer => ({ kind, values: NONE, timestamps: NO_TS, value });

/** Sender side of one channel. write never blocks: it queues; callers honour isAvailable(). */
export interface ChannelWriter {
  write(buffer: StreamBuffer): void;
  isAvailable(): boolean;
  waitAvailable(): Promise<void>;
  /** buffers waiting for credit */
  backlog(): number;
  close(): void;
}

/** Receiver side of one channel: poll returns the next buffer and gives its credit back. */
export interface ChannelReader {
  poll(): StreamBuffer | undefined;
  setListener(listener: () => void): void;
  close(): void;
}

/** Number of data buffers a receiver takes per channel before it must return credit. */
export const INITIAL_CREDIT = 4;
/** Buffers a sender may hold back for lack of credit before its task counts as backpressured. */
export const BACKLOG_LIMIT = 2;
