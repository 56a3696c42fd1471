import { deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import { apiServerAddressesOf, desiredNetworkPolicy } from './network-policy.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const d = deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' }, spec: { source: { pipeline: 'p' } } });

describe('the NetworkPolicy of a Deployment', () => {
  test("selects the Deployment's pods and admits only its own pods, the operator, the console (JobManager REST port only) and the API server", () => {
    const np = desiredNetworkPolicy(d, { owner, operatorNamespace: 'millrace-system', apiServerAddresses: ['10.0.0.2', '10.0.0.1', '10.0.0.2', 'fd00::1'] });
    expect(np).toMatchObject({ kind: 'NetworkPolicy', metadata: { name: 'orders-ingress', namespace: 'team-a', ownerReferences: [owner] } });
    expect(np.spec).toEqual({
      podSelector: { matchLabels: { 'millrace.dev/deployment': 'orders' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { 'millrace.dev/deployment': 'orders' } } }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'millrace-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/component': 'operator' } } }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'millrace-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/component': 'console' } } }], ports: [{ protocol: 'TCP', port: 8081 }] },
        { from: [{ ipBlock: { cidr: '10.0.0.1/32' } }, { ipBlock: { cidr: '10.0.0.2/32' } }, { ipBlock: { cidr: 'fd00::1/128' } }] },
      ],
    });
  });

  test('without known API server addresses there is no ipBlock rule (never an empty from, which would admit everyone)', () => {
    const np = desiredNetworkPolicy(d, { owner, operatorNamespace: 'ops', apiServerAddresses: [] });
    const ingress = (np.spec as { ingress: Array<{ from: unknown[] }> }).ingress;
    expect(ingress).toHaveLength(3);
    for (const rule of ingress) expect(rule.from.length).toBeGreaterThan(0);
  });

  test('API server addresses come from the Endpoints of default/kubernetes', () => {
    expect(apiServerAddressesOf({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes' }, subsets: [{ addresses: [{ ip: '192.168.1.5' }], ports: [{ port: 6443 }] }] } as never)).toEqual(['192.168.1.5']);
    expect(apiServerAddressesOf(undefined)).toEqual([]);
  });
});
