// The three ClusterRoles that Namespace members are bound to (RoleBindings per namespace).
// The Helm chart installs these same rules; tests apply them from here.
import { GROUP } from '../api/v1alpha1/meta.ts';
import type { KubeObject } from '../kube/rest-client.ts';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];

function role(name: string, description: string, rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'millrace' }, annotations: { 'millrace.dev/description': description } },
    rules,
  };
}

const viewRules = [
  { apiGroups: [GROUP], resources: ['deployments', 'deployments/status', 'queues', 'queues/status', 'savepoints', 'savepoints/status'], verbs: READ },
  { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'configmaps', 'events', 'resourcequotas'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  // Not a Kubernetes API: files in the workspace bucket, which the console and the CLI serve
  // after a SubjectAccessReview of these verbs (operator/console/routes/artifacts.ts, logs.ts).
  { apiGroups: [GROUP], resources: ['artifacts', 'logs'], verbs: ['get', 'list'] },
];
const ARTIFACT_WRITE = { apiGroups: [GROUP], resources: ['artifacts'], verbs: ['create', 'delete'] };

export function memberClusterRoles(): KubeObject[] {
  return [
    role('millrace-viewer', 'Read deployments, queues, savepoints, their pods, logs and events; list and download artifacts and archived job logs.', viewRules),
    role('millrace-editor', 'Viewer plus create, change and delete deployments and savepoints; upload and delete artifacts.', [
      ...viewRules,
      { apiGroups: [GROUP], resources: ['deployments', 'savepoints'], verbs: WRITE },
      ARTIFACT_WRITE,
    ]),
    role('millrace-owner', 'Editor plus create, change and delete queues.', [
      ...viewRules,
      { apiGroups: [GROUP], resources: ['deployments', 'savepoints', 'queues'], verbs: WRITE },
      ARTIFACT_WRITE,
    ]),
  ];
}
