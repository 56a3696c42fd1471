// Any error a route threw, as the console's coded error: Kubernetes refusals keep their meaning
// (403 from the API server is MR_ERR_CONSOLE_FORBIDDEN), fastify's own 4xx are request errors,
// anything else is internal (logged, never shown).
import type { FastifyError } from 'fastify';
import { KubeApiError } from '../kube/rest-client.ts';
import { ConsoleError, isConsoleError, type ConsoleErrorCode } from './errors.ts';

/** The coded error for anything a handler threw (Kubernetes refusals keep their status meaning). */
export function toConsoleError(err: unknown): ConsoleError {
  if (isConsoleError(err)) return err;
  if (err instanceof KubeApiError) {
    const byStatus: Record<number, ConsoleErrorCode> = { 400: 'MR_ERR_CONSOLE_REQUEST_INVALID', 401: 'MR_ERR_CONSOLE_TOKEN_INVALID', 403: 'MR_ERR_CONSOLE_FORBIDDEN', 404: 'MR_ERR_CONSOLE_NOT_FOUND', 409: 'MR_ERR_CONSOLE_CONFLICT', 422: 'MR_ERR_CONSOLE_REQUEST_INVALID' };
    return new ConsoleError(byStatus[err.status] ?? 'MR_ERR_CONSOLE_KUBE_API', `Kubernetes: ${err.message}`, { cause: err });
  }
  const fe = err as FastifyError;
  if (fe?.validation) return new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', fe.message);
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', fe.message);
  return new ConsoleError('MR_ERR_CONSOLE_INTERNAL', 'unexpected failure in the console; see its log');
}

