// `npx millrace console` as a user starts it: the CLI branch of runtime/bin/millrace.ts, a
// kubeconfig given with --kubeconfig, a free port; it serves the sign-in page and stops on SIGTERM.
// (No API server is needed until someone signs in; the browser tests cover that.)
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleOptions, loadSessionKeys } from '../../operator/console/cli.ts';

const BIN = new URL('../../runtime/bin/millrace.ts', import.meta.url).pathname;

test('millrace console starts with --kubeconfig, serves the sign-in page and exits 0 on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-cli-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, ['apiVersion: v1', 'kind: Config', 'current-context: c', 'clusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]',
    'users: [{name: u, user: {token: x}}]', 'contexts: [{name: c, context: {cluster: k, user: u}}]'].join('\n'));
  const child = spawn(process.execPath, [BIN, 'console', '--kubeconfig', kubeconfig, '--port', '0', '--insecure-cookies'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '/nonexistent' } });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); const m = /listening on (http:\/\/\S+)/.exec(out); if (m) resolve(m[1]!); });
      child.once('exit', (code) => reject(new Error(`console exited with ${code}`)));
    });
    const page = await fetch(`${url}/sign-in`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Kubernetes bearer token');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  } finally {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
}, 30_000);

test('bad console flags are refused naming the flag', () => {
  expect(() => consoleOptions(['--port', 'http'], {})).toThrow(/MR_ERR_CLI: --port must be a port number/);
  expect(() => consoleOptions(['--prot', '1'], {})).toThrow(/--prot/);
  expect(consoleOptions([], { MILLRACE_CONSOLE_PORT: '9090', MILLRACE_CONSOLE_DRAFTS_STORAGE: 's3://b' })).toMatchObject({ host: '127.0.0.1', port: 9090, draftsStorage: 's3://b', insecureCookies: false });
});

test('OIDC and session-key options come from flags or the environment; missing ones are refused naming the flag', () => {
  const env = { MILLRACE_CONSOLE_OIDC_ISSUER: 'https://id.example.com', MILLRACE_CONSOLE_OIDC_CLIENT_ID: 'millrace-console', MILLRACE_CONSOLE_PUBLIC_URL: 'https://console.example.com/', MILLRACE_CONSOLE_SESSION_KEY_FILE: '/etc/millrace/session/key' };
  expect(consoleOptions(['--oidc-groups-claim', 'roles'], env)).toMatchObject({
    sessionKeyFile: '/etc/millrace/session/key',
    oidc: { issuer: 'https://id.example.com', clientId: 'millrace-console', redirectUri: 'https://console.example.com/oidc/callback', scopes: 'openid profile email', usernameClaim: 'sub', usernamePrefix: 'oidc:', groupsClaim: 'roles', groupsPrefix: 'oidc:' },
  });
  expect(consoleOptions([], {}).oidc).toBeUndefined();
  expect(() => consoleOptions(['--oidc-issuer', 'https://id.example.com', '--oidc-client-id', 'c'], {})).toThrow(/MR_ERR_CLI: --public-url is required with --oidc-issuer/);
  expect(() => consoleOptions(['--oidc-issuer', 'https://id.example.com', '--public-url', 'https://c.example.com'], {})).toThrow(/--oidc-client-id is required/);
  expect(() => consoleOptions(['--oidc-groups-prefix', 'system:'], env)).toThrow(/--oidc-groups-prefix must be non-empty and must not start with "system:"/);
});

test('the session key file and, when present, the previous keys file (one key a line) make the key ring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-keys-'));
  writeFileSync(join(dir, 'key'), `${'n'.repeat(48)}\n`);
  const log = { info: () => undefined };
  const o = consoleOptions([], { MILLRACE_CONSOLE_SESSION_KEY_FILE: join(dir, 'key'), MILLRACE_CONSOLE_PREVIOUS_SESSION_KEYS_FILE: join(dir, 'previous-keys') });
  expect(o.previousSessionKeysFile).toBe(join(dir, 'previous-keys'));
  expect(loadSessionKeys(o, log)).toBe(`${'n'.repeat(48)}\n`); // no previous-keys file (the chart's Secret without one): none
  writeFileSync(join(dir, 'previous-keys'), `${'o'.repeat(48)}\n${'p'.repeat(48)}\n`);
  expect(loadSessionKeys(o, log)).toEqual({ current: `${'n'.repeat(48)}\n`, previous: ['o'.repeat(48), 'p'.repeat(48)] });
  expect(loadSessionKeys(consoleOptions([], {}), log)).toBeUndefined();
});
