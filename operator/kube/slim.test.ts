import type { KubeObject } from './rest-client.ts';
import { slimPod, stripBookkeeping } from './slim.ts';

const pod = (): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: 'd-jm-1', namespace: 'ns', uid: 'u1', resourceVersion: '42', labels: { 'millrace.dev/deployment': 'd' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', keep: 'me' },
    managedFields: [{ manager: 'millrace-operator', fieldsV1: { f: 1 } }],
    ownerReferences: [{ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'd', uid: 'o1' }],
    deletionTimestamp: '2026-01-01T00:00:00Z',
  },
  spec: {
    containers: [{ name: 'jobmanager', image: 'millrace:dev', resources: { limits: { cpu: '250m' } }, env: [{ name: 'X', value: 'y' }], args: ['a'] }],
    volumes: [{ name: 'config' }], securityContext: { runAsUser: 10001 }, nodeSelector: { a: 'b' },
  },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }], containerStatuses: [{ name: 'jobmanager', ready: false, restartCount: 2, image: 'x', imageID: 'y', state: { waiting: { reason: 'ImagePullBackOff' } } }] },
});

describe('objects are slimmed before they enter an informer cache', () => {
  test('managedFields and the last-applied annotation go, everything else stays', () => {
    const o = stripBookkeeping(pod());
    expect(o.metadata.managedFields).toBeUndefined();
    expect(o.metadata.annotations).toEqual({ keep: 'me' });
    expect((o.spec as { volumes: unknown[] }).volumes).toHaveLength(1);
  });

  test('a pod keeps what the controllers read: labels, deletion, container resources, phase and container states', () => {
    const o = slimPod(pod());
    expect(o.metadata).toMatchObject({ name: 'd-jm-1', namespace: 'ns', uid: 'u1', resourceVersion: '42', labels: { 'millrace.dev/deployment': 'd' }, deletionTimestamp: '2026-01-01T00:00:00Z' });
    expect(o.metadata.ownerReferences?.[0]?.uid).toBe('o1');
    expect(o.spec).toEqual({ nodeName: undefined, priorityClassName: undefined, containers: [{ name: 'jobmanager', image: 'millrace:dev', resources: { limits: { cpu: '250m' } } }] });
    const status = o.status as { phase: string; containerStatuses: unknown[] };
    expect(status.phase).toBe('Pending');
    expect(status.containerStatuses).toEqual([{ name: 'jobmanager', ready: false, restartCount: 2, state: { waiting: { reason: 'ImagePullBackOff' } }, lastState: undefined }]);
    expect(o.metadata.annotations).toBeUndefined();
    expect(JSON.stringify(o)).not.toContain('managedFields');
  });
});
