import { owningDeployment } from './pod-ownership.ts';
import type { KubeObject, OwnerReference } from '../../kube/rest-client.ts';

const owner = (o: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'u1', controller: true, blockOwnerDeletion: true, ...o });
const pod = (labels: Record<string, string> | undefined, ownerReferences?: OwnerReference[]): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orders-jm-abc', namespace: 'team', labels, ownerReferences } });

describe('which Deployment a pod belongs to', () => {
  test('a pod the operator made (label and controlling owner agree) is the Deployment\'s', () => {
    expect(owningDeployment(pod({ 'millrace.dev/deployment': 'orders' }, [owner()]))).toBe('orders');
  });

  test('a pod with the label but no owner, as anyone who may create pods can make, is nobody\'s', () => {
    expect(owningDeployment(pod({ 'millrace.dev/deployment': 'orders' }))).toBeUndefined();
    expect(owningDeployment(pod({ 'millrace.dev/deployment': 'orders' }, []))).toBeUndefined();
  });

  test('an owner that is not the labelled Deployment\'s controller does not count', () => {
    const labels = { 'millrace.dev/deployment': 'orders' };
    expect(owningDeployment(pod(labels, [owner({ name: 'payments' })]))).toBeUndefined();
    expect(owningDeployment(pod(labels, [owner({ controller: false })]))).toBeUndefined();
    expect(owningDeployment(pod(labels, [owner({ controller: undefined })]))).toBeUndefined();
    // Setting blockOwnerDeletion needs update on the Deployment's finalizers (OwnerReferencesPermissionEnforcement).
    expect(owningDeployment(pod(labels, [owner({ blockOwnerDeletion: false })]))).toBeUndefined();
    expect(owningDeployment(pod(labels, [owner({ blockOwnerDeletion: undefined })]))).toBeUndefined();
    expect(owningDeployment(pod(labels, [owner({ apiVersion: 'apps/v1' })]))).toBeUndefined();
    expect(owningDeployment(pod(labels, [owner({ kind: 'StatefulSet' })]))).toBeUndefined();
  });

  test('a pod without the label is nobody\'s, whatever it names as owner', () => {
    expect(owningDeployment(pod(undefined, [owner()]))).toBeUndefined();
    expect(owningDeployment(pod({ app: 'x' }, [owner()]))).toBeUndefined();
  });
});
