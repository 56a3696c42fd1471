// Operator settings from the environment, validated with zod like everything else.
import { z } from 'zod';
import { formatIssues } from './api/v1alpha1/parse.ts';
import { MillraceError } from './errors.ts';

const envSchema = z.object({
  MILLRACE_OPERATOR_PORT: z.coerce.number().int().min(0).max(65535).default(8080).describe('Port of /healthz, /readyz and /metrics.'),
  MILLRACE_OPERATOR_HOST: z.string().default('0.0.0.0'),
  MILLRACE_OPERATOR_NAMESPACE: z.string().default('millrace-system').describe('Namespace of the leader Lease.'),
  MILLRACE_OPERATOR_TENANT_ROLE: z.string().default('millrace-operator-tenant').describe('ClusterRole of the operator\'s rights inside the namespaces it makes; it binds it there to its own ServiceAccount.'),
  MILLRACE_LEADER_ELECTION: z.enum(['true', 'false']).default('true'),
  MILLRACE_LEASE_NAME: z.string().default('millrace-operator'),
  MILLRACE_RUNTIME_IMAGE: z.string().default('millrace:dev').describe('Runtime image when a Deployment sets none.'),
  MILLRACE_WORKERS: z.coerce.number().int().min(1).max(64).default(16).describe('Reconciles running at once per controller; most of a reconcile is waiting for the API server.'),
  MILLRACE_API_CONNECTIONS: z.coerce.number().int().min(1).max(256).default(32).describe('Requests to the API server in flight at once (keep-alive connections); watches not counted.'),
  MILLRACE_WATCH_SELECTOR: z.string().optional().describe('Only reconcile Millrace objects with these labels (key=value,...); lets several operator instances share a cluster.'),
  MILLRACE_JOBMANAGER_URL_TEMPLATE: z.string().optional().describe('JobManager REST URL per deployment, e.g. http://127.0.0.1:8081 or http://{name}-jobmanager.{namespace}.svc:8081 (default).'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  POD_NAME: z.string().optional(),
});
/**
 * V8 flags the operator process runs with (`npm run operator`, bench:operator; the chart sets
 * them in NODE_OPTIONS). By default V8 sizes the young generation from the machine's memory
 * (up to 3 × 32 MB on a large node) and grows the old one freely: most of the operator's RSS
 * was reserved, not used. 2 MB semi-spaces cost some more scavenges, nothing measurable here
 * (1 MB or --optimize-for-size saved no more).
 */
export const OPERATOR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=256'];

/**
 * Environment of the operator process, same places. glibc gives each thread its own malloc
 * arena (up to 8 per core); V8's and libuv's threads left about 18 MiB of fragmented arenas
 * under load. Two arenas are plenty for one JavaScript thread.
 */
export const OPERATOR_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

export type OperatorConfig = z.infer<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): OperatorConfig {
  const r = envSchema.safeParse(env);
  if (!r.success) throw new MillraceError('MR_ERR_CONFIG', `operator environment is invalid: ${formatIssues(r.error)}`);
  return r.data;
}
