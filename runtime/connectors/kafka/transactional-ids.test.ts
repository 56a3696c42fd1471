import { checkPrefix, recoveryPlan, transactionalId, type KafkaSinkState } from './transactional-ids.ts';

const state = (subtask: number, nextSeq: number, pending: Array<[number, number]>): KafkaSinkState => ({
  v: 1, subtask, nextSeq, pending: pending.map(([seq, checkpointId]) => ({ transactionalId: transactionalId('p', subtask, seq), checkpointId })),
});

describe('exactly-once Kafka sink: transactional ids and recovery', () => {
  test('a fresh subtask fences its own ids from 1', () => {
    expect(recoveryPlan([], 3)).toEqual({ commit: [], probe: [{ subtask: 3, fromSeq: 1 }] });
  });

  test('a restored subtask commits the checkpoint\'s pre-committed transactions in order and fences from the next number', () => {
    const plan = recoveryPlan([state(0, 8, [[7, 12], [6, 11]])], 0);
    expect(plan.commit.map((c) => c.transactionalId)).toEqual(['p-0-6', 'p-0-7']);
    expect(plan.probe).toEqual([{ subtask: 0, fromSeq: 8 }]);
  });

  test('after a scale-down a subtask takes over the transactions and ids of the old subtasks it got', () => {
    const plan = recoveryPlan([state(1, 4, [[3, 9]]), state(3, 2, [])], 1);
    expect(plan.commit.map((c) => c.transactionalId)).toEqual(['p-1-3']);
    expect(plan.probe).toEqual([{ subtask: 1, fromSeq: 4 }, { subtask: 3, fromSeq: 2 }]);
    // a subtask that got only another index's state still fences its own ids
    expect(recoveryPlan([state(2, 5, [])], 0).probe).toEqual([{ subtask: 2, fromSeq: 5 }, { subtask: 0, fromSeq: 1 }]);
  });

  test('state of another version and bad prefixes are refused with the fix', () => {
    expect(() => recoveryPlan([{ pending: [] }], 0)).toThrow(/MR_ERR_KAFKA_STATE/);
    expect(() => checkPrefix(undefined, 'Kafka sink')).toThrow(/needs transactionalIdPrefix/);
    expect(() => checkPrefix('a b', 'Kafka sink')).toThrow(/letters, digits/);
    expect(checkPrefix('team-a.orders_1', 'Kafka sink')).toBe('team-a.orders_1');
  });
});
