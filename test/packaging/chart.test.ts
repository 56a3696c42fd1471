// The Helm chart as the real helm binary sees it: lint, rendered objects (security context,
// probes, settings as env, RBAC equal to what the operator declares in operator/rbac/*.ts),
// values rejected by values.schema.json with a message naming the value, and derived files
// (CRDs, RBAC rules, schema, Argo CD patch) in sync with their sources.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_DIR, renderChartFiles } from '../../charts/chart-files.ts';
import { valuesSchema } from '../../charts/values-schema.ts';
import { memberClusterRoles } from '../../operator/rbac/member-roles.ts';
import { isOwnNamespaceRule, operatorClusterRole, operatorTenantClusterRole } from '../../operator/rbac/operator-role.ts';
import { CHART, helm } from './support/helm.ts';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } } & Record<string, unknown>;
interface Rule { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[] }
interface Container {
  args: string[]; image: string; env: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  ports: Array<{ name: string; containerPort: number }>;
  securityContext: Record<string, unknown>; resources: unknown;
  livenessProbe: { httpGet: { path: string; port: string } }; readinessProbe: { httpGet: { path: string; port: string } }; startupProbe: { httpGet: { path: string } };
}
interface PodSpec {
  serviceAccountName: string; automountServiceAccountToken: boolean; securityContext: Record<string, unknown>;
  containers: Container[]; affinity?: unknown;
}

const RELEASE = 'chart-test';
const NAMESPACE = 'millrace-chart-test';

async function template(args: string[] = []): Promise<Obj[]> {
  const out = await helm(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...args]);
  return parseAllDocuments(out).map((d) => d.toJS() as Obj).filter(Boolean);
}

const find = (objs: Obj[], kind: string, name?: string) => {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, rendered ${found.length}`);
  return found[0] as Obj;
};
const podSpec = (objs: Obj[]) => ((find(objs, 'Deployment').spec as { template: { spec: PodSpec } }).template.spec);
const envOf = (objs: Obj[]) => Object.fromEntries((podSpec(objs).containers[0]?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

/** Rules compared as sets: order of rules and of the lists inside them does not matter. */
const canonicalRules = (rules: Rule[]) => rules.map((r) => JSON.stringify({
  apiGroups: [...(r.apiGroups ?? [])].sort(), resources: [...(r.resources ?? [])].sort(), verbs: [...r.verbs].sort(), resourceNames: [...(r.resourceNames ?? [])].sort(),
})).sort();

async function templateError(values: string[]): Promise<string> {
  try {
    await template(values.flatMap((v) => ['--set', v]));
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`helm template accepted ${values.join(' ')}`);
}

test('helm lint --strict passes', async () => {
  const out = await helm(['lint', '--strict', CHART]);
  expect(out).toContain('1 chart(s) linted, 0 chart(s) failed');
  expect(out).not.toMatch(/\[(WARNING|ERROR)\]/);
}, 60_000);

test('the derived files of the chart are in sync with their sources (npm run chart:check)', async () => {
  for (const [file, content] of await renderChartFiles()) {
    expect({ file, content: await readFile(join(CHART_DIR, file), 'utf8') }).toEqual({ file, content });
  }
  // The chart's CRDs are exactly the repository's.
  expect((await readdir(join(CHART_DIR, 'crds'))).sort()).toEqual((await readdir(new URL('../../crds/', import.meta.url))).filter((f) => f.endsWith('.yaml')).sort());
});

test('values.yaml satisfies the values schema', async () => {
  const values = parse(await readFile(join(CHART_DIR, 'values.yaml'), 'utf8')) as unknown;
  expect(valuesSchema.safeParse(values).error?.issues ?? []).toEqual([]);
});

describe('rendered with default values', () => {
  let objs: Obj[];
  beforeAll(async () => { objs = await template(); }, 60_000);

  test('the operator runs non-root on a read-only root file system with seccomp RuntimeDefault and no capabilities', () => {
    const spec = podSpec(objs);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    const container = spec.containers[0] as Container;
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } });
    expect(container.args).toEqual(['operator']);
    expect(container.image).toBe('localhost/millrace:dev');
  });

  test('only the operator pod gets a ServiceAccount token', () => {
    const sa = find(objs, 'ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(podSpec(objs)).toMatchObject({ serviceAccountName: sa.metadata.name, automountServiceAccountToken: true });
  });

  test('probes ask /healthz and /readyz on the metrics port, which the metrics Service exposes', () => {
    const container = podSpec(objs).containers[0] as Container;
    expect(container.ports).toEqual([expect.objectContaining({ name: 'http-metrics', containerPort: 8080 })]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http-metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http-metrics' });
    expect(container.startupProbe.httpGet.path).toBe('/healthz');
    const service = find(objs, 'Service') as Obj & { spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> } };
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 8080, targetPort: 'http-metrics' })]);
    const podLabels = (find(objs, 'Deployment').spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(podLabels).toMatchObject(service.spec.selector);
    expect(objs.some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });

  test('the settings reach the operator as its environment, the Lease in the release namespace', () => {
    expect(envOf(objs)).toEqual({
      POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
      MILLRACE_OPERATOR_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      MILLRACE_OPERATOR_TENANT_ROLE: `${RELEASE}-millrace-tenant`, MILLRACE_OPERATOR_PORT: '8080', MILLRACE_LEADER_ELECTION: 'true', MILLRACE_LEASE_NAME: `${RELEASE}-millrace`,
      MILLRACE_RUNTIME_IMAGE: 'localhost/millrace:dev', MILLRACE_WORKERS: '16', LOG_LEVEL: 'info',
    });
  });

  test('the operator RBAC is exactly operator/rbac/operator-role.ts: Secrets and the Lease only in the release namespace, pods and Secrets of tenants in a ClusterRole bound nowhere', () => {
    const clusterRole = find(objs, 'ClusterRole', `${RELEASE}-millrace`) as Obj & { rules: Rule[] };
    const role = find(objs, 'Role') as Obj & { rules: Rule[] };
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(role.rules.every(isOwnNamespaceRule)).toBe(true);
    expect(clusterRole.rules.some((r) => isOwnNamespaceRule(r) || (r.resources ?? []).some((x) => x === 'secrets' || x === 'services' || x === 'configmaps'))).toBe(false);
    expect(clusterRole.rules.filter((r) => r.resources?.includes('pods')).flatMap((r) => r.verbs).sort()).toEqual(['list', 'watch']);
    expect(canonicalRules([...clusterRole.rules, ...role.rules])).toEqual(canonicalRules(operatorClusterRole(`${RELEASE}-millrace`).rules as Rule[]));
    const tenant = find(objs, 'ClusterRole', `${RELEASE}-millrace-tenant`) as Obj & { rules: Rule[] };
    expect(canonicalRules(tenant.rules)).toEqual(canonicalRules(operatorTenantClusterRole().rules as Rule[]));
    expect(objs.some((o) => (o as { roleRef?: { name: string } }).roleRef?.name === tenant.metadata.name)).toBe(false);
    const sa = find(objs, 'ServiceAccount');
    for (const binding of [find(objs, 'ClusterRoleBinding'), find(objs, 'RoleBinding')] as Array<Obj & { roleRef: { name: string }; subjects: unknown[] }>) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: NAMESPACE }]);
    }
    expect((find(objs, 'ClusterRoleBinding') as Obj & { roleRef: { name: string } }).roleRef.name).toBe(clusterRole.metadata.name);
    expect((find(objs, 'RoleBinding') as Obj & { roleRef: { kind: string; name: string } }).roleRef).toMatchObject({ kind: 'Role', name: role.metadata.name });
  });

  test('the member ClusterRoles are exactly operator/rbac/member-roles.ts', () => {
    for (const expected of memberClusterRoles()) {
      const rendered = find(objs, 'ClusterRole', expected.metadata.name) as Obj & { rules: Rule[] };
      expect(canonicalRules(rendered.rules)).toEqual(canonicalRules(expected.rules as Rule[]));
      expect(rendered.metadata.annotations?.['millrace.dev/description']).toBe(expected.metadata.annotations?.['millrace.dev/description']);
    }
  });
});

test('--include-crds renders the five CRDs of crds/', async () => {
  const crds = (await template(['--include-crds'])).filter((o) => o.kind === 'CustomResourceDefinition');
  const expected = await Promise.all((await readdir(new URL('../../crds/', import.meta.url))).filter((f) => f.endsWith('.yaml'))
    .map(async (f) => parse(await readFile(new URL(`../../crds/${f}`, import.meta.url), 'utf8')) as Obj));
  expect(crds.map((c) => c.metadata.name).sort()).toEqual(expected.map((c) => c.metadata.name).sort());
  for (const crd of crds) expect(crd).toEqual(expected.find((e) => e.metadata.name === crd.metadata.name));
}, 60_000);

test('values become operator settings', async () => {
  const objs = await template(['--set', 'watchSelector=millrace.dev/operator=canary', '--set', 'workers=8', '--set', 'runtimeImage=registry.example/millrace:1.2',
    '--set', 'jobManagerUrlTemplate=http://{name}.{namespace}:8081', '--set', 'logLevel=debug', '--set', 'leaderElection.leaseName=my-lease', '--set', 'metrics.port=9090']);
  expect(envOf(objs)).toMatchObject({
    MILLRACE_WATCH_SELECTOR: 'millrace.dev/operator=canary', MILLRACE_WORKERS: '8', MILLRACE_RUNTIME_IMAGE: 'registry.example/millrace:1.2',
    MILLRACE_JOBMANAGER_URL_TEMPLATE: 'http://{name}.{namespace}:8081', LOG_LEVEL: 'debug', MILLRACE_LEASE_NAME: 'my-lease', MILLRACE_OPERATOR_PORT: '9090',
  });
  expect((podSpec(objs).containers[0] as Container).ports[0]?.containerPort).toBe(9090);
}, 60_000);

test('two replicas are spread over nodes and keep one through drains; without leader election no Lease rule is granted', async () => {
  const two = await template(['--set', 'replicas=2']);
  expect((find(two, 'Deployment').spec as { replicas: number }).replicas).toBe(2);
  expect(podSpec(two).affinity).toMatchObject({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [expect.objectContaining({ weight: 100 })] } });
  const budget = find(two, 'PodDisruptionBudget') as Obj & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } };
  expect(budget.spec.minAvailable).toBe(1);
  expect((find(two, 'Deployment').spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels).toEqual(budget.spec.selector.matchLabels);
  expect((await template()).some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  const single = await template(['--set', 'leaderElection.enabled=false']);
  expect((find(single, 'Role') as Obj & { rules: Rule[] }).rules.some((r) => r.apiGroups?.includes('coordination.k8s.io'))).toBe(false);
  expect(envOf(single).MILLRACE_LEADER_ELECTION).toBe('false');
}, 60_000);

test('optional parts: ServiceMonitor, no member roles, no RBAC, an existing ServiceAccount', async () => {
  const monitored = await template(['--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.serviceMonitor.labels.release=prometheus']);
  const monitor = find(monitored, 'ServiceMonitor') as Obj & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string }> } };
  expect(monitor.metadata.labels?.release).toBe('prometheus');
  expect(find(monitored, 'Service').metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
  expect(monitor.spec.endpoints[0]?.port).toBe('http-metrics');
  expect(await templateError(['metrics.serviceMonitor.enabled=true', 'metrics.service.enabled=false'])).toContain('metrics.serviceMonitor.enabled needs metrics.service.enabled: true');

  const bare = await template(['--set', 'memberRoles.create=false', '--set', 'rbac.create=false', '--set', 'serviceAccount.create=false', '--set', 'serviceAccount.name=ops']);
  expect(bare.map((o) => o.kind).sort()).toEqual(['Deployment', 'Service']);
  expect(podSpec(bare).serviceAccountName).toBe('ops');
}, 60_000);

test.each([
  [['replicas=2', 'leaderElection.enabled=false'], '/leaderElection/enabled'],
  [['image.pullPolicy=Sometimes'], '/image/pullPolicy'],
  [['workerz=3'], "'workerz' not allowed"],
  [['workers=0'], '/workers'],
  [['metrics.port=80'], '/metrics/port'],
  [['watchSelector=team in (a)'], '/watchSelector'],
  [['logLevel=verbose'], '/logLevel'],
  [['resources.requests.gpu=1'], "'gpu' not allowed"],
])('values %j are rejected with a message naming %s', async (values, named) => {
  const message = await templateError(values);
  expect(message).toContain("values don't meet the specifications of the schema");
  expect(message).toContain(named);
}, 60_000);
