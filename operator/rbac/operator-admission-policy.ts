// A ValidatingAdmissionPolicy that confines the operator's own ServiceAccount to the namespaces it
// made (issue 14). RBAC cannot say "RoleBindings only in namespaces labelled X" or "delete only the
// namespaces you made": the operator's ClusterRole creates RoleBindings and writes namespaces
// everywhere, so without this a stolen operator token could bind its tenant role in kube-system and
// create pods there (two steps), or patch or delete any namespace. The API server applies the
// policy to that one user (matchConditions) and to nothing else. The chart renders the same spec
// (`npm run chart:sync` writes it with placeholders that the template fills in); tests apply these
// objects to run an operator with exactly the chart's rights and limits.
//
// Rules (each message starts with its name; the API server reports the first that fails):
// - namespace-made-by-operator: it updates or deletes only a namespace that carries its managed-by label;
// - namespace-labels: a namespace it creates or updates carries the operator's labels
//   (managed-by, millrace.dev/namespace = its name) and Pod Security enforce=restricted;
// - namespace-owner: ... and is owned by the Millrace Namespace of the same name;
// - rolebinding-namespace: it writes RoleBindings only in namespaces that carry its managed-by label;
// - rolebinding-role: only the member ClusterRoles (as millrace-<role>s) and its tenant
//   ClusterRole (as millrace-operator);
// - tenant-binding-subject: the tenant ClusterRole only to its own ServiceAccount;
// - millrace-create: of Millrace objects it creates only Queues (default-queue) and Savepoints
//   (periodic, suspend, upgrade), and only in namespaces it made;
// - millrace-spec-unchanged: it never changes the spec of a Workspace, Namespace, Deployment or
//   Savepoint (it writes their finalizers, annotations and, through the status subresource, which
//   is not matched, their status), and a Queue's spec only in namespaces it made;
// - millrace-delete: it deletes Deployments, Queues and Savepoints only in namespaces it made,
//   never a Workspace (Millrace Namespaces are cluster-scoped: it deletes those of a Workspace
//   being deleted, which CEL cannot check);
// - priorityclass-own: of the cluster's PriorityClasses it writes and deletes only its queues'
//   (its managed-by label, a millrace- name, value 0, preemptionPolicy Never, never globalDefault),
//   so its token can neither change nor delete another team's class nor make one that preempts
//   or becomes every pod's default.
import { LABELS, MANAGED_BY } from '../controllers/shared/context.ts';
import { TENANT_BINDING_NAME } from './operator-role.ts';

/** Who the policy confines, and the one ClusterRole it may bind to itself. */
export interface OperatorScope {
  serviceAccount: { name: string; namespace: string };
  tenantRole: string;
}

/** What the chart writes in place of the names it knows only at install time (its template replaces them). */
export const CHART_PLACEHOLDERS: OperatorScope = {
  serviceAccount: { name: '__OPERATOR_SERVICE_ACCOUNT__', namespace: '__OPERATOR_NAMESPACE__' },
  tenantRole: '__OPERATOR_TENANT_ROLE__',
};

const MEMBER_ROLES = ['millrace-viewer', 'millrace-editor', 'millrace-owner'];
const MILLRACE_GROUP = 'millrace.dev';
const MILLRACE_RESOURCES = ['workspaces', 'millracenamespaces', 'queues', 'deployments', 'savepoints'];
const celList = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
/** CEL: where the request is, for messages (request.namespace is unset at the cluster scope). */
const SCOPE = "(namespaceObject == null ? 'the cluster scope' : request.namespace)";
const PSA_ENFORCE = 'pod-security.kubernetes.io/enforce';

/** A name spliced into a CEL string literal: Kubernetes names (and the placeholders) only, never a quote. */
function literal(name: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(name)) throw new Error(`operator admission policy: ${JSON.stringify(name)} is not a Kubernetes name`);
  return `'${name}'`;
}

/** CEL: `obj` carries label key=value (labels may be absent). */
const labelIs = (obj: string, key: string, value: string) =>
  `(has(${obj}.metadata.labels) && '${key}' in ${obj}.metadata.labels && ${obj}.metadata.labels['${key}'] == ${value})`;

/** A validation whose message starts with the rule's name; `detail`, a CEL string expression, is appended when it evaluates. */
function rule(name: string, expression: string, message: string, detail?: string) {
  if (message.includes("'")) throw new Error(`operator admission policy: the message of ${name} may not contain a quote`);
  return {
    expression, message: `${name}: ${message}`, reason: 'Forbidden',
    ...(detail ? { messageExpression: `'${name}: ${message}; ' + ${detail}` } : {}),
  };
}

/** The ValidatingAdmissionPolicy's spec for an operator running as `scope.serviceAccount`. */
export function operatorAdmissionPolicySpec(scope: OperatorScope): Record<string, unknown> {
  const user = literal(`system:serviceaccount:${scope.serviceAccount.namespace}:${scope.serviceAccount.name}`);
  const tenantRole = literal(scope.tenantRole);
  const managed = `'${MANAGED_BY}'`;
  const ops = ['CREATE', 'UPDATE', 'DELETE'];
  return {
    failurePolicy: 'Fail',
    matchConstraints: {
      resourceRules: [
        { apiGroups: [''], apiVersions: ['*'], operations: ops, resources: ['namespaces'] },
        { apiGroups: ['rbac.authorization.k8s.io'], apiVersions: ['*'], operations: ops, resources: ['rolebindings'] },
        // The objects themselves; their status subresource is not matched.
        { apiGroups: [MILLRACE_GROUP], apiVersions: ['*'], operations: ops, resources: MILLRACE_RESOURCES },
        { apiGroups: ['scheduling.k8s.io'], apiVersions: ['*'], operations: ops, resources: ['priorityclasses'] },
      ],
    },
    // Everyone else (admins, controllers, members) is not judged at all.
    matchConditions: [{ name: 'operator-service-account', expression: `request.userInfo.username == ${user}` }],
    variables: [
      { name: 'isNamespace', expression: "request.resource.group == '' && request.resource.resource == 'namespaces'" },
      { name: 'isRoleBinding', expression: "request.resource.resource == 'rolebindings'" },
      { name: 'isMillrace', expression: `request.resource.group == '${MILLRACE_GROUP}'` },
      { name: 'isPriorityClass', expression: "request.resource.group == 'scheduling.k8s.io' && request.resource.resource == 'priorityclasses'" },
      { name: 'inOwnNamespace', expression: `namespaceObject != null && ${labelIs('namespaceObject', LABELS.managedBy, managed)}` },
      { name: 'writes', expression: "request.operation != 'DELETE'" },
    ],
    validations: [
      rule('namespace-made-by-operator',
        `!variables.isNamespace || request.operation == 'CREATE' || ${labelIs('oldObject', LABELS.managedBy, managed)}`,
        `the Millrace operator updates and deletes only namespaces it made (label ${LABELS.managedBy}=${MANAGED_BY})`,
        "oldObject.metadata.name + ' is not one'"),
      rule('namespace-labels',
        `!variables.isNamespace || !variables.writes || (${labelIs('object', LABELS.managedBy, managed)} && ${labelIs('object', LABELS.namespace, 'object.metadata.name')} && ${labelIs('object', PSA_ENFORCE, "'restricted'")})`,
        `the Millrace operator writes only namespaces labelled ${LABELS.managedBy}=${MANAGED_BY}, ${LABELS.namespace}=<its name> and ${PSA_ENFORCE}=restricted`),
      rule('namespace-owner',
        `!variables.isNamespace || !variables.writes || (has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(o, o.kind == 'Namespace' && o.apiVersion.startsWith('millrace.dev/') && o.name == object.metadata.name))`,
        'the Millrace operator writes only namespaces owned by the Millrace Namespace of the same name'),
      rule('rolebinding-namespace',
        '!variables.isRoleBinding || variables.inOwnNamespace',
        `the Millrace operator writes RoleBindings only in namespaces it made (label ${LABELS.managedBy}=${MANAGED_BY})`,
        "request.namespace + ' is not one'"),
      rule('rolebinding-role',
        `!variables.isRoleBinding || !variables.writes || (object.roleRef.kind == 'ClusterRole' && ((object.roleRef.name in [${MEMBER_ROLES.map((r) => `'${r}'`).join(', ')}] && object.metadata.name == object.roleRef.name + 's') || (object.roleRef.name == ${tenantRole} && object.metadata.name == '${TENANT_BINDING_NAME}')))`,
        `the Millrace operator binds only the ClusterRoles ${MEMBER_ROLES.join(', ')} (as RoleBinding <role>s) and its tenant ClusterRole ${scope.tenantRole} (as RoleBinding ${TENANT_BINDING_NAME})`,
        "'not ' + object.roleRef.kind + ' ' + object.roleRef.name + ' as ' + object.metadata.name"),
      rule('tenant-binding-subject',
        `!variables.isRoleBinding || !variables.writes || object.roleRef.name != ${tenantRole} || (has(object.subjects) && object.subjects.size() == 1 && object.subjects[0].kind == 'ServiceAccount' && object.subjects[0].name == ${literal(scope.serviceAccount.name)} && has(object.subjects[0].namespace) && object.subjects[0].namespace == ${literal(scope.serviceAccount.namespace)})`,
        `the Millrace operator binds its tenant ClusterRole only to its own ServiceAccount ${scope.serviceAccount.namespace}/${scope.serviceAccount.name}`),
      rule('millrace-create',
        `!variables.isMillrace || request.operation != 'CREATE' || (request.resource.resource in ${celList(['queues', 'savepoints'])} && variables.inOwnNamespace)`,
        'the Millrace operator creates only Queues and Savepoints, and only in namespaces it made',
        `'not ' + request.resource.resource + ' in ' + ${SCOPE}`),
      rule('millrace-spec-unchanged',
        `!variables.isMillrace || request.operation != 'UPDATE' || (request.resource.resource == 'queues' && variables.inOwnNamespace) || (has(object.spec) == has(oldObject.spec) && (!has(object.spec) || object.spec == oldObject.spec))`,
        'the Millrace operator never changes the spec of a Workspace, Namespace, Deployment or Savepoint, and that of a Queue only in namespaces it made',
        "request.resource.resource + ' ' + request.name + ' keeps its spec'"),
      rule('millrace-delete',
        `!variables.isMillrace || request.operation != 'DELETE' || request.resource.resource == 'millracenamespaces' || (request.resource.resource in ${celList(['deployments', 'queues', 'savepoints'])} && variables.inOwnNamespace)`,
        'the Millrace operator deletes Deployments, Queues and Savepoints only in namespaces it made, and never a Workspace',
        `'not ' + request.resource.resource + ' ' + request.name + ' in ' + ${SCOPE}`),
      rule('priorityclass-own',
        `!variables.isPriorityClass || ((request.operation == 'CREATE' || ${labelIs('oldObject', LABELS.managedBy, managed)}) && (!variables.writes || (${labelIs('object', LABELS.managedBy, managed)} && object.metadata.name.startsWith('millrace-') && object.value == 0 && !(has(object.globalDefault) && object.globalDefault) && has(object.preemptionPolicy) && object.preemptionPolicy == 'Never')))`,
        `the Millrace operator writes and deletes only its own queue PriorityClasses (label ${LABELS.managedBy}=${MANAGED_BY}, name millrace-*, value 0, preemptionPolicy Never, not globalDefault)`,
        "request.name + ' is not one'"),
    ],
  };
}
