import { describeFault, planFaults } from './fault-plan.ts';
import { faultSeed, seededRandom } from './seeded-random.ts';

const options = { taskManagerKills: 5, jobManagerKills: 1, taskManagers: 2, minDelayMs: 1000, maxDelayMs: 4000 };

describe('a fault plan', () => {
  test('is the same for the same seed, so a failing run can be replayed', () => {
    expect(planFaults(seededRandom(7), options)).toEqual(planFaults(seededRandom(7), options));
    const others = [1, 2, 3, 4, 5].map((seed) => JSON.stringify(planFaults(seededRandom(seed), options)));
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  test('has the asked number of TaskManager and JobManager kills, targets and delays in range', () => {
    for (let seed = 0; seed < 50; seed++) {
      const plan = planFaults(seededRandom(seed), options);
      expect(plan).toHaveLength(6);
      expect(plan.filter((f) => f.target.role === 'jobmanager')).toHaveLength(1);
      for (const fault of plan) {
        expect(fault.delayMs).toBeGreaterThanOrEqual(1000);
        expect(fault.delayMs).toBeLessThanOrEqual(4000);
        if (fault.target.role === 'taskmanager') expect([0, 1]).toContain(fault.target.index);
      }
    }
  });

  test('puts the JobManager kill at different places for different seeds', () => {
    const places = new Set(Array.from({ length: 40 }, (_, seed) => planFaults(seededRandom(seed), options).findIndex((f) => f.target.role === 'jobmanager')));
    expect(places.size).toBeGreaterThan(2);
  });

  test('refuses impossible options with a message naming the field', () => {
    expect(() => planFaults(seededRandom(1), { ...options, taskManagers: 0 })).toThrow(/MR_ERR_FAULT_PLAN: taskManagers/);
    expect(() => planFaults(seededRandom(1), { ...options, minDelayMs: 5000 })).toThrow(/minDelayMs <= maxDelayMs/);
  });

  test('reads as a sentence in the test log', () => {
    expect(describeFault({ delayMs: 1200, target: { role: 'taskmanager', index: 1 } })).toBe('SIGKILL TaskManager 1 1200 ms after the job runs');
    expect(describeFault({ delayMs: 900, target: { role: 'jobmanager' } })).toBe('SIGKILL JobManager 900 ms after the job runs');
  });
});

describe('the fault seed', () => {
  test('comes from MILLRACE_FAULT_SEED when set, else is fresh', () => {
    expect(faultSeed({ MILLRACE_FAULT_SEED: '1234' })).toBe(1234);
    expect(faultSeed({}, () => 99)).toBe(99);
    expect(() => faultSeed({ MILLRACE_FAULT_SEED: 'abc' })).toThrow(/MR_ERR_FAULT_SEED: MILLRACE_FAULT_SEED must be an integer/);
  });
});
