// The files of charts/millrace that are derived from elsewhere in the repository, so the chart
// can never drift from what the operator is: the CRDs (copies of crds/), the operator's RBAC
// rules and the member ClusterRoles (from operator/rbac/*.ts), values.schema.json (from
// charts/values-schema.ts) and the argocd-cm patch (the Lua health checks composed from
// charts/argocd-health/, see argocd-health.ts).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { memberClusterRoles } from '../operator/rbac/member-roles.ts';
import { isOwnNamespaceRule, isTenantBindRule, operatorClusterRole, operatorTenantClusterRole } from '../operator/rbac/operator-role.ts';
import { consoleImpersonationRules, consoleRules } from '../operator/console/rbac.ts';
import { CHART_PLACEHOLDERS, operatorAdmissionPolicySpec } from '../operator/rbac/operator-admission-policy.ts';
import { healthChecks } from './argocd-health.ts';
import { valuesJsonSchema } from './values-schema.ts';

export const CHART_DIR = new URL('./millrace/', import.meta.url).pathname;
const REPO_CRDS = new URL('../crds/', import.meta.url).pathname;

interface Rule { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[] }

/** Rules the operator needs only in its own namespace: its leader-election Lease. */
export const isLeaderElectionRule = (r: Rule) => (r.apiGroups ?? []).includes('coordination.k8s.io');

// Plain YAML: no anchors and aliases for the rules that several roles share.
const plain = { aliasDuplicateObjects: false } as const;
const header = (source: string) => `# Generated from ${source} by \`npm run chart:sync\`. Do not edit.\n`;

/** The Argo CD resource-customization key of one kind (Argo CD reads <group>_<Kind>). */
export const argoHealthKey = (kind: string) => `resource.customizations.health.millrace.dev_${kind}`;

/** Every derived file, path relative to charts/millrace → content. */
export async function renderChartFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of (await readdir(REPO_CRDS)).filter((f) => f.endsWith('.yaml')).sort()) {
    files.set(`crds/${file}`, await readFile(join(REPO_CRDS, file), 'utf8'));
  }

  const rules = operatorClusterRole().rules as Rule[];
  files.set('files/rbac/operator-cluster-rules.yaml', header('operator/rbac/operator-role.ts (all rules but its own namespace\'s and the tenant role\'s bind, which the template names)') + stringify(rules.filter((r) => !isOwnNamespaceRule(r) && !isTenantBindRule(r)), plain));
  files.set('files/rbac/operator-namespace-rules.yaml', header('operator/rbac/operator-role.ts (the workspace keys, granted in the release namespace only)') + stringify(rules.filter((r) => isOwnNamespaceRule(r) && !isLeaderElectionRule(r)), plain));
  files.set('files/rbac/leader-election-rules.yaml', header('operator/rbac/operator-role.ts (the Lease rules, granted in the release namespace only)') + stringify(rules.filter(isLeaderElectionRule), plain));
  files.set('files/rbac/operator-tenant-rules.yaml', header('operator/rbac/operator-role.ts (operatorTenantClusterRole: bound by the operator in the namespaces it makes)') + stringify(operatorTenantClusterRole().rules, plain));
  files.set('files/rbac/member-cluster-roles.yaml', header('operator/rbac/member-roles.ts') + stringify(memberClusterRoles().map((r) => ({
    name: r.metadata.name, description: r.metadata.annotations?.['millrace.dev/description'] ?? '', rules: r.rules,
  })), plain));

  files.set('files/admission/operator-scope-policy.yaml', header('operator/rbac/operator-admission-policy.ts (the ValidatingAdmissionPolicy spec; templates/admission-policy.yaml fills in the __OPERATOR_*__ names)') + stringify(operatorAdmissionPolicySpec(CHART_PLACEHOLDERS), { ...plain, lineWidth: 0 }));
  files.set('files/rbac/console-cluster-rules.yaml', header('operator/console/rbac.ts') + stringify(consoleRules(), plain));
  files.set('files/rbac/console-impersonation-rules.yaml', header('operator/console/rbac.ts (consoleImpersonationRules: only with console.oidc.enabled)') + stringify(consoleImpersonationRules(), plain));

  files.set('values.schema.json', `${JSON.stringify(valuesJsonSchema(), null, 2)}\n`);

  const data: Record<string, string> = {};
  for (const [kind, check] of await healthChecks()) data[argoHealthKey(kind)] = check;
  files.set('argocd/argocd-cm-patch.yaml', [
    header('charts/argocd-health/{prelude,<Kind>}.lua'),
    '# Health checks of the Millrace kinds for Argo CD. Merge into Argo CD\'s argocd-cm:\n',
    '#   kubectl -n argocd patch configmap argocd-cm --type merge --patch-file charts/millrace/argocd/argocd-cm-patch.yaml\n',
    '# or put the keys under configs.cm of the argo-cd Helm chart.\n',
    stringify({ data }, { lineWidth: 0, blockQuote: 'literal' }),
  ].join(''));
  return files;
}
