import { apiRequestKind } from './api-request.ts';

describe('API request kinds (verb and resource, as audit logs name them)', () => {
  test('reads and lists, namespaced and cluster-scoped', () => {
    expect(apiRequestKind('GET', '/api/v1/namespaces/a/pods/p')).toEqual({ verb: 'get', resource: 'pods' });
    expect(apiRequestKind('GET', '/api/v1/namespaces/a/pods')).toEqual({ verb: 'list', resource: 'pods' });
    expect(apiRequestKind('GET', '/apis/millrace.dev/v1alpha1/deployments')).toEqual({ verb: 'list', resource: 'deployments' });
    expect(apiRequestKind('GET', '/apis/millrace.dev/v1alpha1/workspaces/w')).toEqual({ verb: 'get', resource: 'workspaces' });
  });
  test('writes, with the status subresource kept apart', () => {
    expect(apiRequestKind('PATCH', '/apis/millrace.dev/v1alpha1/namespaces/a/deployments/d/status', 'application/apply-patch+yaml')).toEqual({ verb: 'apply', resource: 'deployments/status' });
    expect(apiRequestKind('PATCH', '/apis/millrace.dev/v1alpha1/namespaces/a/queues/q', 'application/merge-patch+json')).toEqual({ verb: 'patch', resource: 'queues' });
    expect(apiRequestKind('POST', '/apis/events.k8s.io/v1/namespaces/a/events')).toEqual({ verb: 'create', resource: 'events' });
    expect(apiRequestKind('PUT', '/apis/coordination.k8s.io/v1/namespaces/s/leases/l')).toEqual({ verb: 'update', resource: 'leases' });
    expect(apiRequestKind('DELETE', '/api/v1/namespaces/x')).toEqual({ verb: 'delete', resource: 'namespaces' });
  });
  test('paths it cannot read are counted as unknown', () => {
    expect(apiRequestKind('GET', '/version')).toEqual({ verb: 'other', resource: 'unknown' });
  });
});
