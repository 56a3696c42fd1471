// A description of the machine the figures were measured on, for bench/RESULTS.md.

import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';

export interface MachineDescription {
  readonly cpuModel: string;
  readonly logicalCpus: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly kernel: string;
  readonly node: string;
  readonly java: string;
  readonly loadAverageAtStart: readonly number[];
}

export function describeMachine(nodeBinary: string): MachineDescription {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    logicalCpus: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: readOsName(),
    kernel: `${os.type()} ${os.release()}`,
    node: safe(() => execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim()),
    java: safe(() => spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0]?.trim() || 'unknown'),
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

function readOsName(): string {
  return safe(() => {
    const text = execFileSync('cat', ['/etc/os-release'], { encoding: 'utf8' });
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'unknown';
  });
}

function safe(read: () => string): string {
  try {
    return read();
  } catch {
    return 'unknown';
  }
}
