// Deployment.spec.podTemplate: the allowlist of what a namespace member may add to the
// JobManager and TaskManager pods. Everything else about the pods (image, service account,
// security context, volumes, resources) is the operator's or the cluster admin's (Workspace
// spec.pods): a member who could set them could run code or take identities the namespace does
// not own. Fields outside this schema are unknown fields (kubectl's strict field validation
// refuses them by name; other clients see them pruned). The same rules run in the API server
// (CEL) and in the operator (podTemplateProblems), from the same regular expressions.
import { z } from 'zod';
import { withRules } from './meta.ts';

/**
 * Label and annotation keys whose prefix is one of these domains (or a subdomain) are refused:
 * Kubernetes' own (Pod Security, AppArmor, seccomp, mirror pods), Millrace's (the operator's
 * selectors and NetworkPolicies match on them) and cloud identity (kube2iam's
 * iam.amazonaws.com/role, GKE and Azure workload identity).
 */
export const RESERVED_KEY_DOMAINS = ['kubernetes.io', 'k8s.io', 'millrace.dev', 'amazonaws.com', 'gke.io', 'azure.com', 'openshift.io'] as const;
/** RE2 and JavaScript alike: a key `<prefix>/<name>` whose prefix is a reserved domain. */
export const RESERVED_KEY_PATTERN = `^([^/]*\\.)?(${RESERVED_KEY_DOMAINS.map((d) => d.replaceAll('.', '\\.')).join('|')})/`;

/**
 * Environment variables a Deployment may not set: the runtime's own settings (MILLRACE_*), what
 * changes how Node.js or the dynamic loader start (NODE_OPTIONS runs code before the job, LD_PRELOAD
 * loads a library), credentials and endpoints of the AWS SDK (AWS_*), TLS trust and proxies
 * (they would redirect or read the S3 traffic), and the variables the operator sets.
 */
export const RESERVED_ENV_PATTERN = '^(MILLRACE_|NODE_|AWS_|LD_|OPENSSL_|SSL_CERT_|GLIBC_|MALLOC_|UV_)|^(POD_IP|HOME|PATH|HOSTNAME|TZDIR|HTTP_PROXY|HTTPS_PROXY|NO_PROXY|ALL_PROXY|http_proxy|https_proxy|no_proxy|all_proxy)$';
const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

const MAX_KEYS = 64;
const keyValueMap = (what: string, description: string) => withRules(
  z.record(z.string().max(317), z.string().max(4096)).meta({ maxProperties: MAX_KEYS }),
  description,
  [{
    rule: `self.all(k, !k.matches(r'${RESERVED_KEY_PATTERN}'))`,
    message: `podTemplate.${what} may not use the reserved prefixes ${RESERVED_KEY_DOMAINS.join(', ')}`,
    messageExpression: `'podTemplate.${what}: ' + self.filter(k, k.matches(r'${RESERVED_KEY_PATTERN}'))[0] + ' has a reserved prefix (${RESERVED_KEY_DOMAINS.join(', ')}); use a key of your own domain'`,
    reason: 'FieldValueForbidden',
  }],
);

const envVar = withRules(z.object({
  name: z.string().min(1).max(128).regex(new RegExp(ENV_NAME_PATTERN)).describe('Variable name.'),
  value: z.string().max(32768).describe('Variable value.'),
}), 'An environment variable.', [{
  rule: `!self.name.matches('${RESERVED_ENV_PATTERN}')`,
  message: 'podTemplate.env: this variable name is reserved (MILLRACE_*, NODE_*, AWS_*, LD_*, proxies, TLS trust)',
  messageExpression: `'podTemplate.env: ' + self.name + ' is reserved (MILLRACE_*, NODE_*, AWS_*, LD_*, proxies and TLS trust are set by the operator or not at all); choose another name'`,
  fieldPath: '.name',
  reason: 'FieldValueForbidden',
}]);

const toleration = z.object({
  key: z.string().max(317).optional().describe('Taint key the toleration applies to; empty with operator Exists matches all taints.'),
  operator: z.enum(['Exists', 'Equal']).optional().describe('Exists or Equal (the default).'),
  value: z.string().max(63).optional().describe('Taint value to match with operator Equal.'),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional().describe('Taint effect to match; empty matches all effects.'),
  tolerationSeconds: z.number().int().min(0).optional().describe('How long the pod stays bound to a node tainted NoExecute.'),
}).describe('A toleration, as in a Pod spec.');

// Affinity terms are long Kubernetes types; the API server validates them when the pod is created.
// (additionalProperties: false is dropped by the CRD generator, leaving a structural free-form object.)
const affinityTerm = (description: string) => z.record(z.string(), z.unknown()).meta({ description, 'x-kubernetes-preserve-unknown-fields': true, additionalProperties: false });

export const podTemplateSchema = z.object({
  labels: keyValueMap('labels', 'Extra pod labels (not under the reserved prefixes kubernetes.io, k8s.io, millrace.dev and cloud identity domains).').optional(),
  annotations: keyValueMap('annotations', 'Extra pod annotations (not under the reserved prefixes kubernetes.io, k8s.io, millrace.dev and cloud identity domains).').optional(),
  nodeSelector: z.record(z.string().max(317), z.string().max(63)).meta({ maxProperties: MAX_KEYS }).optional().describe('Node selector of the pods.'),
  tolerations: z.array(toleration).max(32).optional().describe('Tolerations of the pods.'),
  affinity: z.object({
    nodeAffinity: affinityTerm('Node affinity, as in a Pod spec.').optional(),
    podAffinity: affinityTerm('Pod affinity, as in a Pod spec.').optional(),
    podAntiAffinity: affinityTerm('Pod anti-affinity, as in a Pod spec.').optional(),
  }).optional().describe('Affinity of the pods.'),
  serviceAccountName: z.string().max(253).optional().describe('Service account of the pods; only one the Workspace allows (Workspace spec.pods.serviceAccountName or allowedServiceAccountNames).'),
  env: z.array(envVar).max(64).meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }).optional().describe('Extra environment variables (not MILLRACE_*, NODE_*, AWS_*, LD_*, proxies or TLS trust).'),
}).describe('What a Deployment may add to its JobManager and TaskManager pods: labels, annotations, node selection, tolerations, affinity, environment. Image, service account, security context and resources (via CU) are not settable here.');
export type PodTemplate = z.infer<typeof podTemplateSchema>;

/** A refused podTemplate field, named as a user writes it. */
export interface PodTemplateProblem {
  field: string;
  message: string;
}

const reservedKey = new RegExp(RESERVED_KEY_PATTERN);
const reservedEnv = new RegExp(RESERVED_ENV_PATTERN);

/**
 * The operator's own check of the allowlist (the CRD's CEL rules may be older than the operator,
 * or a client may bypass them by writing through an old CRD): every refused field, named.
 */
export function podTemplateProblems(t: PodTemplate | undefined): PodTemplateProblem[] {
  if (!t) return [];
  const problems: PodTemplateProblem[] = [];
  for (const what of ['labels', 'annotations'] as const) {
    for (const key of Object.keys(t[what] ?? {})) {
      if (reservedKey.test(key)) problems.push({ field: `spec.podTemplate.${what}[${key}]`, message: `reserved prefix (${RESERVED_KEY_DOMAINS.join(', ')})` });
    }
  }
  for (const [i, e] of (t.env ?? []).entries()) {
    if (reservedEnv.test(e.name)) problems.push({ field: `spec.podTemplate.env[${i}].name`, message: `${e.name} is reserved` });
  }
  return problems;
}
