// What the pods of a Deployment run and run as (pure): the image and service account come from
// its Workspace's spec.pods, which the cluster admin sets; a Deployment may only pick among the
// ones listed there. Also the operator's own check of the podTemplate allowlist, for CRDs older
// than this operator. A refusal names the field and the fix, and fails the Deployment like an
// invalid source (no pods are created).
import type { DeploymentSpec } from '../../api/v1alpha1/deployment.ts';
import { podTemplateProblems } from '../../api/v1alpha1/pod-template.ts';
import { DEFAULT_WORKSPACE_PODS, workspacePodsSchema } from '../../api/v1alpha1/workspace.ts';
import type { WorkspacePods } from '../../api/v1alpha1/workspace.ts';
import type { SourceProblem } from './validate.ts';

export interface PodIdentity {
  image: string;
  /** Undefined: the namespace's default service account. */
  serviceAccountName?: string;
}

/** The Workspace's spec.pods as read from the cache (defaults when absent or unreadable). */
export function workspacePods(raw: unknown): WorkspacePods {
  const parsed = workspacePodsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : DEFAULT_WORKSPACE_PODS;
}

export function resolvePodIdentity(spec: DeploymentSpec, workspace: string | undefined, pods: WorkspacePods, operatorImage: string): PodIdentity | { problem: SourceProblem } {
  const where = workspace ? `Workspace ${workspace}` : 'the Workspace (none found for this namespace)';
  const template = podTemplateProblems(spec.podTemplate);
  if (template.length > 0) {
    return { problem: { reason: 'PodTemplateNotAllowed', message: `${template.map((p) => `${p.field}: ${p.message}`).join('; ')}; remove these fields and apply again` } };
  }
  const image = pods.image ?? operatorImage;
  if (spec.image !== undefined && spec.image !== image && !pods.allowedImages.includes(spec.image)) {
    return { problem: { reason: 'ImageNotAllowed', message: `spec.image: ${spec.image} is not allowed by ${where} (spec.pods.image or spec.pods.allowedImages); remove spec.image to use ${image}, or ask the cluster admin to allow it` } };
  }
  const sa = spec.podTemplate?.serviceAccountName;
  if (sa !== undefined && sa !== pods.serviceAccountName && !pods.allowedServiceAccountNames.includes(sa)) {
    return { problem: { reason: 'ServiceAccountNotAllowed', message: `spec.podTemplate.serviceAccountName: ${sa} is not allowed by ${where} (spec.pods.serviceAccountName or spec.pods.allowedServiceAccountNames); remove it, or ask the cluster admin to allow it` } };
  }
  return { image: spec.image ?? image, serviceAccountName: sa ?? pods.serviceAccountName };
}
