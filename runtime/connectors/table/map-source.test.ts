import type { PollStatus, SourceOutput, SourceReader } from '../../api/source.ts';
import { mapSource } from './map-source.ts';

// A reader written as a class: its methods live on the prototype and use `this`.
class CountingReader implements SourceReader<number> {
  private next = 0;
  pollNext(out: SourceOutput<number>, max: number): PollStatus {
    for (let i = 0; i < max && this.next < 5; i++) out.collect(this.next++);
    return this.next < 5 ? 'more' : 'end';
  }
  snapshotState(): unknown { return this.next; }
  restoreState(state: unknown): void { this.next = state as number; }
}

test('a mapped class-based reader keeps its position methods and state', () => {
  const source = mapSource({ name: 'n', bounded: true, createReader: () => new CountingReader() }, 'doubled', (n) => (n % 2 === 0 ? n * 10 : null));
  const reader = source.createReader();
  expect(reader.available).toBeUndefined();
  reader.restoreState?.(1);
  const seen: number[] = [];
  expect(reader.pollNext({ collect: (v) => seen.push(v) }, 2)).toBe('more');
  expect(reader.snapshotState?.()).toBe(3);
  expect(reader.pollNext({ collect: (v) => seen.push(v) }, 10)).toBe('end');
  expect(seen).toEqual([20, 40]);
});
