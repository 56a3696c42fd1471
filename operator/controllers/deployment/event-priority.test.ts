import { deploymentEventPriority } from './event-priority.ts';
import { WorkQueue } from '../../kube/work-queue.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { ManualClock } from '../../../runtime/time/clock.ts';

const deployment = (name: string, generation: number, observedGeneration?: number, deleting = false): KubeObject => ({
  apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment',
  metadata: { name, namespace: 'team', generation, ...(deleting ? { deletionTimestamp: '2026-12-08T00:00:00Z' } : {}) },
  ...(observedGeneration !== undefined ? { status: { observedGeneration } } : {}),
});

describe('priority of a Deployment event', () => {
  test('a new Deployment, a new generation and a deletion are new work (high)', () => {
    expect(deploymentEventPriority('add', deployment('a', 1))).toBe('high');
    expect(deploymentEventPriority('update', deployment('a', 3, 2))).toBe('high');
    expect(deploymentEventPriority('update', deployment('a', 2, 2, true))).toBe('high');
    expect(deploymentEventPriority('delete', deployment('a', 2, 2))).toBe('high');
  });

  test('a Deployment whose spec is already reconciled, as the initial list brings thousands, is a follow-up (low)', () => {
    expect(deploymentEventPriority('add', deployment('a', 4, 4))).toBe('low');
    expect(deploymentEventPriority('update', deployment('a', 4, 4))).toBe('low');
  });

  test('after a restart, a Deployment applied (or changed) now is handed out before the 10,000 of the initial list', async () => {
    const q = new WorkQueue({ clock: new ManualClock(), random: () => 0.5 });
    for (let i = 0; i < 10_000; i++) q.add(`team/settled-${i}`, deploymentEventPriority('add', deployment(`settled-${i}`, 1, 1)));
    // One changed while the operator was down, one applied after it started.
    q.add('team/changed', deploymentEventPriority('add', deployment('changed', 2, 1)));
    q.add('team/new', deploymentEventPriority('add', deployment('new', 1)));
    expect(await q.get()).toBe('team/changed');
    expect(await q.get()).toBe('team/new');
    // The settled ones follow, in list order.
    expect(await q.get()).toBe('team/settled-0');
    expect(q.depthByPriority).toEqual({ high: 0, low: 9_999 });
  });
});
