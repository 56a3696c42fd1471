// `millrace console`: starts the console server. The Kubernetes connection is the one kubectl
// would use ($KUBECONFIG or --kubeconfig, else ~/.kube/config, else the pod's service account):
// its address and CA reach the API server; its own identity is used only for what
// context.ts documents (listing Namespaces, reading JobManager keys after a user's check).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { openObjectStore } from '../../runtime/storage/open-object-store.ts';
import { redactOptions } from '../../runtime/logging/redact.ts';
import { loadKubeConnection } from '../kube/kube-connection.ts';
import { DraftStore } from './drafts/draft-store.ts';
import { checkOidcOptions, DEFAULT_CLAIMS, DEFAULT_SCOPES, type OidcOptions } from './auth/oidc.ts';
import { createConsoleServer } from './server.ts';
import { previousKeysFromText, type SessionKeys } from './auth/session-cookie.ts';

export const CONSOLE_USAGE = `usage: millrace console [--host 127.0.0.1] [--port 8080] [--kubeconfig FILE]
               [--drafts-storage s3://<workspace-bucket>[/prefix] | DIR] [--jobmanager-url-template URL]
               [--insecure-cookies] [--session-key-file FILE [--previous-session-keys-file FILE]]
               [--oidc-issuer URL --oidc-client-id ID --public-url URL [--oidc-client-secret-file FILE]
                [--oidc-scopes S] [--oidc-username-claim C] [--oidc-username-prefix P]
                [--oidc-groups-claim C] [--oidc-groups-prefix P]]
  --drafts-storage          where drafts are kept (drafts/namespaces/<ns>/<draft>/<version>.json);
                            S3 settings from AWS_* / MILLRACE_S3_* variables. Without it drafts are off.
  --jobmanager-url-template how the console reaches a JobManager; default
                            http://{name}-jobmanager.{namespace}.svc:8081
  --insecure-cookies        session cookie without Secure (plain http other than localhost)
  --session-key-file        at least 32 random bytes (a mounted Secret) sealing session cookies; the
                            same key across restarts and replicas keeps members signed in. Without it:
                            a random key per process (a restart signs everyone out)
  --previous-session-keys-file  key rotation: older keys, one a line, that still open the sessions
                            they sealed (re-sealed with the newest key when used); not used to seal.
                            A missing file means none (the chart always points here)
  --oidc-issuer             sign-in with this OpenID Connect provider (authorization code + PKCE); the
                            console impersonates <username-prefix><claim> and <groups-prefix><group>
  --oidc-client-id, --oidc-client-secret-file   the console's client at the provider (secret optional)
  --public-url              the console's URL as browsers reach it; the provider redirects to
                            <public-url>/oidc/callback (register it there)
  --oidc-scopes             default '${DEFAULT_SCOPES}'
  --oidc-username-claim     default '${DEFAULT_CLAIMS.usernameClaim}'; --oidc-username-prefix default '${DEFAULT_CLAIMS.usernamePrefix}'
  --oidc-groups-claim       default '${DEFAULT_CLAIMS.groupsClaim}'; --oidc-groups-prefix default '${DEFAULT_CLAIMS.groupsPrefix}'
environment: MILLRACE_CONSOLE_HOST, MILLRACE_CONSOLE_PORT, MILLRACE_CONSOLE_DRAFTS_STORAGE, MILLRACE_JOBMANAGER_URL_TEMPLATE,
  MILLRACE_CONSOLE_SESSION_KEY_FILE, MILLRACE_CONSOLE_PREVIOUS_SESSION_KEYS_FILE, MILLRACE_CONSOLE_PUBLIC_URL, MILLRACE_CONSOLE_OIDC_ISSUER, MILLRACE_CONSOLE_OIDC_CLIENT_ID,
  MILLRACE_CONSOLE_OIDC_CLIENT_SECRET_FILE, MILLRACE_CONSOLE_OIDC_SCOPES, MILLRACE_CONSOLE_OIDC_USERNAME_CLAIM,
  MILLRACE_CONSOLE_OIDC_USERNAME_PREFIX, MILLRACE_CONSOLE_OIDC_GROUPS_CLAIM, MILLRACE_CONSOLE_OIDC_GROUPS_PREFIX`;

export interface ConsoleOptions {
  host: string; port: number; kubeconfig?: string; draftsStorage?: string; jobManagerUrlTemplate?: string; insecureCookies: boolean;
  sessionKeyFile?: string;
  previousSessionKeysFile?: string;
  /** OIDC sign-in; the client secret is read from its file when the console starts. */
  oidc?: Omit<OidcOptions, 'clientSecret'> & { clientSecretFile?: string };
}

/** Options from arguments and the environment; MR_ERR_CLI naming the flag for bad values. */
export function consoleOptions(args: string[], env: NodeJS.ProcessEnv): ConsoleOptions {
  const { values } = parseArgs({
    args, allowPositionals: false,
    options: {
      host: { type: 'string' }, port: { type: 'string' }, kubeconfig: { type: 'string' }, 'drafts-storage': { type: 'string' },
      'jobmanager-url-template': { type: 'string' }, 'insecure-cookies': { type: 'boolean' },
      'session-key-file': { type: 'string' }, 'previous-session-keys-file': { type: 'string' }, 'public-url': { type: 'string' },
      'oidc-issuer': { type: 'string' }, 'oidc-client-id': { type: 'string' }, 'oidc-client-secret-file': { type: 'string' }, 'oidc-scopes': { type: 'string' },
      'oidc-username-claim': { type: 'string' }, 'oidc-username-prefix': { type: 'string' }, 'oidc-groups-claim': { type: 'string' }, 'oidc-groups-prefix': { type: 'string' },
    },
  });
  const opt = (flag: keyof typeof values, envName: string): string | undefined => {
    const v = values[flag] ?? env[envName];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const issuer = opt('oidc-issuer', 'MILLRACE_CONSOLE_OIDC_ISSUER');
  let oidc: ConsoleOptions['oidc'];
  if (issuer) {
    const publicUrl = opt('public-url', 'MILLRACE_CONSOLE_PUBLIC_URL');
    if (!publicUrl) throw new Error('MR_ERR_CLI: --public-url is required with --oidc-issuer: the console\'s URL as browsers reach it (the provider redirects to <public-url>/oidc/callback)');
    oidc = {
      issuer, clientId: opt('oidc-client-id', 'MILLRACE_CONSOLE_OIDC_CLIENT_ID') ?? '', clientSecretFile: opt('oidc-client-secret-file', 'MILLRACE_CONSOLE_OIDC_CLIENT_SECRET_FILE'),
      redirectUri: `${publicUrl.replace(/\/+$/, '')}/oidc/callback`, scopes: opt('oidc-scopes', 'MILLRACE_CONSOLE_OIDC_SCOPES') ?? DEFAULT_SCOPES,
      usernameClaim: opt('oidc-username-claim', 'MILLRACE_CONSOLE_OIDC_USERNAME_CLAIM') ?? DEFAULT_CLAIMS.usernameClaim,
      usernamePrefix: opt('oidc-username-prefix', 'MILLRACE_CONSOLE_OIDC_USERNAME_PREFIX') ?? DEFAULT_CLAIMS.usernamePrefix,
      groupsClaim: opt('oidc-groups-claim', 'MILLRACE_CONSOLE_OIDC_GROUPS_CLAIM') ?? DEFAULT_CLAIMS.groupsClaim,
      groupsPrefix: opt('oidc-groups-prefix', 'MILLRACE_CONSOLE_OIDC_GROUPS_PREFIX') ?? DEFAULT_CLAIMS.groupsPrefix,
    };
    checkOidcOptions(oidc);
  }
  const portText = values.port ?? env.MILLRACE_CONSOLE_PORT ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`MR_ERR_CLI: --port must be a port number (0-65535), got '${portText}'`);
  return {
    host: values.host ?? env.MILLRACE_CONSOLE_HOST ?? '127.0.0.1', port,
    kubeconfig: values.kubeconfig,
    draftsStorage: values['drafts-storage'] ?? env.MILLRACE_CONSOLE_DRAFTS_STORAGE,
    jobManagerUrlTemplate: values['jobmanager-url-template'] ?? env.MILLRACE_JOBMANAGER_URL_TEMPLATE,
    insecureCookies: values['insecure-cookies'] === true,
    sessionKeyFile: opt('session-key-file', 'MILLRACE_CONSOLE_SESSION_KEY_FILE'),
    previousSessionKeysFile: opt('previous-session-keys-file', 'MILLRACE_CONSOLE_PREVIOUS_SESSION_KEYS_FILE'),
    oidc,
  };
}

/** The session key and, when its file exists, the previous keys (rotation); none without --session-key-file. */
export function loadSessionKeys(o: ConsoleOptions, log: { info(obj: object, msg: string): void }): SessionKeys | undefined {
  if (!o.sessionKeyFile) return undefined;
  const current = readFileSync(o.sessionKeyFile, 'utf8');
  const file = o.previousSessionKeysFile;
  const previous = file && existsSync(file) ? previousKeysFromText(readFileSync(file, 'utf8')) : [];
  log.info({ previousKeys: previous.length }, 'session key loaded');
  return previous.length ? { current, previous } : current;
}

export async function runConsole(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) { process.stdout.write(`${CONSOLE_USAGE}\n`); return; }
  const o = consoleOptions(args, env);
  const log = pino({ level: env.MILLRACE_LOG_LEVEL ?? 'info', redact: redactOptions }, pino.destination(2));
  const connection = await loadKubeConnection(o.kubeconfig ? { ...env, KUBECONFIG: o.kubeconfig } : env);
  const drafts = o.draftsStorage ? new DraftStore(openObjectStore(o.draftsStorage, { env }), Date.now) : undefined;
  const template = o.jobManagerUrlTemplate;
  const { clientSecretFile, ...oidc } = o.oidc ?? {};
  const app = await createConsoleServer({
    connection, log, drafts, secureCookies: !o.insecureCookies,
    sessionKey: loadSessionKeys(o, log),
    oidc: o.oidc ? { ...(oidc as OidcOptions), ...(clientSecretFile ? { clientSecret: readFileSync(clientSecretFile, 'utf8').trim() } : {}) } : undefined,
    ...(template ? { jobManagerUrl: ({ namespace, name }: { namespace: string; name: string }) => template.replaceAll('{name}', name).replaceAll('{namespace}', namespace) } : {}),
  });
  const address = await app.listen({ host: o.host, port: o.port });
  log.info({ address, drafts: drafts?.description ?? null }, 'console listening');
  process.stdout.write(`millrace console listening on ${address}\n`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
