// TaskManager loss by heartbeats when the JobManager's own event loop blocks (importing a job
// module takes seconds on a loaded machine), with a manual clock: the checks run every
// HEARTBEAT_CHECK_INTERVAL_MS while the loop is free, one check runs late after a block, and
// the heartbeats that waited meanwhile are read only after that check.
import { HeartbeatSilence } from './heartbeat-silence.ts';
import { HEARTBEAT_CHECK_INTERVAL_MS, ResourceManager } from './resource-manager.ts';

const TIMEOUT_MS = 5000;

function cluster() {
  let now = 1_000_000;
  const lost: string[] = [];
  const rm = new ResourceManager({ now: () => now }, TIMEOUT_MS, (tm) => lost.push(tm.id));
  rm.register('tm-0', 'http://tm-0', [{ index: 0, address: 'a:1' }], 1);
  /** `ms` of free event loop: checks every interval, a heartbeat every second from the TaskManagers in `alive` */
  const run = (ms: number, alive: string[]) => {
    for (let t = 0; t < ms; t += HEARTBEAT_CHECK_INTERVAL_MS) {
      now += HEARTBEAT_CHECK_INTERVAL_MS;
      if (now % 1000 === 0) for (const id of alive) rm.heartbeat(id, { user: 0, system: 0 });
      rm.checkHeartbeats();
    }
  };
  /** the event loop blocked for `ms`: then the late check runs first, the waiting heartbeats after it */
  const block = (ms: number, alive: string[]) => {
    now += ms;
    rm.checkHeartbeats();
    for (const id of alive) rm.heartbeat(id, { user: 0, system: 0 });
  };
  return { rm, lost, run, block };
}

test('a live TaskManager is not lost when the JobManager itself was blocked for longer than the timeout', () => {
  const c = cluster();
  c.run(3000, ['tm-0']);
  c.block(6000, ['tm-0']);
  c.block(7000, ['tm-0']);
  c.run(10_000, ['tm-0']);
  expect(c.lost).toEqual([]);
});

test('a dead TaskManager is found after the timeout of listening, blocks of the JobManager in between', () => {
  const c = cluster();
  c.run(2000, ['tm-0']);
  // it dies now; the JobManager is blocked twice meanwhile, and listens for 4.5 s in all
  c.run(2000, []);
  c.block(6000, []);
  c.run(2000, []);
  expect(c.lost).toEqual([]);
  c.block(3000, []);
  c.run(1000, []);
  expect(c.lost).toEqual(['tm-0']);
});

test('a TaskManager silent while the JobManager listens is lost after the timeout, as before', () => {
  const c = cluster();
  c.run(2000, ['tm-0']);
  c.run(5000, []);
  expect(c.lost).toEqual([]);
  c.run(1000, []);
  expect(c.lost).toEqual(['tm-0']);
});

test('HeartbeatSilence: the jitter of a busy machine is heard time, a late check is deaf time', () => {
  const s = new HeartbeatSilence(500);
  expect(s.checked(0)).toBe(0);
  const mark = s.mark();
  expect(s.checked(900)).toBe(0); // 400 ms late: jitter
  expect(s.silenceMs(900, 0, mark)).toBe(900);
  expect(s.checked(7400)).toBe(6000); // 6 s late: blocked
  expect(s.silenceMs(7400, 0, mark)).toBe(900 + 500);
  expect(s.silenceMs(7400, 7400, s.mark())).toBe(0);
});
