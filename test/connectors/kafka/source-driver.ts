// Drives a Kafka source reader by hand, as the source task does (poll, await available()), so
// tests can snapshot and restore it at chosen points.
import type { Source, SourceReader } from '../../../runtime/api/source.ts';

export interface Driven<T> {
  reader: SourceReader<T>;
  out: T[];
}

export async function openReader<T>(source: Source<T>, subtaskIndex: number, parallelism: number, restored?: unknown[]): Promise<Driven<T>> {
  const reader = source.createReader();
  await reader.open?.({ subtaskIndex, parallelism, attempt: restored ? 1 : 0, startTime: Date.now(), now: () => Date.now() });
  if (restored) reader.restoreStates!(restored);
  return { reader, out: [] };
}

/** Polls until `done(out)` holds, the input ends, or `timeoutMs` passes; returns how it stopped. */
export async function pollUntil<T>(d: Driven<T>, done: (out: readonly T[]) => boolean, timeoutMs = 20_000): Promise<'done' | 'end' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  const output = { collect: (v: T) => void d.out.push(v) };
  for (;;) {
    if (done(d.out)) return 'done';
    if (Date.now() > deadline) return 'timeout';
    const status = d.reader.pollNext(output, 100);
    if (status === 'end') return 'end';
    if (status === 'wait') await Promise.race([d.reader.available!(), new Promise((r) => setTimeout(r, 200))]);
  }
}
