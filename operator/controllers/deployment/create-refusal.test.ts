import { KubeApiError } from '../../kube/rest-client.ts';
import { classifyCreateError, rejectionCondition } from './create-refusal.ts';

describe('refusals of pod and Service creation', () => {
  test('a queue quota refusal is waited out; Pod Security, other 403s and 422s are rejections with the API server\'s message', () => {
    expect(classifyCreateError(new KubeApiError(403, 'Forbidden', 'POST /api/v1/namespaces/a/pods: 403 pods "d-jm-1" is forbidden: exceeded quota: millrace-queue-etl, requested: cpu=1'), 'Pod d-jm-1')).toMatchObject({ kind: 'quota' });
    const psa = classifyCreateError(new KubeApiError(403, 'Forbidden', 'POST /api/v1/namespaces/a/pods: 403 pods "d-jm-1" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true'), 'Pod d-jm-1');
    expect(psa).toEqual({ kind: 'rejected', object: 'Pod d-jm-1', status: 403, message: expect.stringContaining('violates PodSecurity') });
    expect(classifyCreateError(new KubeApiError(422, 'Invalid', 'Service "d" is invalid: spec.ports[0].port: Invalid value'), 'Service d')).toMatchObject({ kind: 'rejected', status: 422 });
    expect(classifyCreateError(new KubeApiError(409, 'AlreadyExists', 'exists'), 'Pod p')).toEqual({ kind: 'exists' });
    expect(classifyCreateError(new KubeApiError(500, 'InternalError', 'etcd'), 'Pod p')).toBeUndefined();
    expect(classifyCreateError(new Error('socket hang up'), 'Pod p')).toBeUndefined();
  });

  test('an RBAC refusal of the operator itself (its RoleBinding not yet seen by the authorizer) is retried with backoff, not a rejection', () => {
    const rbac = new KubeApiError(403, 'Forbidden', 'POST /api/v1/namespaces/a/pods: 403 pods is forbidden: User "system:serviceaccount:millrace-system:millrace" cannot create resource "pods" in API group "" in the namespace "a"');
    expect(classifyCreateError(rbac, 'Pod d-jm-1')).toBeUndefined();
    expect(rbac.transient).toBe(true);
    expect(new KubeApiError(403, 'Forbidden', 'pods "p" is forbidden: violates PodSecurity "restricted:latest"').transient).toBe(false);
  });

  test('the condition names the object and carries the message', () => {
    expect(rejectionCondition({ object: 'Pod d-jm-1', status: 403, message: 'violates PodSecurity' })).toMatchObject({ reason: 'PodRejected', message: expect.stringContaining('refused Pod d-jm-1 (HTTP 403): violates PodSecurity') });
    expect(rejectionCondition({ object: 'Service d', status: 422, message: 'invalid' }).reason).toBe('ServiceRejected');
  });
});
