import { cuOfQuotaHard, cuToQuotaHard } from './compute-units.ts';
import { decideQueueQuota, defaultQueueCU } from './queue-quota.ts';

describe('a queue change is checked against the quotas in force', () => {
  test('accepted when it fits beside what the other user queues hold', () => {
    expect(decideQueueQuota({ quotaCU: 4, requestedCU: 2, othersInForceCU: [1, 1], isDefaultQueue: false })).toEqual({ accepted: true });
    expect(decideQueueQuota({ quotaCU: 4, requestedCU: 2.25, othersInForceCU: [1, 1], isDefaultQueue: false })).toEqual({ accepted: false, freeCU: 2 });
  });
  test('a refused change changes nothing else: the default-queue keeps what the accepted sizes leave', () => {
    // Namespace of 4 CU: queue etl holds 2, the default-queue the other 2. etl asks for 5.
    expect(decideQueueQuota({ quotaCU: 4, requestedCU: 5, othersInForceCU: [], isDefaultQueue: false })).toEqual({ accepted: false, freeCU: 4 });
    // etl's quota in force is still 2 (the refused 5 never reached its ResourceQuota).
    expect(defaultQueueCU(4, [2])).toBe(2);
  });
  test('the default-queue is never refused and never below 0; other queues\' pending specs do not count', () => {
    expect(decideQueueQuota({ quotaCU: 1, requestedCU: 3, othersInForceCU: [5], isDefaultQueue: true })).toEqual({ accepted: true });
    expect(defaultQueueCU(2, [1.5, 1])).toBe(0);
    // Two queues growing together: whichever is decided first takes the room, the second sees it in force.
    expect(decideQueueQuota({ quotaCU: 4, requestedCU: 2, othersInForceCU: [1], isDefaultQueue: false }).accepted).toBe(true);
    expect(decideQueueQuota({ quotaCU: 4, requestedCU: 3, othersInForceCU: [2], isDefaultQueue: false })).toEqual({ accepted: false, freeCU: 2 });
  });
  test('the size in force is read back from the ResourceQuota as the operator writes it and as the API server may normalize it', () => {
    expect(cuOfQuotaHard(cuToQuotaHard(2.5, { ephemeralStorage: false }))).toBe(2.5);
    expect(cuOfQuotaHard({ 'requests.cpu': '2' })).toBe(2);
    expect(cuOfQuotaHard({ 'requests.cpu': '1.25' })).toBe(1.25);
    expect(cuOfQuotaHard({ 'requests.cpu': '0' })).toBe(0);
    expect(cuOfQuotaHard({ 'requests.memory': '1Gi' })).toBeUndefined();
    expect(cuOfQuotaHard(undefined)).toBeUndefined();
  });
});
