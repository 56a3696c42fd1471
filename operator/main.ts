// The composition root: reads configuration, builds clients, the operator, leader election
// and the HTTP server, and handles shutdown. Nothing else in operator/ starts anything.
import { hostname } from 'node:os';
import { pino } from 'pino';
import { redactOptions } from '../runtime/logging/redact.ts';
import { loadConfig } from './config.ts';
import { httpJobManagerClient } from './jobmanager/client.ts';
import { deploymentKeys } from './controllers/deployment/auth-secret.ts';
import type { JobManagerClientFactory } from './jobmanager/client.ts';
import { systemClock } from './kube/clock.ts';
import { loadKubeConnection } from './kube/kube-connection.ts';
import { LeaderElector } from './kube/leader-election.ts';
import { KubeRest } from './kube/rest-client.ts';
import type { KubeRestOptions } from './kube/rest-client.ts';
import { Operator } from './manager.ts';
import { operatorTenantAccess as resolveTenantAccess } from './rbac/operator-identity.ts';
import { createHttpServer } from './server/http-server.ts';
import { createOperatorMetrics } from './server/metrics.ts';
import { s3WorkspaceStorage } from './storage/workspace-storage.ts';
import { s3SavepointFiles } from './storage/savepoint-files.ts';

const config = loadConfig(process.env);
const logger = pino({ level: config.LOG_LEVEL, base: { component: 'millrace-operator' }, redact: redactOptions });
const identity = config.POD_NAME ?? `${hostname()}-${process.pid}`;

const metrics = createOperatorMetrics();
const connection = await loadKubeConnection();
const onResponse: KubeRestOptions['onResponse'] = (r, status, seconds) => {
  metrics.apiRequests.inc({ verb: r.verb, resource: r.resource, code: String(status) });
  metrics.apiRequestDuration.observe({ verb: r.verb }, seconds);
};
const rest = new KubeRest(connection, { maxConnections: config.MILLRACE_API_CONNECTIONS, onResponse });
const template = config.MILLRACE_JOBMANAGER_URL_TEMPLATE ?? 'http://{name}-jobmanager.{namespace}.svc:8081';
const keys = deploymentKeys(rest);
const jobManagers: JobManagerClientFactory = ({ namespace, name }) => httpJobManagerClient(template.replaceAll('{name}', name).replaceAll('{namespace}', namespace), 5_000, { key: () => keys({ namespace, name }) });

// Its rights in tenant namespaces are bound by itself, to the ServiceAccount it runs as.
const operatorTenantAccess = await resolveTenantAccess(rest, config.MILLRACE_OPERATOR_TENANT_ROLE);
logger.info({ serviceAccount: operatorTenantAccess?.serviceAccount }, operatorTenantAccess ? 'binds its tenant role in the namespaces it makes' : 'not a ServiceAccount: binds no tenant role');
const operator = new Operator({
  rest, clock: systemClock, random: Math.random, logger, metrics, jobManagers,
  storage: s3WorkspaceStorage(), savepointFiles: s3SavepointFiles(), defaultImage: config.MILLRACE_RUNTIME_IMAGE, workers: config.MILLRACE_WORKERS,
  instance: identity, watchSelector: config.MILLRACE_WATCH_SELECTOR, operatorNamespace: config.MILLRACE_OPERATOR_NAMESPACE,
  operatorTenantAccess,
});

let shuttingDown = false;
// The lease gets its own connections: renewals never queue behind a burst of reconciles.
const elector = config.MILLRACE_LEADER_ELECTION === 'true' ? new LeaderElector({
  rest: new KubeRest(connection, { maxConnections: 2, onResponse }), namespace: config.MILLRACE_OPERATOR_NAMESPACE, name: config.MILLRACE_LEASE_NAME, identity, clock: systemClock, logger,
  onStartedLeading: () => { metrics.isLeader.set(1); operator.startControllers(); },
  // Like client-go: a replica that lost its lease exits and starts clean rather than race the new leader.
  onStoppedLeading: () => { metrics.isLeader.set(0); if (!shuttingDown) { logger.error('leadership lost; exiting'); process.exit(1); } },
}) : undefined;

const server = createHttpServer({ registry: metrics.registry, notReadyReason: () => operator.notReadyReason() });
await server.listen({ port: config.MILLRACE_OPERATOR_PORT, host: config.MILLRACE_OPERATOR_HOST });
logger.info({ port: config.MILLRACE_OPERATOR_PORT, identity }, 'operator HTTP endpoints listening');

await operator.startInformers();
logger.info('informer caches synced');
if (elector) elector.start(); else operator.startControllers();

async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, 'shutting down: finishing reconciles in flight');
  await operator.stop();
  await elector?.stop();
  await server.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
