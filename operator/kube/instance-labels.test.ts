import { InstanceLabellingClient } from './instance-labels.ts';
import type { KubeObject } from './rest-client.ts';
import type { KubeClient } from './unchanged-apply.ts';

// The API server stands in as a recorder: what is under test is what would be sent.
function recorder(): KubeClient & { sent: KubeObject[] } {
  const sent: KubeObject[] = [];
  const keep = async (obj: KubeObject) => { sent.push(obj); return obj; };
  return { sent, create: keep, apply: keep } as unknown as KubeClient & { sent: KubeObject[] };
}

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', labels: { app: 'x' } } };
const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } };

describe('pods carry the labels of the operator instance that created them', () => {
  test('created and applied pods get the instance labels; other kinds and status writes are left as they are', async () => {
    const inner = recorder();
    const client = new InstanceLabellingClient(inner, { 'millrace.dev/operator': 'canary' });
    await client.create(pod);
    await client.apply(pod, 'op');
    await client.apply(pod, 'op', 'status');
    await client.create(configMap);
    expect(inner.sent.map((o) => o.metadata.labels)).toEqual([
      { app: 'x', 'millrace.dev/operator': 'canary' }, { app: 'x', 'millrace.dev/operator': 'canary' }, { app: 'x' }, undefined,
    ]);
    expect(pod.metadata.labels).toEqual({ app: 'x' });
  });
  test('without a watch selector nothing is added', async () => {
    const inner = recorder();
    await new InstanceLabellingClient(inner, {}).create(pod);
    expect(inner.sent[0]).toBe(pod);
  });
});
