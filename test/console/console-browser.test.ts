// The console in a real browser (Debian's headless Chromium, driven by playwright-core) against
// the real kube-apiserver of the control-plane tier: an editor signs in, sees the namespaces with
// their queues and waiting lists and the deployments, suspends one, validates, explains and
// saves a SQL draft in the SQL editor (CodeMirror, keywords highlighted); a viewer sees the same pages with actions disabled and gets 403 from the API
// anyway; a member of another namespace sees none of it; a member signs in through a real OpenID
// provider (oidc-provider), stays signed in across a console restart and while her refresh token
// renews the ID token, and is signed out of the console once she signs out at the provider. Screenshots of each page go to
// .millrace/test-output/console/ (not committed) for a reviewer.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fillSql } from './support/sql-editor.ts';
import { API_VERSION } from '../../operator/api/v1alpha1/meta.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import { randomBytes } from 'node:crypto';
import { DEFAULT_CLAIMS, type OidcOptions } from '../../operator/console/auth/oidc.ts';
import { useOperatorCluster } from '../operator/support/harness.ts';
import { chromiumPath } from './support/chromium.ts';
import { consoleServiceAccount, startConsole, startConsoleWorld, type ConsoleWorld } from './support/console-fixture.ts';
import { freeLowPort, startOidcProvider } from './support/oidc-provider.ts';

const SHOTS = join(process.env.MILLRACE_TEST_OUTPUT_DIR ?? '.millrace/test-output', 'console');
let world: ConsoleWorld;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  world = await startConsoleWorld();
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function signIn(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${world.url}/`);
  await page.waitForURL(/\/sign-in/); // not signed in: sent to the sign-in page
  await page.getByLabel('Kubernetes bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${world.url}/`);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

test('an editor sees capacity and the FIFO waiting list, suspends a deployment, and validates, explains and saves a SQL draft', async () => {
  const page = await signIn(world.tokens.editor);
  await expect(page.getByTestId('user-name').textContent()).resolves.toBe(`system:serviceaccount:${world.usersNamespace}:editor`);
  const teamA = page.getByTestId(`namespace-${world.teamA}`);
  await expect(teamA.textContent()).resolves.toMatch(/Quota 4 CU · allocated to queues 4 CU · used 2\.5 CU · free 1\.5 CU/);
  await expect(page.getByTestId(`namespace-${world.teamB}`).count()).resolves.toBe(0);
  const queue = teamA.getByTestId('queue-default-queue');
  await expect(queue.locator('td').allTextContents()).resolves.toEqual(['3', '2.5', '0.5', expect.stringMatching(/zeta-report.*alpha-report/s)]);
  await expect(queue.locator('ol.waiting li').allTextContents()).resolves.toEqual(['zeta-report (needs 1.5 CU)', 'alpha-report (needs 2 CU)']);
  await shot(page, '1-namespaces-editor');

  await page.getByRole('link', { name: 'Deployments' }).first().click();
  const orders = page.getByTestId('deployment-orders');
  await expect(orders.locator('td').nth(1).textContent()).resolves.toBe('Running');
  const suspend = orders.getByRole('button', { name: 'Suspend' });
  await expect(suspend.isEnabled()).resolves.toBe(true);
  await expect(orders.getByRole('button', { name: 'Start' }).isDisabled()).resolves.toBe(true); // already running
  await shot(page, '2-deployments-editor');
  await suspend.click();
  await expect(page.getByRole('status').textContent()).resolves.toContain('suspend orders: done');
  const d = await world.admin.get<KubeObject & { spec: { state: string } }>({ apiVersion: API_VERSION, kind: 'Deployment', namespace: world.teamA, name: 'orders' });
  expect(d.spec.state).toBe('suspended');

  await page.getByRole('link', { name: 'orders' }).click();
  await expect(page.getByTestId('events').textContent()).resolves.toContain('JobRunning')
    .catch(async (err: unknown) => { process.stderr.write(`[console-browser] deployment page ${page.url()}: ${await page.locator('main').innerText().catch(() => '?')}\n`); throw err; });
  // what a redeploy would change: the editor's suspend and the parallelism changed since the job started
  await expect(page.getByTestId('spec-diff').locator('tbody tr').allTextContents()).resolves.toEqual(['parallelism12', 'state"running""suspended"']);
  await expect(page.getByTestId('job-unavailable').textContent()).resolves.toContain('MR_ERR_CONSOLE_JOBMANAGER'); // no pods on this tier
  await shot(page, '3-deployment-editor');

  await page.goto(`${world.url}/namespaces/${world.teamA}/drafts`);
  await page.getByLabel('Name').fill('top-bids');
  await page.getByRole('button', { name: 'Create' }).click();
  // the SQL editor (CodeMirror): typed into like the textarea it replaces, keywords highlighted, and the form posts what it shows
  const invalid = "CREATE TABLE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10');\nCREATE TABLE out_t (auction BIGINT, price BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO out_t SELEC auction, price FROM bids;";
  await fillSql(page, invalid);
  await expect(page.locator('textarea[name=text]').inputValue()).resolves.toBe(invalid);
  const keyword = page.getByTestId('sql-editor').locator('.cm-line span').filter({ hasText: /^INSERT$/ });
  await expect(keyword.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).resolves.toBe('rgb(11, 79, 153)');
  await page.getByRole('button', { name: 'Validate' }).click();
  await expect(page.getByTestId('validation-problems').textContent()).resolves.toMatch(/line 3, column 19: MR_ERR_SQL_PARSE expected SELECT/);
  await expect(page.getByLabel('SQL script').textContent()).resolves.toContain('INSERT INTO out_t SELEC auction'); // the posted text, back in the editor
  await shot(page, '4-draft-invalid');
  await fillSql(page, "CREATE TABLE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10');\nCREATE TABLE out_t (auction BIGINT, price BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO out_t SELECT auction, price FROM bids WHERE price > 10;");
  await page.getByRole('button', { name: 'Explain' }).click();
  await expect(page.getByTestId('validation-ok').isVisible()).resolves.toBe(true);
  await expect(page.getByTestId('plan').textContent()).resolves.toMatch(/TableSourceScan\(table=\[\[default_catalog, default_database, bids\]\], filter=\[>\(price, 10\)\]/);
  await shot(page, '5-draft-explain');
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status').textContent()).resolves.toContain('saved version 1');
  await expect(page.getByTestId('versions').locator('li').allTextContents()).resolves.toEqual(['version 1']);
  await expect(page.getByLabel('SQL script').textContent()).resolves.toContain('WHERE price > 10');
  // deploy: a Deployment running this SQL, created with the editor's token
  await page.getByRole('button', { name: 'Deploy' }).click();
  await expect(page.getByRole('status').first().textContent()).resolves.toContain('deployment top-bids created from draft top-bids');
  const deployed = await world.admin.get<KubeObject & { spec: { source: { sql?: string } } }>({ apiVersion: API_VERSION, kind: 'Deployment', namespace: world.teamA, name: 'top-bids' });
  expect(deployed.spec.source.sql).toContain('INSERT INTO out_t SELECT auction, price FROM bids WHERE price > 10');
  await page.context().close();
}, 90_000);

test('a viewer sees the same pages with actions disabled, and the API refuses an action with 403', async () => {
  const page = await signIn(world.tokens.viewer);
  await expect(page.getByTestId(`namespace-${world.teamA}`).count()).resolves.toBe(1);
  await page.goto(`${world.url}/namespaces/${world.teamA}`);
  const buttons = page.getByTestId('deployment-alpha-report').getByRole('button');
  await expect(buttons.count()).resolves.toBe(6);
  for (const b of await buttons.all()) await expect(b.isDisabled()).resolves.toBe(true);
  await expect(page.getByTestId('deployment-alpha-report').getByRole('button', { name: 'Cancel' }).getAttribute('title')).resolves.toMatch(/may not patch deployments/);
  await expect(page.getByTestId('read-only').textContent()).resolves.toContain('may read deployments but not change them');
  await shot(page, '6-deployments-viewer');
  // trying anyway, from the signed-in page (same origin, the session cookie)
  const refused = await page.evaluate(async (path) => {
    const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return { status: r.status, body: await r.json() as { error: { code: string; message: string } } };
  }, `/api/namespaces/${world.teamA}/deployments/alpha-report/actions/cancel`);
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('MR_ERR_CONSOLE_FORBIDDEN');
  expect(refused.body.error.message).toContain('may not patch deployments.millrace.dev "alpha-report"');
  // drafts: readable, but saving is refused
  await page.goto(`${world.url}/namespaces/${world.teamA}/drafts/top-bids`);
  await expect(page.getByRole('button', { name: 'Save version' }).isDisabled()).resolves.toBe(true);
  await expect(page.getByRole('button', { name: 'Deploy' }).isDisabled()).resolves.toBe(true);
  const save = await page.evaluate(async (path) => (await fetch(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'sql', text: 'x' }) })).status, `/api/namespaces/${world.teamA}/drafts/top-bids`);
  expect(save).toBe(403);
  const d = await world.admin.get<KubeObject & { spec: { state: string } }>({ apiVersion: API_VERSION, kind: 'Deployment', namespace: world.teamA, name: 'alpha-report' });
  expect(d.spec.state).toBe('running');
  await page.context().close();
}, 60_000);

/** Sign-in with the keyboard only: the skip link first, then the labelled token field, then the button. */
async function signInByKeyboard(token: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${world.url}/sign-in`);
  await page.keyboard.press('Tab');
  await expect(page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).resolves.toBe('Skip to content');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Kubernetes bearer token').evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).resolves.toBe(true);
  await page.keyboard.type(token);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${world.url}/`);
  return page;
}

test('a member of another namespace sees none of it, by page or by API', async () => {
  const page = await signInByKeyboard(world.tokens.outsider);
  await expect(page.getByTestId(`namespace-${world.teamB}`).count()).resolves.toBe(1);
  await expect(page.getByTestId(`namespace-${world.teamA}`).count()).resolves.toBe(0);
  await expect(page.content()).resolves.not.toContain('zeta-report');
  await shot(page, '7-namespaces-outsider');
  const res = await page.goto(`${world.url}/namespaces/${world.teamA}/deployments/orders`);
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('alert').textContent()).resolves.toContain('MR_ERR_CONSOLE_FORBIDDEN');
  const api = await page.evaluate(async (path) => { const r = await fetch(path); return { status: r.status, code: ((await r.json()) as { error: { code: string } }).error.code }; }, `/api/namespaces/${world.teamA}/deployments`);
  expect(api).toEqual({ status: 403, code: 'MR_ERR_CONSOLE_FORBIDDEN' });
  await page.context().close();
}, 60_000);

test('a bearer-token API client gets the same answers; a bad token is refused', async () => {
  const list = await fetch(`${world.url}/api/namespaces/${world.teamA}/deployments`, { headers: { authorization: `Bearer ${world.tokens.viewer}` } });
  expect(list.status).toBe(200);
  const rows = ((await list.json()) as { deployments: Array<{ name: string; actions: Record<string, { allowed: boolean }> }> }).deployments;
  expect(rows.map((r) => r.name)).toEqual(['alpha-report', 'orders', 'top-bids', 'zeta-report']);
  expect(Object.values(rows[0]!.actions).every((a) => !a.allowed)).toBe(true);
  const bad = await fetch(`${world.url}/api/session`, { headers: { authorization: 'Bearer not-a-token' } });
  expect(bad.status).toBe(401);
  expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('MR_ERR_CONSOLE_TOKEN_INVALID');
});

test('a member signs in through an OpenID provider and sees their namespace, also after a console restart and an ID token renewal; an expired ID token, a forged code, a cookie of another key and a session signed out at the provider are refused', async () => {
  const cluster = await useOperatorCluster();
  const providerPort = await freeLowPort();
  const consolePort = await freeLowPort();
  const base = `http://127.0.0.1:${consolePort}`;
  const redirectUri = `${base}/oidc/callback`;
  const provider = await startOidcProvider({ port: providerPort, redirectUri, groups: { ann: ['team-a-editors'] }, idTokenTtlSeconds: 60 });
  // the console with OIDC: its ServiceAccount may also impersonate (rbac.ts); team A's editors are a provider group
  const sa = await consoleServiceAccount(world.admin, world.usersNamespace, { name: 'console-oidc', impersonate: true });
  await world.admin.create({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'oidc-team-a-editors', namespace: world.teamA },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'millrace-editor' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:team-a-editors' }],
  });
  const oidc: OidcOptions = { ...DEFAULT_CLAIMS, issuer: provider.issuer, clientId: provider.clientId, redirectUri, scopes: 'openid groups' };
  let skewMs = 0; // the console's clock, moved on to see an ID token expire
  const key = randomBytes(48).toString('base64');
  const start = (sessionKey: string) => startConsole(cluster.kubeconfigPath, sa.token, { oidc, sessionKey, port: consolePort, now: () => Date.now() + skewMs });
  let app = await start(key);
  const atProvider = async (page: Page, login: string) => {
    await page.getByRole('link', { name: `Sign in with 127.0.0.1:${providerPort}` }).click();
    await page.waitForURL(new RegExp(`^${provider.issuer}/interaction/`));
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any password');
  };
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${base}/namespaces/${world.teamA}`);
    await page.waitForURL(/\/sign-in/);
    await atProvider(page, 'ann');
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${base}/namespaces/${world.teamA}`); // back where she started, signed in
    await expect(page.getByTestId('user-name').textContent()).resolves.toBe('oidc:ann');
    await expect(page.getByTestId('deployment-alpha-report').getByRole('button', { name: 'Suspend' }).isEnabled()).resolves.toBe(true); // an editor, through her group
    await page.goto(`${base}/`);
    await expect(page.getByTestId(`namespace-${world.teamA}`).count()).resolves.toBe(1);
    await expect(page.getByTestId(`namespace-${world.teamB}`).count()).resolves.toBe(0);
    await shot(page, '8-namespaces-oidc');
    const teamB = await page.evaluate(async (path) => (await fetch(path)).status, `/api/namespaces/${world.teamB}/deployments`);
    expect(teamB).toBe(403);

    // a restart with the same key (the chart's Secret): still signed in
    await app.close();
    app = await start(key);
    await page.goto(`${base}/`);
    await expect(page.getByTestId('user-name').textContent()).resolves.toBe('oidc:ann');
    // a console with another key cannot open the cookie: back to sign-in
    await app.close();
    app = await start(randomBytes(48).toString('base64'));
    await page.goto(`${base}/`);
    await page.waitForURL(/\/sign-in/);
    await page.context().close();

    // an ID token that expired (60 s life) by the time the console checks it: refused, no session
    const late = await (await browser.newContext()).newPage();
    await late.goto(`${base}/sign-in`);
    await atProvider(late, 'ann');
    skewMs = 5 * 60_000;
    await late.locator('button[type=submit]').click();
    await late.waitForURL(/\/sign-in\?error=/);
    await expect(late.getByRole('alert').textContent()).resolves.toMatch(/MR_ERR_CONSOLE_OIDC_SIGN_IN: the sign-in at 127\.0\.0\.1:\d+ did not complete: .*"exp"/);
    await expect(late.evaluate(async () => (await fetch('/api/session')).status)).resolves.toBe(401);
    await late.context().close();
    skewMs = 0;

    // a forged code (with the right state and PKCE cookie) is refused by the provider; a wrong state by the console
    const login = await fetch(`${base}/oidc/login`, { redirect: 'manual' });
    const pendingCookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const callback = (query: string) => fetch(`${base}/oidc/callback?${query}&iss=${encodeURIComponent(provider.issuer)}`, { headers: { cookie: pendingCookie, accept: 'application/json' }, redirect: 'manual' });
    const forged = await callback(`code=forged&state=${state}`);
    expect(forged.status).toBe(401);
    await expect(forged.json()).resolves.toEqual({ error: { code: 'MR_ERR_CONSOLE_OIDC_SIGN_IN', message: expect.stringContaining('invalid_grant') } });
    expect(forged.headers.getSetCookie().some((c) => c.startsWith('millrace_session='))).toBe(false);
    const wrongState = await callback('code=forged&state=not-the-state');
    await expect(wrongState.json()).resolves.toEqual({ error: { code: 'MR_ERR_CONSOLE_OIDC_SIGN_IN', message: expect.stringMatching(/state/) } });

    // the ID token (60 s) expired: the console renews it with the refresh token and she stays signed in
    const renewing = await (await browser.newContext()).newPage();
    await renewing.goto(`${base}/namespaces/${world.teamA}`);
    await renewing.waitForURL(/\/sign-in/);
    await atProvider(renewing, 'ann');
    await renewing.locator('button[type=submit]').click();
    await renewing.waitForURL(`${base}/namespaces/${world.teamA}`);
    expect(provider.refreshes()).toBe(0);
    skewMs = 75_000; // past the ID token's expiry by the console's clock, within the renewed one's
    await renewing.goto(`${base}/namespaces/${world.teamA}`);
    await expect(renewing.getByTestId('user-name').textContent()).resolves.toBe('oidc:ann');
    await expect(renewing.getByTestId('deployment-alpha-report').getByRole('button', { name: 'Suspend' }).isEnabled()).resolves.toBe(true);
    expect(provider.refreshes()).toBe(1);
    // she signs out at the provider: the next renewal is refused, the console session ends, back to sign-in
    await renewing.goto(`${provider.issuer}/session/end`);
    await renewing.getByRole('button', { name: 'Yes, sign me out' }).click();
    await renewing.waitForURL(/\/session\/end\/success/);
    skewMs = 150_000; // the renewed ID token expired too
    await renewing.goto(`${base}/namespaces/${world.teamA}`);
    await renewing.waitForURL(/\/sign-in\?/);
    await expect(renewing.getByRole('alert').textContent()).resolves.toMatch(/MR_ERR_CONSOLE_OIDC_SESSION_ENDED: 127\.0\.0\.1:\d+ no longer renews the session of oidc:ann .*invalid_grant.*sign in again/);
    await expect(renewing.evaluate(async () => (await fetch('/api/session')).status)).resolves.toBe(401);
    await renewing.context().close();
    skewMs = 0;

    // signing out of the console revokes the refresh token at the provider (its grant with it)
    const leaving = await (await browser.newContext()).newPage();
    await leaving.goto(`${base}/`);
    await leaving.waitForURL(/\/sign-in/);
    await atProvider(leaving, 'ann');
    await leaving.locator('button[type=submit]').click();
    await leaving.waitForURL(`${base}/`);
    const revokedBefore = provider.revokedGrants();
    await leaving.getByRole('button', { name: 'Sign out' }).click();
    await leaving.waitForURL(/\/sign-in/);
    expect(provider.revokedGrants()).toBe(revokedBefore + 1);
    await leaving.context().close();
  } finally {
    await app.close();
    await provider.close();
    await sa.cleanup();
  }
}, 90_000);
