// The console's pure deciders: capacity and the FIFO waiting list, actions (permission,
// applicability, the change), records/s from cumulative counts, the spec difference.
import { namespaceView, queueViews } from './capacity.ts';
import { actionChange, actionNotApplicable, actionPermission } from './deployment-actions.ts';
import { age, durationText } from './format.ts';
import { RateTracker } from './rates.ts';
import { specDiff } from './spec-diff.ts';

const meta = (name: string, created: string) => ({ name, namespace: 'team-a', creationTimestamp: created });
const dep = (name: string, created: string, status: Record<string, unknown>, queue?: string) =>
  ({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: meta(name, created), spec: queue ? { queue } : {}, status });
const queue = (name: string, cu: number, status: Record<string, unknown>) => ({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Queue', metadata: meta(name, '2026-01-01T00:00:00Z'), spec: { cu }, status });

test('queues show CU, used and free, and their waiting deployments in the order they queued', () => {
  const views = queueViews([queue('batch', 2, { acceptedCU: 2, usedCU: 1.5 }), queue('default-queue', 1, { acceptedCU: 1, usedCU: 1 })], [
    dep('late', '2026-01-01T00:00:00Z', { phase: 'Queued', queuedSince: '2026-01-01T00:05:00Z', requiredCU: 2 }),
    dep('early', '2026-01-01T00:03:00Z', { phase: 'Queued', queuedSince: '2026-01-01T00:04:00Z', requiredCU: 1.5 }),
    dep('running', '2026-01-01T00:00:00Z', { phase: 'Running' }),
    dep('other-queue', '2026-01-01T00:00:00Z', { phase: 'Queued', queuedSince: '2026-01-01T00:01:00Z' }, 'batch'),
  ]);
  expect(views.map((q) => q.name)).toEqual(['default-queue', 'batch']);
  expect(views[0]).toMatchObject({ capacity: 1, used: 1, free: 0, waiting: [{ name: 'early', requiredCU: 1.5 }, { name: 'late', requiredCU: 2 }] });
  expect(views[1]).toMatchObject({ capacity: 2, used: 1.5, free: 0.5, waiting: [{ name: 'other-queue' }] });
});

test('a namespace shows its accepted quota (not a refused spec) and what is free of it', () => {
  const ns = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Namespace', metadata: { name: 'team-a' }, spec: { workspace: 'ws', quotaCU: 8 }, status: { acceptedQuotaCU: 4, allocatedCU: 3, usedCU: 2.25, kubernetesNamespace: 'team-a' } };
  expect(namespaceView(ns, [], [])).toMatchObject({ name: 'team-a', workspace: 'ws', capacity: 4, allocated: 3, used: 2.25, free: 1.75, queues: [] });
});

test('actions need patch on the Deployment, a savepoint needs create on savepoints', () => {
  const d = { namespace: 'team-a', name: 'orders' };
  expect(actionPermission('suspend', d)).toEqual({ verb: 'patch', group: 'millrace.dev', resource: 'deployments', namespace: 'team-a', name: 'orders' });
  expect(actionPermission('savepoint', d)).toEqual({ verb: 'create', group: 'millrace.dev', resource: 'savepoints', namespace: 'team-a' });
});

test('actions apply only in states where they mean something', () => {
  const running = { namespace: 'n', name: 'd', state: 'running', phase: 'Running' };
  const suspended = { namespace: 'n', name: 'd', state: 'suspended', phase: 'Suspended' };
  expect(actionNotApplicable('start', running)).toMatch(/already/);
  expect(actionNotApplicable('start', suspended)).toBeUndefined();
  expect(actionNotApplicable('suspend', suspended)).toMatch(/suspended/);
  expect(actionNotApplicable('savepoint', { ...running, phase: 'Starting' })).toMatch(/Running job/);
  expect(actionNotApplicable('savepoint', running)).toBeUndefined();
  expect(actionNotApplicable('cancel', { ...running, state: 'cancelled' })).toMatch(/already cancelled/);
});

test('each action makes one Kubernetes change; bad input is refused naming the field', () => {
  const d = { namespace: 'team-a', name: 'orders', state: 'running', phase: 'Running' };
  expect(actionChange('suspend', d, {})).toEqual({ kind: 'mergePatch', patch: { spec: { state: 'suspended' } } });
  expect(actionChange('parallelism', d, { parallelism: '3' })).toEqual({ kind: 'mergePatch', patch: { spec: { parallelism: 3 } } });
  expect(() => actionChange('parallelism', d, { parallelism: '0' })).toThrow(expect.objectContaining({ code: 'MR_ERR_CONSOLE_REQUEST_INVALID', message: expect.stringContaining('parallelism') }));
  expect(actionChange('restore', d, { savepointName: 'orders-abc' })).toEqual({ kind: 'mergePatch', patch: { spec: { state: 'running', restore: { strategy: 'savepoint', savepointName: 'orders-abc' } } } });
  expect(() => actionChange('restore', d, { savepointName: '../x' })).toThrow(expect.objectContaining({ code: 'MR_ERR_CONSOLE_REQUEST_INVALID' }));
  expect(actionChange('savepoint', d, {})).toEqual({ kind: 'create', object: expect.objectContaining({ kind: 'Savepoint', metadata: { generateName: 'orders-', namespace: 'team-a' }, spec: { deployment: 'orders', origin: 'userRequest' } }) });
});

test('records per second come from the difference of two samples; a restart (lower counts) starts over', () => {
  let now = 0;
  const rates = new RateTracker(() => now);
  expect(rates.observe('job/v1', { recordsIn: 100, recordsOut: 50 })).toEqual({ inPerSecond: null, outPerSecond: null });
  now = 2_000;
  expect(rates.observe('job/v1', { recordsIn: 1_100, recordsOut: 250 })).toEqual({ inPerSecond: 500, outPerSecond: 100 });
  now = 3_000;
  expect(rates.observe('job/v1', { recordsIn: 10, recordsOut: 5 })).toEqual({ inPerSecond: null, outPerSecond: null });
});

test('the spec difference lists changed field paths with both values', () => {
  expect(specDiff({ parallelism: 1, state: 'running', source: { sql: 'a' } }, { parallelism: 2, state: 'running', source: { sql: 'a' }, queue: 'q' }))
    .toEqual([{ path: 'parallelism', running: '1', desired: '2' }, { path: 'queue', running: undefined, desired: '"q"' }]);
  expect(specDiff({ a: 1 }, { a: 1 })).toEqual([]);
});

test('ages read like kubectl', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  expect(age('2026-01-01T23:59:15Z', now)).toBe('45s');
  expect(age('2026-01-01T23:00:00Z', now)).toBe('60m');
  expect(age('2026-01-01T00:00:00Z', now)).toBe('24h');
  expect(age(undefined, now)).toBe('');
});

test('durations read in the unit a person expects', () => {
  expect([durationText(850), durationText(12_345), durationText(240_000), durationText(12_600_000), durationText(60_935_605_395), durationText(null)]).toEqual(['850 ms', '12.3 s', '4 min', '3.5 h', '705 d', '']);
});
