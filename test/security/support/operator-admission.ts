// The chart's ValidatingAdmissionPolicy for an operator running as ServiceAccount
// `namespace/serviceAccount`: rendered by the real helm from charts/millrace (so the template and
// its name substitution are what is tested, not a copy), applied to the API server, and waited
// for until the API server enforces it (policies load asynchronously).
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../operator/kube/rest-client.ts';
import { tenantRoleName, TENANT_BINDING_NAME } from '../../../operator/rbac/operator-role.ts';
import { CHART, helm } from '../../packaging/support/helm.ts';
import { TEST_MANAGER, waitFor } from '../../operator/support/harness.ts';
import type { Cluster } from '../../operator/support/harness.ts';
import type { Identity } from './kube-identities.ts';

const ADMISSION = '/apis/admissionregistration.k8s.io/v1';
const PLURAL: Record<string, string> = { ValidatingAdmissionPolicy: 'validatingadmissionpolicies', ValidatingAdmissionPolicyBinding: 'validatingadmissionpolicybindings' };

/** The chart's policy and binding, with the release named so that its tenant role is tenantRoleName(serviceAccount). */
export async function chartAdmissionPolicy(serviceAccount: string, namespace: string): Promise<KubeObject[]> {
  const out = await helm(['template', 'security', CHART, '--namespace', namespace, '--show-only', 'templates/admission-policy.yaml',
    '--set', `fullnameOverride=${serviceAccount}`, '--set', `serviceAccount.name=${serviceAccount}`]);
  return parseAllDocuments(out).map((d) => d.toJS() as KubeObject).filter(Boolean);
}

/** The RoleBinding by which a stolen operator token would give itself its tenant rights in `namespace`. */
export const tenantBindingIn = (namespace: string, serviceAccount: { name: string; namespace: string }): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: TENANT_BINDING_NAME, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: tenantRoleName(serviceAccount.name) },
  subjects: [{ kind: 'ServiceAccount', ...serviceAccount }],
});

/**
 * Applies the chart's policy for `operator` (ServiceAccount `serviceAccount` in `namespace`) and
 * returns once the API server refuses the operator's dry-run tenant binding in kube-system.
 */
export async function applyChartAdmissionPolicy(cluster: Cluster, operator: Identity, serviceAccount: { name: string; namespace: string }): Promise<KubeObject[]> {
  const objects = await chartAdmissionPolicy(serviceAccount.name, serviceAccount.namespace);
  if (objects.map((o) => o.kind).join() !== 'ValidatingAdmissionPolicy,ValidatingAdmissionPolicyBinding') throw new Error(`the chart rendered ${objects.map((o) => o.kind).join()}, not a policy and its binding`);
  for (const obj of objects) {
    await cluster.rest.request('PATCH', `${ADMISSION}/${PLURAL[obj.kind]}/${obj.metadata.name}`, {
      body: obj, contentType: 'application/apply-patch+yaml', query: { fieldManager: TEST_MANAGER, force: 'true' },
    });
  }
  await waitFor('the operator admission policy in force', async () => {
    const err = await operator.rest.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings', {
      body: tenantBindingIn('kube-system', serviceAccount), query: { dryRun: 'All' },
    }).then(() => undefined, (e: unknown) => e);
    return err instanceof Error && err.message.includes('rolebinding-namespace') ? true : undefined;
  }, 30_000, 250);
  return objects;
}
