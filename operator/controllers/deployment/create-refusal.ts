// What the API server's refusal to create a Deployment's pod, Service or configuration means
// (pure). A queue quota refusal (403 "exceeded quota") is waited out: the quota's usage lags
// behind pods that are gone. Any other 403 (Pod Security, an admission policy, a namespace being
// terminated) and a 422/400 (an invalid object) will not pass by retrying the same request: they
// go on the Deployment's status with the API server's own message.
import { isRbacRefusal, KubeApiError } from '../../kube/rest-client.ts';

export type CreateRefusal =
  | { kind: 'exists' }
  | { kind: 'quota'; message: string }
  | { kind: 'rejected'; object: string; status: number; message: string };

/** The refusal, or undefined for errors that are not a refusal (network, 5xx: retried with backoff). */
export function classifyCreateError(err: unknown, object: string): CreateRefusal | undefined {
  if (!(err instanceof KubeApiError)) return undefined;
  if (err.status === 409) return { kind: 'exists' };
  if (err.status === 403 && /exceeded quota/i.test(err.message)) return { kind: 'quota', message: err.message };
  // The operator's own RoleBinding not yet seen by the authorizer: retried with backoff, not the Deployment's fault.
  if (isRbacRefusal(err.status, err.message)) return undefined;
  if (err.status === 403 || err.status === 422 || err.status === 400) return { kind: 'rejected', object, status: err.status, message: err.message };
  return undefined;
}

/** The Ready condition's reason and message for a rejected object. */
export function rejectionCondition(r: { object: string; status: number; message: string }): { reason: string; message: string } {
  const reason = r.object.startsWith('Service') ? 'ServiceRejected' : r.object.startsWith('Pod') ? 'PodRejected' : 'ObjectRejected';
  return { reason, message: `the API server refused ${r.object} (HTTP ${r.status}): ${r.message}. Nothing of this deployment runs; the operator tries again every ${REJECTION_RETRY_MS / 1000} s and on every change of the spec` };
}

export const REJECTION_RETRY_MS = 30_000;
