import { queueSchema } from '../../api/v1alpha1/queue.ts';
import { desiredQueueObjects } from './desired.ts';
import { usableQueueCU } from './in-force.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Namespace', name: 'team-a', uid: 'u', controller: true, blockOwnerDeletion: true };

describe('queue objects', () => {
  test('a non-preempting PriorityClass and a ResourceQuota scoped to it, sized from CU', () => {
    const q = queueSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Queue', metadata: { name: 'etl', namespace: 'team-a' }, spec: { cu: 2.5 } });
    const queueOwner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Queue', name: 'etl', uid: 'q', controller: true, blockOwnerDeletion: true };
    const [pc, quota] = desiredQueueObjects(q, owner, queueOwner);
    expect(pc).toMatchObject({ kind: 'PriorityClass', metadata: { name: 'millrace-team-a.etl' }, preemptionPolicy: 'Never', globalDefault: false });
    expect(pc?.metadata.ownerReferences).toEqual([{ ...owner, controller: false }]);
    // The quota goes with its Queue (garbage collector): the Queue needs no finalizer.
    expect(quota?.metadata.ownerReferences).toEqual([queueOwner]);
    expect(quota?.spec).toEqual({
      hard: { 'requests.cpu': '2500m', 'limits.cpu': '2500m', 'requests.memory': '10240Mi', 'limits.memory': '10240Mi' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['millrace-team-a.etl'] }] },
    });
  });
});

describe('the CU admission may use', () => {
  test('an Active queue\'s accepted size; a QuotaRejected one keeps its last accepted size; none otherwise', () => {
    expect(usableQueueCU({ spec: { cu: 5 }, status: { phase: 'Active', acceptedCU: 5 } })).toBe(5);
    expect(usableQueueCU({ spec: { cu: 5 }, status: { phase: 'QuotaRejected', acceptedCU: 2 } })).toBe(2);
    expect(usableQueueCU({ spec: { cu: 5 }, status: { phase: 'QuotaRejected' } })).toBeUndefined();
    expect(usableQueueCU({ spec: { cu: 5 }, status: { phase: 'Pending', acceptedCU: 2 } })).toBeUndefined();
    expect(usableQueueCU(undefined)).toBeUndefined();
    // Written by an operator before status.acceptedCU existed.
    expect(usableQueueCU({ spec: { cu: 3 }, status: { phase: 'Active' } })).toBe(3);
  });
});
