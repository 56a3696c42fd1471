import { cuToQuotaHard, cuToResources, sumCU } from './compute-units.ts';
import { deploymentSize } from './deployment-size.ts';

describe('CU sizing', () => {
  test('1 CU is 1 core, 4 GiB memory and 20 GB ephemeral storage', () => {
    expect(cuToResources(1)).toEqual({ cpu: '1000m', memory: '4096Mi', 'ephemeral-storage': '20G' });
  });
  test('fractions in steps of 0.25 map to exact quantities', () => {
    expect(cuToResources(0.25)).toEqual({ cpu: '250m', memory: '1024Mi', 'ephemeral-storage': '5G' });
    expect(cuToResources(2.75)).toEqual({ cpu: '2750m', memory: '11264Mi', 'ephemeral-storage': '55G' });
  });
  test('a CU value off the 0.25 grid is refused', () => {
    expect(() => cuToResources(0.3)).toThrow(/MR_ERR_INVALID_RESOURCE/);
    expect(() => cuToResources(-1)).toThrow(/MR_ERR_INVALID_RESOURCE/);
  });
  test('quota hard limits set requests and limits alike', () => {
    expect(cuToQuotaHard(3)).toEqual({
      'requests.cpu': '3000m', 'limits.cpu': '3000m',
      'requests.memory': '12288Mi', 'limits.memory': '12288Mi',
      'requests.ephemeral-storage': '60G', 'limits.ephemeral-storage': '60G',
    });
  });
  test('sums do not drift', () => {
    expect(sumCU(Array.from({ length: 40 }, () => 0.25))).toBe(10);
  });
  test('TaskManager count is ceil(parallelism / slots) and the whole deployment is counted', () => {
    expect(deploymentSize({ parallelism: 5, jobManager: { cu: 0.5 }, taskManager: { cu: 1.25, slots: 2 } }))
      .toEqual({ taskManagers: 3, standby: 0, requiredCU: 4.25 });
    expect(deploymentSize({ parallelism: 1, jobManager: { cu: 1 }, taskManager: { cu: 1, slots: 4 } }))
      .toEqual({ taskManagers: 1, standby: 0, requiredCU: 2 });
  });
  test('standby TaskManagers are whole pods on top of what the parallelism needs, and their CU are counted', () => {
    // parallelism 4 on 2 slots: 2 TaskManagers, plus 1 standby = 3 pods of 1.5 CU, plus the JobManager's 0.5.
    expect(deploymentSize({ parallelism: 4, jobManager: { cu: 0.5 }, taskManager: { cu: 1.5, slots: 2, standby: 1 } }))
      .toEqual({ taskManagers: 3, standby: 1, requiredCU: 5 });
    expect(deploymentSize({ parallelism: 1, jobManager: { cu: 1 }, taskManager: { cu: 0.25, slots: 1, standby: 3 } }))
      .toEqual({ taskManagers: 4, standby: 3, requiredCU: 2 });
  });
});
