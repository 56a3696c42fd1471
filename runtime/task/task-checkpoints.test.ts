import { KeyedProcessFunction, type KeyedProcessContext } from '../api/functions.ts';
import { BARRIER } from '../network/buffers.ts';
import { KeyedProcessOperator } from '../operators/process-operators.ts';
import { MapOperator } from '../operators/simple-operators.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { ManualClock } from '../time/clock.ts';
import { TaskCheckpoints } from './task-checkpoints.ts';
import type { TaskCheckpointSnapshot } from './task-spec.ts';

/** Keeps a timer per element: keyed state the checkpoint must carry. */
class Timers extends KeyedProcessFunction<string, string, string> {
  processElement(_v: string, ctx: KeyedProcessContext<string>): void {
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()!);
  }
}

async function setup() {
  const clock = new ManualClock(0);
  const keyed = await new OperatorHarness(new KeyedProcessOperator(new Timers() as never, (v) => v as string)).open();
  const map = await new OperatorHarness(new MapOperator((v) => v)).open();
  for (let i = 0; i < 3; i++) keyed.processElement(`k${i}`, 100 + i);
  const events: Array<[number, number]> = [];
  const done: TaskCheckpointSnapshot[] = [];
  const mail: Array<() => void> = [];
  // the yield between serialization slices is where the task would run: tests step it by hand
  const slices: Array<() => void> = [];
  const checkpoints = new TaskCheckpoints({
    taskName: 'window (1/1)', vertexId: 'v1', parallelism: 1, subtaskIndex: 0,
    operators: [keyed.operator, map.operator], uids: ['keyed', 'map'],
    barrierOut: { broadcastEvent: (kind, value) => events.push([kind, value]) },
    clock, slices: { sliceMs: 2, stepEntries: 256, now: () => clock.now(), yieldNow: () => new Promise((resolve) => slices.push(resolve)) },
    onCheckpoint: (s) => done.push(s), runInTask: (a) => mail.push(a),
  });
  const step = async (): Promise<void> => {
    for (let i = 0; i < 100 && slices.length > 0; i++) {
      slices.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { clock, checkpoints, events, done, mail, step };
}

describe('task checkpoints', () => {
  test('the barrier leaves at once; the serialized state of the stateful operators is handed over afterwards', async () => {
    const { checkpoints, events, done, mail, step } = await setup();
    checkpoints.perform(7, 12);
    expect(events).toEqual([[BARRIER, 7]]);
    expect(checkpoints.lastCheckpointId).toBe(7);
    expect(checkpoints.inFlightIds()).toEqual([7]);
    expect(done).toEqual([]);
    await step();
    expect(done).toHaveLength(1);
    const s = done[0]!;
    expect([s.checkpointId, s.vertexId, s.subtaskIndex, s.alignmentMs]).toEqual([7, 'v1', 0, 12]);
    // the stateless map operator contributes nothing
    expect(s.states.map((o) => o.operatorUid)).toEqual(['keyed']);
    expect(s.states[0]!.keyGroupRange).toBeDefined();
    expect(Buffer.concat(s.states[0]!.chunks).length).toBeGreaterThan(0);
    expect(checkpoints.inFlightIds()).toEqual([]);
    expect(mail).toEqual([]);
  });

  test('an aborted checkpoint stops serializing and is never handed over; others go on', async () => {
    const { checkpoints, done, step } = await setup();
    checkpoints.perform(1, 0);
    checkpoints.perform(2, 0);
    checkpoints.abort(1);
    checkpoints.abort(99); // unknown: nothing happens
    expect(checkpoints.inFlightIds()).toEqual([2]);
    await step();
    expect(done.map((s) => s.checkpointId)).toEqual([2]);
    checkpoints.perform(3, 0);
    checkpoints.abortAll();
    await step();
    expect(done.map((s) => s.checkpointId)).toEqual([2]);
    expect(checkpoints.inFlightIds()).toEqual([]);
  });
});
