import { readFile, rm } from 'node:fs/promises';

// A server a harness started is remembered in a JSON record with its pid and the kernel's start
// time of that pid, so a reused pid is never taken for the server (and never signalled).

export interface ProcessRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat when the server started. */
  startTicks: string;
}

/** The start time of a live process in clock ticks since boot; undefined when it is gone. */
export async function startTicksOf(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return undefined; // a zombie has ended
    // field 22 counted after the parenthesised command name, which may hold spaces
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The recorded process if it still runs; a stale record is removed. */
export async function findRunningRecord<T extends ProcessRecord>(file: string): Promise<T | undefined> {
  let record: T;
  try {
    record = JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if ((await startTicksOf(record.pid)) === record.startTicks) return record;
  await rm(file, { force: true });
  return undefined;
}
