// `millrace console`: starts the console server. The Kubernetes connection is the one kubectl
// would use ($KUBECONFIG or --kubeconfig, else ~/.kube/config, else the pod's service account):
// its address and CA reach the API server; its own identity is used only for what
// context.ts documents (listing Namespaces, reading JobManager keys after a user's check).
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { openObjectStore } from '../../runtime/storage/open-object-store.ts';
import { redactOptions } from '../../runtime/logging/redact.ts';
import { loadKubeConnection } from '../kube/kube-connection.ts';
import { DraftStore } from './drafts/draft-store.ts';
import { createConsoleServer } from './server.ts';

export const CONSOLE_USAGE = `usage: millrace console [--host 127.0.0.1] [--port 8080] [--kubeconfig FILE]
               [--drafts-storage s3://<workspace-bucket>[/prefix] | DIR] [--jobmanager-url-template URL]
               [--insecure-cookies]
  --drafts-storage          where drafts are kept (drafts/namespaces/<ns>/<draft>/<version>.json);
                            S3 settings from AWS_* / MILLRACE_S3_* variables. Without it drafts are off.
  --jobmanager-url-template how the console reaches a JobManager; default
                            http://{name}-jobmanager.{namespace}.svc:8081
  --insecure-cookies        session cookie without Secure (plain http other than localhost)
environment: MILLRACE_CONSOLE_HOST, MILLRACE_CONSOLE_PORT, MILLRACE_CONSOLE_DRAFTS_STORAGE, MILLRACE_JOBMANAGER_URL_TEMPLATE`;

export interface ConsoleOptions { host: string; port: number; kubeconfig?: string; draftsStorage?: string; jobManagerUrlTemplate?: string; insecureCookies: boolean }

/** Options from arguments and the environment; MR_ERR_CLI naming the flag for bad values. */
export function consoleOptions(args: string[], env: NodeJS.ProcessEnv): ConsoleOptions {
  const { values } = parseArgs({
    args, allowPositionals: false,
    options: {
      host: { type: 'string' }, port: { type: 'string' }, kubeconfig: { type: 'string' }, 'drafts-storage': { type: 'string' },
      'jobmanager-url-template': { type: 'string' }, 'insecure-cookies': { type: 'boolean' },
    },
  });
  const portText = values.port ?? env.MILLRACE_CONSOLE_PORT ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`MR_ERR_CLI: --port must be a port number (0-65535), got '${portText}'`);
  return {
    host: values.host ?? env.MILLRACE_CONSOLE_HOST ?? '127.0.0.1', port,
    kubeconfig: values.kubeconfig,
    draftsStorage: values['drafts-storage'] ?? env.MILLRACE_CONSOLE_DRAFTS_STORAGE,
    jobManagerUrlTemplate: values['jobmanager-url-template'] ?? env.MILLRACE_JOBMANAGER_URL_TEMPLATE,
    insecureCookies: values['insecure-cookies'] === true,
  };
}

export async function runConsole(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) { process.stdout.write(`${CONSOLE_USAGE}\n`); return; }
  const o = consoleOptions(args, env);
  const log = pino({ level: env.MILLRACE_LOG_LEVEL ?? 'info', redact: redactOptions }, pino.destination(2));
  const connection = await loadKubeConnection(o.kubeconfig ? { ...env, KUBECONFIG: o.kubeconfig } : env);
  const drafts = o.draftsStorage ? new DraftStore(openObjectStore(o.draftsStorage, { env }), Date.now) : undefined;
  const template = o.jobManagerUrlTemplate;
  const app = await createConsoleServer({
    connection, log, drafts, secureCookies: !o.insecureCookies,
    ...(template ? { jobManagerUrl: ({ namespace, name }: { namespace: string; name: string }) => template.replaceAll('{name}', name).replaceAll('{namespace}', namespace) } : {}),
  });
  const address = await app.listen({ host: o.host, port: o.port });
  log.info({ address, drafts: drafts?.description ?? null }, 'console listening');
  process.stdout.write(`millrace console listening on ${address}\n`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
