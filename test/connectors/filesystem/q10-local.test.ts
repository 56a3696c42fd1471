// Nexmark q10 (partitioned filesystem sink with partition commit) on a local directory: every bid
// lands once in the partition directory of its minute, every partition has its _SUCCESS file.

import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { expectedQ10, q10Script } from './nexmark-q10.ts';

test('Nexmark q10 writes each bid into dt=/hm= partitions and commits each partition with _SUCCESS', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-q10-'));
  await runSqlFile(q10Script(dir), { parallelism: 2 });
  const want = expectedQ10();
  expect(want.size).toBeGreaterThan(2);
  const got = new Map<string, string[]>();
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\/part-[^/]+\.csv$/.test(f)) continue;
    const part = path.dirname(f);
    got.set(part, [...(got.get(part) ?? []), ...readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l !== '')]);
  }
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [part, lines] of want) {
    expect(got.get(part)!.sort()).toEqual([...lines].sort());
    expect(existsSync(path.join(dir, part, '_SUCCESS'))).toBe(true);
  }
  expect((readdirSync(dir, { recursive: true }) as string[]).filter((f) => path.basename(f).startsWith('.'))).toEqual([]);
}, 60_000);
