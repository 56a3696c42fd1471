import { ManualClock } from '../../../runtime/time/clock.ts';
import { KubeApiError } from '../../kube/rest-client.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import type { ReconcileContext } from './context.ts';
import {
  FORBIDDEN_REPORT_AFTER_MS, FORBIDDEN_RETRY_MS, forbiddenCondition, ForbiddenTracker, permittedAgain, rbacRefusalOf, withForbiddenReport,
} from './operator-forbidden.ts';

// The RBAC authorizer's words, as the API server wrote them on the control-plane tier.
const SA = 'system:serviceaccount:millrace-system:millrace-security-operator';
const policy403 = () => new KubeApiError(403, 'Forbidden', `networkpolicies.networking.k8s.io "unbound" is forbidden: User "${SA}" cannot patch resource "networkpolicies" in API group "networking.k8s.io" in the namespace "team-a"`);
const pods403 = () => new KubeApiError(403, 'Forbidden', `pods is forbidden: User "${SA}" cannot create resource "pods" in API group "" in the namespace "team-a"`);

describe('rbacRefusalOf', () => {
  test('reads user, verb, resource, group and namespace from the authorizer\'s 403', () => {
    expect(rbacRefusalOf(policy403())).toEqual({ user: SA, verb: 'patch', resource: 'networkpolicies', group: 'networking.k8s.io', namespace: 'team-a', message: policy403().message });
    // The client's request line in front of the API server's words is left out.
    expect(rbacRefusalOf(new KubeApiError(403, 'Forbidden', `PATCH /apis/networking.k8s.io/v1/namespaces/team-a/networkpolicies/unbound: 403 ${policy403().message}`))?.message).toBe(policy403().message);
    expect(rbacRefusalOf(new KubeApiError(403, 'Forbidden', `namespaces is forbidden: User "${SA}" cannot list resource "namespaces" in API group "" at the cluster scope`)))
      .toEqual({ user: SA, verb: 'list', resource: 'namespaces', group: '', message: expect.any(String) });
  });

  test('a quota refusal, an admission policy\'s 403, other statuses and other errors are not RBAC refusals', () => {
    expect(rbacRefusalOf(new KubeApiError(403, 'Forbidden', 'pods "x" is forbidden: exceeded quota: q, requested: cpu=1, used: cpu=4, limited: cpu=4'))).toBeUndefined();
    expect(rbacRefusalOf(new KubeApiError(403, 'Forbidden', 'pods "x" is forbidden: violates PodSecurity "restricted:latest": privileged'))).toBeUndefined();
    expect(rbacRefusalOf(new KubeApiError(422, 'Invalid', 'cannot create resource "pods"'))).toBeUndefined();
    expect(rbacRefusalOf(new Error(policy403().message))).toBeUndefined();
  });
});

describe('forbiddenCondition and permittedAgain', () => {
  test('the condition names the verb, resource, namespace, the API server\'s words and the fix', () => {
    const c = forbiddenCondition(rbacRefusalOf(pods403())!, Date.parse('2026-01-01T12:00:00Z'));
    expect(c).toMatchObject({ type: 'OperatorForbidden', status: 'True', reason: 'OperatorForbidden' });
    expect(c.message).toBe(`since 2026-01-01T12:00:00.000Z the API server refuses the operator to create pods in namespace team-a: ${pods403().message}. Fix: bind the tenant ClusterRole <release>-tenant to the operator in namespace team-a (in a namespace it made, the operator binds it again at the Namespace's next full pass, within 5 min; now: kubectl create rolebinding millrace-operator -n team-a --clusterrole=<release>-tenant --serviceaccount=millrace-system:millrace-security-operator); if it is bound, that ClusterRole lacks this right: install the chart's RBAC (rbac.create=true). Retried every 15 s`);
    expect(forbiddenCondition(rbacRefusalOf(pods403())!, 0, 'millrace-tenant').message).toContain('--clusterrole=millrace-tenant --serviceaccount=millrace-system:millrace-security-operator');
    expect(forbiddenCondition(rbacRefusalOf(policy403())!, 0).message).toContain('to patch networkpolicies (API group networking.k8s.io) in namespace team-a');
  });

  test('a True condition goes back to False once a pass goes through; otherwise nothing is added', () => {
    expect(permittedAgain([{ type: 'OperatorForbidden', status: 'True', reason: 'OperatorForbidden', message: 'm', lastTransitionTime: 'x' }])).toEqual([{ type: 'OperatorForbidden', status: 'False', reason: 'Permitted', message: "the operator's requests for this object are permitted again" }]);
    expect(permittedAgain([{ type: 'Ready', status: 'True', reason: 'Running', message: 'm', lastTransitionTime: 'x' }])).toEqual([]);
    expect(permittedAgain(undefined)).toEqual([]);
  });
});

describe('ForbiddenTracker', () => {
  test('reports only after the refusal lasted and repeated, whichever request was refused; a pass that went through starts again', () => {
    const t = new ForbiddenTracker();
    expect(t.refused('k', 0)).toEqual({ report: false, since: 0, attempts: 1 });
    expect(t.refused('k', FORBIDDEN_REPORT_AFTER_MS)).toEqual({ report: false, since: 0, attempts: 2 }); // long, but only twice
    expect(t.refused('k', FORBIDDEN_REPORT_AFTER_MS + 1)).toEqual({ report: true, since: 0, attempts: 3 });
    expect(t.refused('other', 20_000)).toEqual({ report: false, since: 20_000, attempts: 1 });
    t.permitted('k');
    expect(t.refused('k', 30_000).since).toBe(30_000);
    // Many quick refusals are not enough (a new RoleBinding not yet seen by the authorizer).
    const quick = new ForbiddenTracker();
    for (let i = 0; i < 9; i++) expect(quick.refused('q', i * 1000).report).toBe(false);
  });
});

describe('withForbiddenReport', () => {
  // A context with what the report touches: the status write, Events and the clock.
  function context() {
    const clock = new ManualClock(Date.parse('2026-01-01T12:00:00Z'));
    const statuses: Array<Record<string, unknown>> = [];
    const events: Array<{ type: string; reason: string; note: string }> = [];
    const ctx = {
      clock, fieldManager: 'millrace-operator',
      rest: { apply: async (obj: KubeObject) => { statuses.push(obj.status as Record<string, unknown>); return obj; } },
      events: { record: async (_o: KubeObject, type: string, reason: string, _action: string, note: string) => { events.push({ type, reason, note }); } },
    } as unknown as ReconcileContext;
    return { ctx, clock, statuses, events };
  }
  const deployment = (status?: Record<string, unknown>): KubeObject => ({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'unbound', namespace: 'team-a', generation: 1 }, ...(status ? { status } : {}) });

  test('thrown on (backoff) while young; then the condition, Ready False and one Warning Event, and a steady retry', async () => {
    const { ctx, clock, statuses, events } = context();
    let obj = deployment();
    const refused = () => withForbiddenReport(ctx, 'Deployment team-a/unbound', () => obj, async () => { throw pods403(); });
    await expect(refused()).rejects.toThrow(/cannot create resource "pods"/);
    clock.advance(4000);
    await expect(refused()).rejects.toThrow(/cannot create resource "pods"/);
    clock.advance(FORBIDDEN_REPORT_AFTER_MS - 4000);
    expect(statuses).toEqual([]);
    expect(await refused()).toEqual({ requeueAfterMs: FORBIDDEN_RETRY_MS });
    expect(statuses).toHaveLength(1);
    const conditions = statuses[0]!.conditions as Array<{ type: string; status: string; reason: string; message: string }>;
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([['OperatorForbidden', 'True', 'OperatorForbidden'], ['Ready', 'False', 'OperatorForbidden']]);
    expect(conditions[0]!.message).toMatch(/^since 2026-01-01T12:00:00.000Z the API server refuses the operator to create pods in namespace team-a/);
    expect(events).toEqual([{ type: 'Warning', reason: 'OperatorForbidden', note: conditions[0]!.message }]);
    // The next refused passes see their own condition: no second Event, even when another request was refused first.
    obj = deployment(statuses[0]);
    clock.advance(FORBIDDEN_RETRY_MS);
    await refused();
    clock.advance(FORBIDDEN_RETRY_MS);
    expect(await withForbiddenReport(ctx, 'Deployment team-a/unbound', () => obj, async () => { throw policy403(); })).toEqual({ requeueAfterMs: FORBIDDEN_RETRY_MS });
    expect((statuses[2]!.conditions as Array<{ message: string }>)[0]!.message).toMatch(/^since 2026-01-01T12:00:00.000Z the API server refuses the operator to patch networkpolicies/);
    expect(events).toHaveLength(1);
  });

  test('a ready object keeps Ready; other errors pass through untouched', async () => {
    const { ctx, clock, statuses } = context();
    const obj = deployment({ conditions: [{ type: 'Ready', status: 'True', reason: 'Running', message: 'job j running', lastTransitionTime: '2026-01-01T11:00:00Z' }] });
    for (let i = 0; i < 3; i++) {
      await withForbiddenReport(ctx, 'k', () => obj, async () => { throw pods403(); }).catch(() => undefined);
      clock.advance(FORBIDDEN_REPORT_AFTER_MS / 2);
    }
    const conditions = statuses[0]!.conditions as Array<{ type: string; status: string }>;
    expect(conditions.map((c) => [c.type, c.status])).toEqual([['Ready', 'True'], ['OperatorForbidden', 'True']]);
    const other = new KubeApiError(500, 'InternalError', 'etcd timeout');
    await expect(withForbiddenReport(ctx, 'k', () => obj, async () => { throw other; })).rejects.toBe(other);
  });
});
