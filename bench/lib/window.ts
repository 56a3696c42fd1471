// One measured window of a run (pure): events counted by the system's sources and CPU seconds of
// every process of the system, both sampled at the window's start and end, so throughput and CPU
// are over exactly the same span.

import { cpuSecondsBetween, type TreeCpuSample } from './proc-cpu.ts';

export interface WindowSample {
  /** performance.now() when the events were counted (the CPU sample follows within a millisecond) */
  readonly atMs: number;
  /** events the sources emitted so far */
  readonly events: number;
  readonly cpu: TreeCpuSample;
  /** records tasks received over channels so far (non-source tasks' input), when the system reports it */
  readonly channelRecords: number | null;
}

export interface WindowFigures {
  readonly seconds: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly cpuSeconds: number;
  /** CPU seconds / seconds: cores busy on average */
  readonly cores: number;
  readonly eventsPerSecondPerCore: number;
  /** records received over channels per source event in the window; null when not measured */
  readonly channelRecordsPerEvent: number | null;
  /** processes of the system at the window's end (by pid) */
  readonly processes: number;
}

export function windowFigures(start: WindowSample, end: WindowSample): WindowFigures {
  const seconds = (end.atMs - start.atMs) / 1000;
  const events = end.events - start.events;
  if (seconds <= 0) throw new Error(`MR_ERR_BENCH_WINDOW: the window ends (${end.atMs}) before it starts (${start.atMs})`);
  if (events <= 0) throw new Error(`MR_ERR_BENCH_WINDOW: no events in a window of ${seconds.toFixed(1)} s (${start.events} -> ${end.events}): the job made no progress`);
  const cpuSeconds = cpuSecondsBetween(start.cpu, end.cpu);
  const cores = cpuSeconds / seconds;
  const channel = start.channelRecords !== null && end.channelRecords !== null ? (end.channelRecords - start.channelRecords) / events : null;
  return {
    seconds: round(seconds, 3),
    events,
    eventsPerSecond: round(events / seconds),
    cpuSeconds: round(cpuSeconds, 2),
    cores: round(cores, 3),
    eventsPerSecondPerCore: cores > 0 ? round(events / cpuSeconds) : 0,
    channelRecordsPerEvent: channel === null ? null : round(channel, 4),
    processes: end.cpu.ticksByPid.size,
  };
}

function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
