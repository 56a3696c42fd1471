import { deploymentSchema } from './deployment.ts';
import { podTemplateProblems, podTemplateSchema } from './pod-template.ts';
import { toStructuralSchema } from '../../crd-generation/openapi-schema.ts';

describe('podTemplate allowlist', () => {
  test('labels, annotations, node selection, tolerations, affinity and ordinary env pass', () => {
    const t = podTemplateSchema.parse({
      labels: { team: 'payments', 'example.com/cost-centre': '42' },
      annotations: { 'prometheus.io.example/scrape': 'true', note: 'x' },
      nodeSelector: { 'kubernetes.io/arch': 'amd64' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'stream', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
      env: [{ name: 'TZ', value: 'UTC' }, { name: 'FEATURE_FLAG', value: 'on' }],
    });
    expect(podTemplateProblems(t)).toEqual([]);
    expect(t.affinity?.nodeAffinity).toEqual({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } });
  });

  test('reserved label and annotation prefixes are refused, each named', () => {
    const t = podTemplateSchema.parse({
      labels: { 'millrace.dev/deployment': 'other', 'app.kubernetes.io/name': 'x' },
      annotations: { 'container.apparmor.security.beta.kubernetes.io/jobmanager': 'unconfined', 'iam.amazonaws.com/role': 'admin', 'k8s.io/x': 'y' },
    });
    expect(podTemplateProblems(t).map((p) => p.field)).toEqual([
      'spec.podTemplate.labels[millrace.dev/deployment]', 'spec.podTemplate.labels[app.kubernetes.io/name]',
      'spec.podTemplate.annotations[container.apparmor.security.beta.kubernetes.io/jobmanager]',
      'spec.podTemplate.annotations[iam.amazonaws.com/role]', 'spec.podTemplate.annotations[k8s.io/x]',
    ]);
  });

  test('a domain that only ends like a reserved one is not reserved', () => {
    expect(podTemplateProblems({ labels: { 'notkubernetes.io/x': 'a', 'kubernetes.io.example.com/y': 'b' } })).toEqual([]);
  });

  test.each(['NODE_OPTIONS', 'NODE_PATH', 'MILLRACE_S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL_S3', 'LD_PRELOAD', 'HTTPS_PROXY', 'https_proxy', 'SSL_CERT_FILE', 'POD_IP'])('env %s is reserved', (name) => {
    expect(podTemplateProblems({ env: [{ name: 'OK', value: '1' }, { name, value: 'x' }] })).toEqual([{ field: 'spec.podTemplate.env[1].name', message: `${name} is reserved` }]);
  });

  test('fields outside the allowlist are not part of the API (strict clients refuse them, the operator drops them)', () => {
    const d = deploymentSchema.parse({
      apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'x', namespace: 'a' },
      spec: { source: { pipeline: 'p' }, podTemplate: { securityContext: { runAsUser: 0 }, volumes: [{ hostPath: { path: '/' } }], containers: [], hostNetwork: true, resources: {} } },
    });
    expect(d.spec.podTemplate).toEqual({});
    const crd = toStructuralSchema(podTemplateSchema) as { properties: Record<string, unknown> };
    expect(Object.keys(crd.properties).sort()).toEqual(['affinity', 'annotations', 'env', 'labels', 'nodeSelector', 'serviceAccountName', 'tolerations']);
  });

  test('the CRD carries the same patterns as CEL rules', () => {
    const crd = JSON.stringify(toStructuralSchema(podTemplateSchema));
    expect(crd).toContain('self.all(k, !k.matches(');
    expect(crd).toContain('!self.name.matches(');
  });
});
