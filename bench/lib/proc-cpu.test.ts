import { spawn } from 'node:child_process';
import { cpuSecondsBetween, parseProcStat, sampleTreeCpu, treeOf, type TreeCpuSample } from './proc-cpu.ts';
import { median, spreadOf } from './stats.ts';
import { windowFigures } from './window.ts';

// a /proc/<pid>/stat line: pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17) ...
const statLine = (pid: number, comm: string, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 3 0 100 1000 10 0`;

const sample = (atMs: number, ticks: Array<[number, number]>): TreeCpuSample => ({ atMs, ticksByPid: new Map(ticks) });

describe('CPU of a process tree from /proc', () => {
  test('parses a stat line whose command name holds spaces and parentheses', () => {
    expect(parseProcStat(statLine(42, 'node (worker) x', 7, 150, 50, 30, 20))).toEqual({ pid: 42, comm: 'node (worker) x', state: 'S', ppid: 7, ticks: 250, startTicks: 100 });
    expect(() => parseProcStat('garbage')).toThrow(/MR_ERR_BENCH_PROC/);
  });

  test('the tree is the root and all its descendants, not its siblings', () => {
    const stats = [statLine(1, 'init', 0, 0, 0), statLine(10, 'runner', 1, 1, 0), statLine(11, 'jobmanager', 10, 1, 0), statLine(12, 'taskmanager', 11, 1, 0), statLine(20, 'other', 1, 1, 0)].map(parseProcStat);
    expect(treeOf(10, stats).map((s) => s.pid).sort()).toEqual([10, 11, 12]);
    expect(treeOf(99, stats)).toEqual([]);
  });

  test('CPU between two samples: growth of live processes, all of a new one, and a reaped child through its parent', () => {
    const start = sample(0, [[10, 100], [11, 500], [12, 300]]);
    // 11 grew by 200 ticks; 12 exited after using 50 more (reaped: its 350 moved into 10's cutime); 13 started and used 40
    const end = sample(30_000, [[10, 100 + 5 + 350], [11, 700], [13, 40]]);
    expect(cpuSecondsBetween(start, end)).toBeCloseTo((5 + 200 + 50 + 40) / 100, 6);
  });

  test('over a window, throughput and cores use the same duration', () => {
    const figures = windowFigures(
      { atMs: 1000, events: 1_000_000, cpu: sample(1000, [[10, 0]]), channelRecords: 0 },
      { atMs: 31_000, events: 61_000_000, cpu: sample(31_000, [[10, 4500]]), channelRecords: 30_000_000 },
    );
    expect(figures).toEqual({
      seconds: 30, events: 60_000_000, eventsPerSecond: 2_000_000, cpuSeconds: 45, cores: 1.5, eventsPerSecondPerCore: 1_333_333,
      channelRecordsPerEvent: 0.5, processes: 1,
    });
    expect(() => windowFigures(
      { atMs: 0, events: 5, cpu: sample(0, []), channelRecords: null },
      { atMs: 1000, events: 5, cpu: sample(1000, []), channelRecords: null },
    )).toThrow(/MR_ERR_BENCH_WINDOW: no events/);
  });

  test('a real process tree: CPU a grandchild spends between two samples is counted, and only that', async () => {
    // a shell (the root) whose node child waits for a line, then spins until it has used 300 ms of
    // CPU by its own count, says so and idles: the tree's CPU between the samples is those 300 ms
    // (plus a little of node's own), however loaded the machine is
    const spin = "console.log('ready'); process.stdin.once('data', () => { const s = process.cpuUsage(); for (let u = process.cpuUsage(s); u.user + u.system < 300000; u = process.cpuUsage(s)) {} console.log('done'); setTimeout(() => {}, 60000); })";
    // own process group, so the shell and its node child are stopped together
    const child = spawn('sh', ['-c', `${process.execPath} -e "${spin}"`], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    try {
      const lines: string[] = [];
      const line = (text: string) => new Promise<void>((resolve) => {
        const check = () => { if (lines.join('').includes(text)) { child.stdout!.off('data', onData); resolve(); } };
        const onData = (chunk: Buffer) => { lines.push(chunk.toString()); check(); };
        child.stdout!.on('data', onData);
        check();
      });
      await line('ready');
      await new Promise((r) => setTimeout(r, 200)); // let node finish starting up
      const start = sampleTreeCpu(child.pid!);
      expect(start.ticksByPid.size).toBeGreaterThanOrEqual(2);
      const done = line('done');
      child.stdin!.write('go\n');
      await done;
      const cpu = cpuSecondsBetween(start, sampleTreeCpu(child.pid!));
      expect(cpu).toBeGreaterThanOrEqual(0.29);
      expect(cpu).toBeLessThan(0.6);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  }, 60_000);
});

describe('median and spread of runs', () => {
  test('median of odd and even counts; spread = (max − min) / median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(spreadOf([90, 100, 120])).toEqual({ runs: [90, 100, 120], median: 100, min: 90, max: 120, relativeSpread: 0.3 });
    expect(spreadOf([5]).relativeSpread).toBe(0);
    expect(() => median([])).toThrow(/MR_ERR_BENCH_STATS/);
  });
});
