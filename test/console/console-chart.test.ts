// The chart's console component as the real helm renders it: off by default; with
// console.enabled a Deployment running `millrace console`, its Service, and a ServiceAccount
// bound to exactly the rules of operator/console/rbac.ts (which the browser test runs the console with).
import { parseAllDocuments } from 'yaml';
import { consoleRules } from '../../operator/console/rbac.ts';
import { CHART, helm } from '../packaging/support/helm.ts';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };
const template = async (args: string[]) => parseAllDocuments(await helm(['template', 'rel', CHART, '--namespace', 'millrace-system', ...args])).map((d) => d.toJS() as Obj).filter(Boolean);

test('the console is off by default and renders a Deployment, Service and its own RBAC when enabled', async () => {
  const off = await template([]);
  expect(off.filter((o) => o.metadata.name.endsWith('-console'))).toEqual([]);

  const on = await template(['--set', 'console.enabled=true', '--set', 'console.draftsStorage=s3://ws-bucket']);
  const named = on.filter((o) => o.metadata.name === 'rel-millrace-console');
  expect(named.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Service', 'ServiceAccount']);
  const dep = named.find((o) => o.kind === 'Deployment') as Obj & { spec: { template: { spec: { serviceAccountName: string; containers: Array<{ args: string[]; env: Array<{ name: string; value: string }>; securityContext: { readOnlyRootFilesystem: boolean } }> } } } };
  const pod = dep.spec.template.spec;
  expect(pod.serviceAccountName).toBe('rel-millrace-console');
  expect(pod.containers[0]!.args).toEqual(['console', '--host', '0.0.0.0']);
  expect(pod.containers[0]!.env).toEqual(expect.arrayContaining([{ name: 'MILLRACE_CONSOLE_DRAFTS_STORAGE', value: 's3://ws-bucket' }, { name: 'MILLRACE_CONSOLE_PORT', value: '8080' }]));
  expect(pod.containers[0]!.securityContext.readOnlyRootFilesystem).toBe(true);
  expect((named.find((o) => o.kind === 'ClusterRole') as Obj & { rules: unknown }).rules).toEqual(consoleRules());
  // the operator's Deployment and Service do not select the console's pods
  const operator = on.find((o) => o.kind === 'Deployment' && o.metadata.name === 'rel-millrace') as Obj & { spec: { selector: { matchLabels: Record<string, string> } } };
  expect(operator.spec.selector.matchLabels['app.kubernetes.io/component']).toBe('operator');
}, 60_000);

test('a misspelt console value is refused by the values schema, naming it', async () => {
  await expect(template(['--set', 'console.enable=true'])).rejects.toThrow(/enable/);
}, 60_000);
