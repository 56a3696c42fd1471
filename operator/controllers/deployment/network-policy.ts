// The NetworkPolicy of a Deployment (pure): its JobManager and TaskManager pods accept traffic
// only from the same Deployment's pods, from the operator's pods, and from the API server (whose
// service proxy is how members reach a JobManager, under RBAC). Everything else in the cluster,
// another tenant's pods above all, is refused by the network plugin before any request is read.
// Egress stays open: jobs reach their sources, sinks and S3.
import type { Deployment } from '../../api/v1alpha1/deployment.ts';
import type { KubeObject, OwnerReference } from '../../kube/rest-client.ts';
import { LABELS, MANAGED_BY } from '../shared/context.ts';
import { JOBMANAGER_REST_PORT } from './desired.ts';

export const networkPolicyName = (name: string) => `${name}-ingress`;
/** Labels of the operator's pods (charts/millrace/templates/_helpers.tpl, selectorLabels). */
export const OPERATOR_POD_LABELS = { 'app.kubernetes.io/component': 'operator' } as const;
/**
 * Labels of the console's pods (charts/millrace/templates/_console-helpers.tpl): the members' path
 * to a JobManager (read-only REST after an access review as the user), admitted to its REST port only.
 */
export const CONSOLE_POD_LABELS = { 'app.kubernetes.io/component': 'console' } as const;

export interface NetworkPolicyOptions {
  owner: OwnerReference;
  /** Namespace the operator's pods run in. */
  operatorNamespace: string;
  /** Addresses of the API server (the endpoints of default/kubernetes). */
  apiServerAddresses: readonly string[];
}

export function desiredNetworkPolicy(d: Deployment, o: NetworkPolicyOptions): KubeObject {
  const name = d.metadata.name;
  const deploymentPods = { matchLabels: { [LABELS.deployment]: name } };
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: networkPolicyName(name), namespace: d.metadata.namespace, labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.deployment]: name }, ownerReferences: [o.owner] },
    spec: {
      podSelector: deploymentPods,
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: deploymentPods }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': o.operatorNamespace } }, podSelector: { matchLabels: { ...OPERATOR_POD_LABELS } } }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': o.operatorNamespace } }, podSelector: { matchLabels: { ...CONSOLE_POD_LABELS } } }], ports: [{ protocol: 'TCP', port: JOBMANAGER_REST_PORT }] },
        ...(o.apiServerAddresses.length > 0 ? [{ from: [...new Set(o.apiServerAddresses)].sort().map((ip) => ({ ipBlock: { cidr: ip.includes(':') ? `${ip}/128` : `${ip}/32` } })) }] : []),
      ],
    },
  };
}

/** The API server's addresses from the Endpoints of default/kubernetes (the operator may get only that one). */
export function apiServerAddressesOf(endpoints: KubeObject | undefined): string[] {
  const subsets = (endpoints as { subsets?: Array<{ addresses?: Array<{ ip?: string }> }> } | undefined)?.subsets ?? [];
  return subsets.flatMap((s) => (s.addresses ?? []).map((a) => a.ip ?? '')).filter((ip) => ip !== '');
}
