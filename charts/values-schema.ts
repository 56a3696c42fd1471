// The values of the millrace Helm chart, as a zod schema: the one source of
// charts/millrace/values.schema.json (written by `npm run chart:sync`), which Helm checks on
// every install, upgrade, lint and template. Objects are strict, so a misspelt key is an error
// that names it instead of a setting silently ignored.
import { z } from 'zod';

const quantity = (description: string) => z.union([z.string().regex(/^[0-9.]+[a-zA-Z]*$/), z.number().nonnegative()]).describe(description);
const resourceList = z.strictObject({
  cpu: quantity('CPU, for example 100m or 1.').optional(),
  memory: quantity('Memory, for example 256Mi.').optional(),
  'ephemeral-storage': quantity('Local storage, for example 1Gi.').optional(),
});
const stringMap = (description: string) => z.record(z.string(), z.string()).describe(description);
/** Kubernetes objects passed through as they are (tolerations, affinity, env entries). */
const passThrough = (description: string) => z.record(z.string(), z.unknown()).describe(description);
const labelSelector = /^$|^[A-Za-z0-9./_-]+==?[A-Za-z0-9._-]*(,[A-Za-z0-9./_-]+==?[A-Za-z0-9._-]*)*$/;

export const valuesSchema = z.strictObject({
  nameOverride: z.string().max(40).describe('Replaces the chart name in object names.').optional(),
  fullnameOverride: z.string().max(52).describe('Replaces <release>-<chart> in object names.').optional(),
  image: z.strictObject({
    repository: z.string().min(1).describe('Image of the operator (and, by default, of the runtime pods): the project Dockerfile built as one image.'),
    tag: z.string().min(1).describe('Image tag.'),
    pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).describe('When the kubelet pulls the image.'),
  }).describe('Operator image.'),
  imagePullSecrets: z.array(z.strictObject({ name: z.string().min(1) })).describe('Secrets for pulling the image from a private registry.'),
  replicas: z.number().int().min(1).max(5).describe('Operator replicas; more than 1 needs leaderElection.enabled (one leads, the others stand by).'),
  leaderElection: z.strictObject({
    enabled: z.boolean().describe('Elect one active replica with a Lease in the release namespace.'),
    leaseName: z.string().max(63).regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).describe('Name of the Lease; empty means the release full name.'),
  }).describe('Leader election (MILLRACE_LEADER_ELECTION, MILLRACE_LEASE_NAME).'),
  runtimeImage: z.string().describe('Image of JobManager and TaskManager pods of Deployments that set none (MILLRACE_RUNTIME_IMAGE); empty means the operator image.'),
  workers: z.number().int().min(1).max(64).describe('Reconciles in parallel, never two for one object (MILLRACE_WORKERS).'),
  watchSelector: z.string().regex(labelSelector).describe('Reconcile only Millrace objects with these labels, key=value[,key=value] (MILLRACE_WATCH_SELECTOR); empty means all. Lets several operators share a cluster.'),
  jobManagerUrlTemplate: z.string().describe('How the operator reaches a JobManager, with {name} and {namespace} (MILLRACE_JOBMANAGER_URL_TEMPLATE); empty means http://{name}-jobmanager.{namespace}.svc:8081.'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).describe('Operator log level (LOG_LEVEL); logs are JSON lines.'),
  extraEnv: z.array(passThrough('A container env entry.')).describe('More environment variables of the operator container.'),
  resources: z.strictObject({
    requests: resourceList.optional(),
    limits: resourceList.optional(),
  }).describe('Operator container resources.'),
  metrics: z.strictObject({
    port: z.number().int().min(1024).max(65535).describe('Port of /metrics, /healthz and /readyz (MILLRACE_OPERATOR_PORT); 1024 or above, the operator is not root.'),
    service: z.strictObject({
      enabled: z.boolean().describe('Create a Service in front of the metrics port.'),
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).describe('Service type.'),
      annotations: stringMap('Service annotations.'),
    }).describe('Metrics Service.'),
    serviceMonitor: z.strictObject({
      enabled: z.boolean().describe('Create a Prometheus Operator ServiceMonitor (needs its CRD and metrics.service.enabled).'),
      interval: z.string().regex(/^[0-9]+(ms|s|m|h)$/).describe('Scrape interval, for example 30s.'),
      labels: stringMap('Extra labels, for example the release label your Prometheus selects.'),
    }).describe('ServiceMonitor.'),
  }).describe('Metrics and health endpoints.'),
  serviceAccount: z.strictObject({
    create: z.boolean().describe('Create the operator ServiceAccount.'),
    name: z.string().describe('Name of the ServiceAccount; empty means the release full name.'),
    annotations: stringMap('ServiceAccount annotations.'),
  }).describe('Operator ServiceAccount.'),
  rbac: z.strictObject({
    create: z.boolean().describe('Create the operator ClusterRole and Role (leases) with their bindings.'),
    admissionPolicy: z.boolean().describe('Create the ValidatingAdmissionPolicy <release>-scope that confines the operator\'s ServiceAccount to the namespaces it made (RoleBindings, namespace updates and deletes); only with rbac.create (it names the chart\'s tenant role); Kubernetes 1.30 or later.'),
  }).describe('Operator RBAC.'),
  memberRoles: z.strictObject({
    create: z.boolean().describe('Create the ClusterRoles millrace-viewer, millrace-editor and millrace-owner that Namespace members are bound to. Cluster-wide names: only one release per cluster may create them.'),
  }).describe('Member ClusterRoles.'),
  podDisruptionBudget: z.strictObject({
    enabled: z.boolean().describe('With replicas above 1, keep at least one operator pod through voluntary disruptions (node drains).'),
  }).describe('PodDisruptionBudget of the operator.'),
  podAnnotations: stringMap('Operator pod annotations.'),
  podLabels: stringMap('Extra operator pod labels.'),
  nodeSelector: stringMap('Operator pod node selector.'),
  tolerations: z.array(passThrough('A toleration.')).describe('Operator pod tolerations.'),
  affinity: passThrough('Operator pod affinity.'),
  priorityClassName: z.string().describe('PriorityClass of the operator pod.'),
  console: z.strictObject({
    enabled: z.boolean().describe('Run the Millrace console (millrace console): a web UI and JSON API that acts as the signed-in user (their Kubernetes token), in the release namespace.'),
    port: z.number().int().min(1024).max(65535).describe('Container port of the console (MILLRACE_CONSOLE_PORT).'),
    secureCookies: z.boolean().describe('Mark the session cookie Secure; keep true when users reach the console over HTTPS (an Ingress) or http://localhost (kubectl port-forward).'),
    draftsStorage: z.string().describe('Where drafts are kept, s3://<workspace-bucket> (MILLRACE_CONSOLE_DRAFTS_STORAGE; S3 credentials through extraEnv); empty: drafts are off.'),
    sessionKeySecret: z.string().describe('Secret (key `key`, at least 32 random bytes) sealing session cookies; empty: the chart makes <release>-millrace-console-session and keeps it across upgrades.'),
    oidc: z.strictObject({
      enabled: z.boolean().describe('Sign-in with an OpenID Connect provider; the console impersonates the mapped user and groups (its ServiceAccount gets impersonate on users and groups).'),
      issuer: z.string().describe('Issuer URL of the provider (https).'),
      clientId: z.string().describe('The console\'s client id at the provider.'),
      clientSecretName: z.string().describe('Secret with key client-secret for a confidential client; empty: a public client (PKCE only).'),
      publicUrl: z.string().describe('The console\'s URL as browsers reach it; register <publicUrl>/oidc/callback at the provider.'),
      scopes: z.string().describe('Scopes asked for (space-separated, with openid).'),
      usernameClaim: z.string().describe('ID token claim holding the user name.'),
      usernamePrefix: z.string().min(1).describe('Prefix of the Kubernetes user name (not system:).'),
      groupsClaim: z.string().describe('ID token claim holding the groups.'),
      groupsPrefix: z.string().min(1).describe('Prefix of the Kubernetes group names (not system:).'),
    }).describe('OpenID Connect sign-in (off by default; Kubernetes bearer tokens work either way).'),
    service: z.strictObject({
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).describe('Service type.'),
      port: z.number().int().min(1).max(65535).describe('Service port.'),
      annotations: stringMap('Service annotations.'),
    }).describe('Console Service.'),
    extraEnv: z.array(passThrough('A container env entry.')).describe('More environment variables of the console container (for example AWS_* for the drafts bucket).'),
    resources: z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() }).describe('Console container resources.'),
  }).describe('The console: off by default. One replica; sessions are sealed cookies that survive restarts.'),
}).superRefine((v, ctx) => {
  if (v.replicas > 1 && !v.leaderElection.enabled) {
    ctx.addIssue({ code: 'custom', path: ['replicas'], message: 'replicas above 1 need leaderElection.enabled: true' });
  }
}).describe('Values of the millrace chart.');

export type ChartValues = z.infer<typeof valuesSchema>;

/**
 * The JSON schema Helm checks values against. Draft 7, which Helm 3 and Helm 4 both read;
 * the one cross-field rule (replicas > 1 needs leader election) becomes if/then.
 */
export function valuesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(valuesSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  schema.title = 'millrace chart values';
  schema.if = { properties: { replicas: { minimum: 2 } }, required: ['replicas'] };
  schema.then = { properties: { leaderElection: { properties: { enabled: { const: true, description: 'replicas above 1 need leaderElection.enabled: true' } } } } };
  return schema;
}
