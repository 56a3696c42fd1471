// The asynchronous half of a snapshot: what an operator's synchronous capture hands over to be
// serialized in slices while the task goes on (checkpoint/async-snapshot.ts drives it).

import { FILE_HEADER } from './state-file-format.ts';

/** A piece of an operator's state file, serialized a bounded amount of work at a time. */
export interface SnapshotPart {
  /** Serializes about `budget` entries, appending finished records (state-file-format.ts) to `out`; true when done. */
  advance(budget: number, out: Buffer[]): boolean;
  /** Frees what the capture holds (copies, frozen timer buckets); called when done or abandoned. */
  release(): void;
}

/** Records already serialized in the synchronous part (operator state: small). */
export class ReadyLines implements SnapshotPart {
  private lines: Buffer[] | undefined;
  constructor(lines: Buffer[]) {
    this.lines = lines;
  }
  advance(_budget: number, out: Buffer[]): boolean {
    if (this.lines) out.push(...this.lines);
    this.lines = undefined;
    return true;
  }
  release(): void {
    this.lines = undefined;
  }
}

/** One operator's capture: its parts in file order (keyed state, timers, operator state). */
export class OperatorStateCapture {
  private readonly parts: SnapshotPart[];
  private next = 0;
  /** the file so far: its header, then the parts' records */
  private readonly lines: Buffer[];
  private released = false;
  /** the operator's own state as it was serialized (sources: their position, shown in _metadata) */
  readonly operatorState: unknown;

  constructor(parts: SnapshotPart[], operatorState?: unknown) {
    this.parts = parts;
    this.operatorState = operatorState;
    this.lines = parts.length === 0 ? [] : [FILE_HEADER];
  }

  /** Whether the operator has state to write at all (stateless operators write no file). */
  get isEmpty(): boolean {
    return this.parts.length === 0;
  }

  /** Serializes about `budget` entries; true when every part is done. */
  advance(budget: number): boolean {
    while (this.next < this.parts.length) {
      if (!this.parts[this.next]!.advance(budget, this.lines)) return false;
      this.parts[this.next]!.release();
      this.next++;
    }
    return true;
  }

  /** The state file's bytes in chunks (after advance returned true; handed over once). */
  chunks(): Buffer[] {
    return this.lines.splice(0);
  }

  /** Frees the views and frozen buckets (idempotent); the records serialized so far stay for chunks(). */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const p of this.parts) p.release();
  }

  /** Abandoned: frees everything, the records too. */
  discard(): void {
    this.release();
    this.lines.length = 0;
  }
}
