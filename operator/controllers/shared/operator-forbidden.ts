// The operator's own request refused by RBAC (issue 14). Such a 403 is retried with backoff
// (rest-client.ts: the operator's RoleBinding in a namespace it just made reaches the authorizer a
// moment later), so a refusal that lasts was once visible only in the operator's log. Once the
// passes of one object have been refused for FORBIDDEN_REPORT_AFTER_MS (and at least
// FORBIDDEN_REPORT_AFTER_ATTEMPTS times), the object gets the condition OperatorForbidden naming
// the verb, resource, namespace and the API server's words with the fix, one Warning Event when
// it is first reported, and a steady retry every FORBIDDEN_RETRY_MS; the first pass that goes through clears it.
import type { Condition } from '../../api/v1alpha1/meta.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import type { ReconcileResult } from '../../kube/controller-runner.ts';
import { isRbacRefusal, KubeApiError } from '../../kube/rest-client.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { serviceAccountOf } from '../../rbac/operator-identity.ts';
import { TENANT_BINDING_NAME } from '../../rbac/operator-role.ts';
import type { ReconcileContext } from './context.ts';
import { writeStatus } from './lifecycle.ts';

export const FORBIDDEN_CONDITION = 'OperatorForbidden';
/** Longer than a new RoleBinding takes to reach the authorizer, even on a loaded API server. */
export const FORBIDDEN_REPORT_AFTER_MS = 10_000;
export const FORBIDDEN_REPORT_AFTER_ATTEMPTS = 3;
/** Once reported, how often the object is tried again (instead of a backoff growing to minutes). */
export const FORBIDDEN_RETRY_MS = 15_000;

/** What the RBAC authorizer refused, read from its 403 message. */
export interface RbacRefusal {
  user: string;
  verb: string;
  resource: string;
  /** API group ('' for the core group). */
  group: string;
  /** undefined: at the cluster scope. */
  namespace?: string;
  /** The API server's message, as it gave it. */
  message: string;
}

const REFUSAL = /User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)")?/;

/** The RBAC refusal in an API error (a 403 that is not a quota's or an admission policy's), or undefined (pure). */
export function rbacRefusalOf(err: unknown): RbacRefusal | undefined {
  if (!(err instanceof KubeApiError) || !isRbacRefusal(err.status, err.message)) return undefined;
  const m = REFUSAL.exec(err.message);
  if (!m) return undefined;
  // The API server's own words, without the client's "PATCH /path: 403 " in front.
  const message = err.message.replace(/^[A-Z]+ \S+: 403 /, '');
  return { user: m[1] ?? '', verb: m[2] ?? '', resource: m[3] ?? '', group: m[4] ?? '', ...(m[5] ? { namespace: m[5] } : {}), message };
}

/** The OperatorForbidden condition for a refusal that lasted since `since` (pure). tenantRole: the chart's tenant ClusterRole, when known. */
export function forbiddenCondition(r: RbacRefusal, since: number, tenantRole?: string): ConditionInput {
  const what = `${r.verb} ${r.resource}${r.group ? ` (API group ${r.group})` : ''} ${r.namespace ? `in namespace ${r.namespace}` : 'at the cluster scope'}`;
  const sa = serviceAccountOf(r.user);
  const role = tenantRole ?? '<release>-tenant';
  const byHand = sa ? `; now: kubectl create rolebinding ${TENANT_BINDING_NAME} -n ${r.namespace} --clusterrole=${role} --serviceaccount=${sa.namespace}:${sa.name}` : '';
  // Events keep 1,000 characters of it: the fix stays short.
  const fix = r.namespace
    ? `Fix: bind the tenant ClusterRole ${role} to the operator in namespace ${r.namespace} (in a namespace it made, the operator binds it again at the Namespace's next full pass, within 5 min${byHand}); if it is bound, that ClusterRole lacks this right: install the chart's RBAC (rbac.create=true)`
    : `Fix: the operator's ClusterRole lacks this right: install the chart's RBAC (rbac.create=true), or grant it to ${r.user}`;
  return {
    type: FORBIDDEN_CONDITION, status: 'True', reason: 'OperatorForbidden',
    message: `since ${new Date(since).toISOString()} the API server refuses the operator to ${what}: ${r.message}. ${fix}. Retried every ${FORBIDDEN_RETRY_MS / 1000} s`,
  };
}

/** The condition back to False once a pass went through, if it was True (pure; [] otherwise). */
export function permittedAgain(conditions: readonly Condition[] | undefined): ConditionInput[] {
  const c = conditions?.find((x) => x.type === FORBIDDEN_CONDITION);
  return c?.status === 'True' ? [{ type: FORBIDDEN_CONDITION, status: 'False', reason: 'Permitted', message: "the operator's requests for this object are permitted again" }] : [];
}

/**
 * Per object: since when its passes are refused, and how many times (in memory: a restart counts
 * again). Whatever request was refused: one pass sends several at once and the first refusal to
 * arrive varies, so the episode lasts until a pass goes through.
 */
export class ForbiddenTracker {
  private readonly seen = new Map<string, { since: number; attempts: number }>();

  /** Records a refused pass; whether it is time to report it, and since when it lasts. */
  refused(key: string, now: number): { report: boolean; since: number; attempts: number } {
    const before = this.seen.get(key);
    const entry = before ? { since: before.since, attempts: before.attempts + 1 } : { since: now, attempts: 1 };
    this.seen.set(key, entry);
    return { report: entry.attempts >= FORBIDDEN_REPORT_AFTER_ATTEMPTS && now - entry.since >= FORBIDDEN_REPORT_AFTER_MS, since: entry.since, attempts: entry.attempts };
  }

  permitted(key: string): void {
    this.seen.delete(key);
  }
}

const trackers = new WeakMap<object, ForbiddenTracker>();
export function forbiddenTrackerOf(ctx: object): ForbiddenTracker {
  let t = trackers.get(ctx);
  if (!t) { t = new ForbiddenTracker(); trackers.set(ctx, t); }
  return t;
}

/**
 * Runs one pass of the object `current()` returns. An RBAC refusal of the operator's own request
 * is thrown on (retried with backoff) until it lasted long enough; then it is reported on the
 * object (condition, and a Warning Event when the condition was not already True) and the
 * object is looked at again every FORBIDDEN_RETRY_MS. The pass itself clears the condition
 * (permittedAgain) in the status it writes.
 */
export async function withForbiddenReport(ctx: ReconcileContext, key: string, current: () => KubeObject | undefined, pass: () => Promise<ReconcileResult>): Promise<ReconcileResult> {
  const tracker = forbiddenTrackerOf(ctx);
  try {
    const result = await pass();
    tracker.permitted(key);
    return result;
  } catch (err) {
    const refusal = rbacRefusalOf(err);
    const raw = refusal ? current() : undefined;
    if (!refusal || !raw || raw.metadata.deletionTimestamp) throw err;
    const seen = tracker.refused(key, ctx.clock.now());
    if (!seen.report) throw err;
    const condition = forbiddenCondition(refusal, seen.since, ctx.operatorTenantAccess?.tenantRole);
    const status = (raw.status ?? {}) as { conditions?: Condition[] };
    const before = status.conditions?.find((c) => c.type === FORBIDDEN_CONDITION);
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    // Ready says so too, unless the object is ready anyway (a running job the operator cannot manage keeps running).
    const inputs: ConditionInput[] = [condition, ...(ready?.status === 'True' ? [] : [{ type: 'Ready', status: 'False' as const, reason: 'OperatorForbidden', message: condition.message }])];
    const generation = raw.metadata.generation;
    await writeStatus(ctx, raw, { ...status, conditions: setConditions(status.conditions, inputs, generation, new Date(ctx.clock.now())) });
    // One Event when the refusal is first reported (the request refused first may vary from pass to pass).
    if (before?.status !== 'True') await ctx.events.record(raw, 'Warning', 'OperatorForbidden', 'Reconcile', condition.message);
    return { requeueAfterMs: FORBIDDEN_RETRY_MS };
  }
}
