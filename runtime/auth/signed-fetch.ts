// fetch with the Deployment's request signature (when there is a key) and a bounded read of the
// response: what every runtime process and the operator use to call a JobManager or TaskManager.

import { RuntimeError, fromWire } from '../errors/runtime-error.ts';
import type { Clock } from '../time/clock.ts';
import type { DeploymentKey } from './deployment-key.ts';
import { signRequest, type Principal } from './request-signing.ts';

export interface SignedFetchOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly timeoutMs?: number;
  /** responses larger than this are refused (default 4 MiB) */
  readonly maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface SignedResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly text: string;
  /** the JSON body, or undefined when it is empty or not JSON */
  json<T>(): T | undefined;
  /** `{ code, message }` of an error response */
  readonly error: { code: string; message: string } | undefined;
}

/** Reads at most `limit` bytes of a response body; more is an error (and the stream is canceled). */
export async function readLimited(res: Response, limit: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await res.body?.cancel();
    throw new RuntimeError('MR_ERR_REQUEST_INVALID', `${what}: response of ${declared} bytes is over the limit of ${limit}`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new RuntimeError('MR_ERR_REQUEST_INVALID', `${what}: response over the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function signedFetcher(key: DeploymentKey | undefined, principal: Principal, clock: Clock = { now: () => Date.now() }) {
  return async function signedFetch(url: string, o: SignedFetchOptions = {}): Promise<SignedResponse> {
    const method = o.method ?? (o.body === undefined ? 'GET' : 'POST');
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const u = new URL(url);
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (key) Object.assign(headers, signRequest(key, principal, { method, path: `${u.pathname}${u.search}`, body }, clock.now()));
    const res = await fetch(u, { method, headers, body, signal: AbortSignal.timeout(o.timeoutMs ?? 5000) });
    const text = await readLimited(res, o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, `${method} ${url}`);
    let parsed: unknown;
    let parsedOk = false;
    const json = <T>(): T | undefined => {
      if (!parsedOk) {
        parsedOk = true;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
      }
      return parsed as T | undefined;
    };
    return { status: res.status, ok: res.ok, text, json, get error() { return fromWire(json()); } };
  };
}

export type SignedFetch = ReturnType<typeof signedFetcher>;
