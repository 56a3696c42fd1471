import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { cacheRoot } from './layout.ts';

// One cluster operation at a time on this machine: parallel jest workers and a person's
// shell may all ask for the cluster at once. A lock held by a dead process is taken over.

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function withClusterLock<T>(action: () => Promise<T>): Promise<T> {
  const dir = join(cacheRoot(), 'cluster.lock');
  await mkdir(cacheRoot(), { recursive: true });
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), String(process.pid));
      break;
    } catch {
      const owner = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => '0'));
      if (owner > 0 && !alive(owner)) await rm(dir, { recursive: true, force: true });
      else await sleep(200);
    }
  }
  try {
    return await action();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
