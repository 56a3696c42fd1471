// The chart's console component as the real helm renders it: off by default; with
// console.enabled a Deployment running `millrace console`, its Service, and a ServiceAccount
// bound to exactly the rules of operator/console/rbac.ts (which the browser test runs the console with).
import { parseAllDocuments } from 'yaml';
import { consoleImpersonationRules, consoleRules } from '../../operator/console/rbac.ts';
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

test('the console\'s session key comes from a Secret (made by the chart unless named); OIDC adds the provider settings and impersonation rules', async () => {
  type Pod = { containers: Array<{ env: Array<{ name: string; value: string }>; volumeMounts: Array<{ name: string; mountPath: string }> }>; volumes: Array<{ name: string; secret?: { secretName: string } }> };
  const podOf = (objs: Obj[]) => (objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'rel-millrace-console') as Obj & { spec: { template: { spec: Pod } } }).spec.template.spec;
  const plain = await template(['--set', 'console.enabled=true']);
  const secret = plain.find((o) => o.kind === 'Secret' && o.metadata.name === 'rel-millrace-console-session') as Obj & { data: { key: string } };
  expect(Buffer.from(secret.data.key, 'base64').length).toBeGreaterThanOrEqual(32);
  expect(podOf(plain).volumes.find((v) => v.name === 'session-key')?.secret?.secretName).toBe('rel-millrace-console-session');
  expect(podOf(plain).containers[0]!.env).toContainEqual({ name: 'MILLRACE_CONSOLE_SESSION_KEY_FILE', value: '/etc/millrace/console-session/key' });
  // key rotation: the whole Secret is mounted, so `previous-keys` appears beside `key` once added
  expect(podOf(plain).containers[0]!.env).toContainEqual({ name: 'MILLRACE_CONSOLE_PREVIOUS_SESSION_KEYS_FILE', value: '/etc/millrace/console-session/previous-keys' });
  expect(podOf(plain).volumes.find((v) => v.name === 'session-key')?.secret).toEqual({ secretName: 'rel-millrace-console-session' });
  expect((plain.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'rel-millrace-console') as Obj & { rules: unknown }).rules).toEqual(consoleRules());

  const oidc = await template(['--set', 'console.enabled=true', '--set', 'console.sessionKeySecret=my-key', '--set', 'console.oidc.enabled=true', '--set', 'console.oidc.issuer=https://id.example.com',
    '--set', 'console.oidc.clientId=millrace', '--set', 'console.oidc.publicUrl=https://console.example.com', '--set', 'console.oidc.clientSecretName=oidc-client']);
  expect(oidc.some((o) => o.kind === 'Secret' && o.metadata.name === 'rel-millrace-console-session')).toBe(false);
  const pod = podOf(oidc);
  expect(pod.volumes.map((v) => v.secret?.secretName).filter(Boolean)).toEqual(['my-key', 'oidc-client']);
  expect(pod.containers[0]!.env).toEqual(expect.arrayContaining([
    { name: 'MILLRACE_CONSOLE_OIDC_ISSUER', value: 'https://id.example.com' }, { name: 'MILLRACE_CONSOLE_OIDC_CLIENT_ID', value: 'millrace' },
    { name: 'MILLRACE_CONSOLE_PUBLIC_URL', value: 'https://console.example.com' }, { name: 'MILLRACE_CONSOLE_OIDC_USERNAME_PREFIX', value: 'oidc:' },
    { name: 'MILLRACE_CONSOLE_OIDC_CLIENT_SECRET_FILE', value: '/etc/millrace/console-oidc/client-secret' },
  ]));
  expect((oidc.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'rel-millrace-console') as Obj & { rules: unknown }).rules).toEqual([...consoleRules(), ...consoleImpersonationRules()]);
  await expect(template(['--set', 'console.enabled=true', '--set', 'console.oidc.enabled=true'])).rejects.toThrow(/console.oidc.issuer is required/);
}, 60_000);

test('a misspelt console value is refused by the values schema, naming it', async () => {
  await expect(template(['--set', 'console.enable=true'])).rejects.toThrow(/enable/);
}, 60_000);
