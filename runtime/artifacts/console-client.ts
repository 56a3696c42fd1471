// The CLI's side of the console API (operator/console/routes/artifacts.ts, logs.ts): where the
// console is and who the user is. Every call carries the user's Kubernetes token as a bearer
// token; the console acts as that user, so RBAC decides exactly as with kubectl.
//   MILLRACE_CONSOLE_URL (or --console)          e.g. https://millrace.example.com
//   MILLRACE_TOKEN, or a file in MILLRACE_TOKEN_FILE (or --token-file), e.g. from `kubectl create token`
//   MILLRACE_NAMESPACE (or -n/--namespace)
import { readFileSync } from 'node:fs';
import { RuntimeError } from '../errors/runtime-error.ts';

export interface ConsoleTarget { url: string; token: string; namespace: string }

export function consoleTarget(flags: { console?: string; 'token-file'?: string; namespace?: string }, env: Record<string, string | undefined>): ConsoleTarget {
  const url = (flags.console ?? env.MILLRACE_CONSOLE_URL ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(url)) throw new RuntimeError('MR_ERR_CLI', 'the console address is not set: pass --console https://<console> or set MILLRACE_CONSOLE_URL');
  const tokenFile = flags['token-file'] ?? env.MILLRACE_TOKEN_FILE;
  let token = env.MILLRACE_TOKEN?.trim() ?? '';
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new RuntimeError('MR_ERR_CLI', `cannot read the token file ${tokenFile}: ${(err as Error).message}`);
    }
  }
  if (!token) throw new RuntimeError('MR_ERR_CLI', 'no Kubernetes token: set MILLRACE_TOKEN (for example $(kubectl create token <account>)) or pass --token-file FILE');
  const namespace = flags.namespace ?? env.MILLRACE_NAMESPACE ?? '';
  if (!namespace) throw new RuntimeError('MR_ERR_CLI', 'no namespace: pass -n <namespace> or set MILLRACE_NAMESPACE');
  return { url, token, namespace };
}

/** A console API call; a refusal becomes an error with the console's code and words. */
export async function consoleFetch(t: ConsoleTarget, path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${t.url}${path}`, { ...init, headers: { accept: 'application/json', ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${t.token}` }, signal: init.signal ?? AbortSignal.timeout(120_000) });
  } catch (err) {
    throw new RuntimeError('MR_ERR_CLI', `cannot reach the console at ${t.url}: ${(err as Error).message}`);
  }
  if (res.ok) return res;
  let code = 'MR_ERR_CLI';
  let message = `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not a console answer
  }
  throw Object.assign(new Error(`${code}: ${message}`), { code, status: res.status });
}

export const enc = encodeURIComponent;
/** An artifact name in a URL path: each directory part encoded, '/' kept. */
export const encPath = (name: string) => name.split('/').map(enc).join('/');
