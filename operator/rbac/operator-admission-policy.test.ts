import { parseAllDocuments } from 'yaml';
import { CHART, helm } from '../../test/packaging/support/helm.ts';
import { CHART_PLACEHOLDERS, operatorAdmissionPolicySpec } from './operator-admission-policy.ts';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown>; subjects?: Array<{ name: string; namespace: string }>; roleRef?: { name: string } };

const scope = { serviceAccount: { name: 'millrace', namespace: 'millrace-system' }, tenantRole: 'millrace-tenant' };

test('each rule is refused with a message that starts with its name', () => {
  const spec = operatorAdmissionPolicySpec(scope) as { validations: Array<{ message: string; messageExpression?: string; reason: string }> };
  expect(spec.validations.map((v) => v.message.split(':')[0])).toEqual(['namespace-made-by-operator', 'namespace-labels', 'namespace-owner', 'rolebinding-namespace', 'rolebinding-role', 'tenant-binding-subject', 'millrace-create', 'millrace-spec-unchanged', 'millrace-delete', 'priorityclass-own']);
  for (const v of spec.validations) {
    expect(v.reason).toBe('Forbidden');
    if (v.messageExpression) expect(v.messageExpression.startsWith(`'${v.message}; ' + `)).toBe(true);
  }
});

test('only the operator ServiceAccount is judged, and names cannot break out of their CEL string', () => {
  const spec = operatorAdmissionPolicySpec(scope) as { matchConditions: Array<{ expression: string }> };
  expect(spec.matchConditions).toEqual([{ name: 'operator-service-account', expression: "request.userInfo.username == 'system:serviceaccount:millrace-system:millrace'" }]);
  expect(() => operatorAdmissionPolicySpec({ ...scope, tenantRole: "x' || true || '" })).toThrow(/is not a Kubernetes name/);
});

test("the chart's policy names the ServiceAccount and tenant role that the chart's own RBAC uses", async () => {
  const out = await helm(['template', 'rel', CHART, '--namespace', 'ops']);
  const objs = parseAllDocuments(out).map((d) => d.toJS() as Obj).filter(Boolean);
  const policy = objs.find((o) => o.kind === 'ValidatingAdmissionPolicy');
  const binding = objs.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
  const crb = objs.find((o) => o.kind === 'ClusterRoleBinding' && o.roleRef?.name === 'rel-millrace');
  const tenant = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name.endsWith('-tenant'));
  expect(binding?.spec).toEqual({ policyName: policy?.metadata.name, validationActions: ['Deny'] });
  const sa = crb?.subjects?.[0];
  expect(sa).toMatchObject({ namespace: 'ops' });
  expect(policy?.spec).toEqual(operatorAdmissionPolicySpec({ serviceAccount: { name: sa!.name, namespace: 'ops' }, tenantRole: tenant!.metadata.name }));
  expect(JSON.stringify(policy)).not.toContain('__OPERATOR_');
  for (const off of ['rbac.admissionPolicy=false', 'rbac.create=false']) expect(await helm(['template', 'rel', CHART, '--namespace', 'ops', '--set', off])).not.toContain('ValidatingAdmissionPolicy');
}, 60_000);

test('the chart file keeps placeholders the template replaces', () => {
  expect(JSON.stringify(operatorAdmissionPolicySpec(CHART_PLACEHOLDERS))).toContain("'system:serviceaccount:__OPERATOR_NAMESPACE__:__OPERATOR_SERVICE_ACCOUNT__'");
});
