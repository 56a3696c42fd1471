// `millrace jobmanager --job …` (application mode, what a JobManager pod runs) and a separate
// `millrace taskmanager` process: the job starts as soon as slots are offered and finishes.

import { jest } from '@jest/globals';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNexmarkGenerator } from '../../runtime/connectors/nexmark/index.ts';
import { JobClient } from '../../runtime/local/job-client.ts';
import { q2 } from '../../examples/nexmark/reference/index.ts';
import { MILLRACE_BIN } from '../../runtime/local/process-cluster.ts';

jest.setTimeout(60_000);
const Q2 = fileURLToPath(new URL('../../examples/nexmark/q2.ts', import.meta.url));

test('a JobManager in application mode runs its job on TaskManagers that register later', async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'appmode-'));
  // its own checkpoint storage, not the user's default directory
  const storage = mkdtempSync(path.join(os.tmpdir(), 'appmode-storage-'));
  const children: ChildProcess[] = [];
  try {
    const jm = fork(MILLRACE_BIN, ['jobmanager', '--host', '127.0.0.1', '--port', '0', '--checkpoint-storage', storage, '--job', Q2, '--parallelism', '2', '--set', 'events=20000', '--set', `out=${out}`], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    children.push(jm);
    const url = await new Promise<string>((resolve) => jm.on('message', (m: { type: string; url: string }) => m.type === 'listening' && resolve(m.url)));
    const client = new JobClient(url);
    const jobs = async () => ((await (await fetch(`${url}/jobs`)).json()) as { jobs: Array<{ id: string; status: string }> }).jobs;
    let list = await jobs();
    for (let i = 0; i < 50 && list.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      list = await jobs();
    }
    expect(list).toHaveLength(1);
    expect(list[0]!.status).toBe('CREATED'); // waiting for slots
    children.push(fork(MILLRACE_BIN, ['taskmanager', '--jobmanager', url, '--slots', '2', '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }));
    const done = await client.waitForTerminal(list[0]!.id, 30_000);
    expect(done.state).toBe('FINISHED');
    const rows = readdirSync(out).filter((f) => f.startsWith('part-')).flatMap((f) => readFileSync(path.join(out, f), 'utf8').split('\n').filter(Boolean));
    const g = createNexmarkGenerator({ events: 20000 });
    const expected = q2(Array.from({ length: 20000 }, (_, i) => g.eventAt(i)));
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((r) => JSON.parse(r) as object)).toEqual(expect.arrayContaining(expected));
    expect(rows).toHaveLength(expected.length);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    for (const dir of [out, storage]) rmSync(dir, { recursive: true, force: true });
  }
});
