import { KeyedLock } from './capacity-lock.ts';

describe('one capacity decision at a time per namespace', () => {
  test('runs for one key never overlap and keep their order; other keys run alongside', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let releaseFirst = () => {};
    const first = lock.run('ns-a', async () => { log.push('a1 start'); await new Promise<void>((r) => { releaseFirst = r; }); log.push('a1 end'); return 1; });
    const second = lock.run('ns-a', async () => { log.push('a2'); return 2; });
    const other = lock.run('ns-b', async () => { log.push('b1'); return 3; });
    expect(await other).toBe(3);
    expect(log).toEqual(['a1 start', 'b1']);
    releaseFirst();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    expect(lock.size).toBe(0);
  });
  test('a run that throws releases the lock for the next', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('ns', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await lock.run('ns', async () => 'next')).toBe('next');
    expect(lock.size).toBe(0);
  });
});
