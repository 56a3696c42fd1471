import { queueSchema } from '../../api/v1alpha1/queue.ts';
import { desiredQueueObjects } from './desired.ts';
import { queueFits } from './reconciler.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Namespace', name: 'team-a', uid: 'u', controller: true, blockOwnerDeletion: true };

describe('queue objects', () => {
  test('a non-preempting PriorityClass and a ResourceQuota scoped to it, sized from CU', () => {
    const q = queueSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Queue', metadata: { name: 'etl', namespace: 'team-a' }, spec: { cu: 2.5 } });
    const queueOwner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Queue', name: 'etl', uid: 'q', controller: true, blockOwnerDeletion: true };
    const [pc, quota] = desiredQueueObjects(q, owner, queueOwner);
    expect(pc).toMatchObject({ kind: 'PriorityClass', metadata: { name: 'millrace-team-a-etl' }, preemptionPolicy: 'Never', globalDefault: false });
    expect(pc?.metadata.ownerReferences).toEqual([{ ...owner, controller: false }]);
    // The quota goes with its Queue (garbage collector): the Queue needs no finalizer.
    expect(quota?.metadata.ownerReferences).toEqual([queueOwner]);
    expect(quota?.spec).toEqual({
      hard: { 'requests.cpu': '2500m', 'limits.cpu': '2500m', 'requests.memory': '10240Mi', 'limits.memory': '10240Mi' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['millrace-team-a-etl'] }] },
    });
  });
  test('user queues fit in creation order; the default-queue never counts against them', () => {
    const qs = [
      { name: 'default-queue', creationTimestamp: '2026-01-01T00:00:00Z', cu: 4 },
      { name: 'a', creationTimestamp: '2026-01-01T00:01:00Z', cu: 3 },
      { name: 'b', creationTimestamp: '2026-01-01T00:02:00Z', cu: 2 },
    ];
    expect(queueFits(4, qs, 'a')).toEqual({ fits: true, freeCU: 4 });
    expect(queueFits(4, qs, 'b')).toEqual({ fits: false, freeCU: 1 });
    expect(queueFits(4, qs, 'default-queue')).toEqual({ fits: true, freeCU: 1 });
  });
});
