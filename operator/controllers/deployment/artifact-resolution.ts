// Which job module a Deployment's pods load. A bucket artifact (a name or an s3:// URI of the
// namespace's artifacts) is resolved by the operator before any pod exists: the object must be
// in the workspace bucket under the namespace's own artifacts/ or sql-artifacts/ directory, and
// its sha256 (read with the workspace's credentials) is recorded in status.artifact and put into
// the pods' job URL (s3://bucket/key#sha256=...), so every pod loads exactly those bytes
// (runtime/artifacts/fetch-artifact.ts). A missing object or a digest other than
// spec.source.artifact.sha256 fails the Deployment with the reason, without pods.
// The recorded digest is reused while the job lives (pods recreated, JobManager restarted) and
// resolved again when the spec changes or a stopped job starts again.
import type { DeploymentSpec, DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { MAX_ARTIFACT_BYTES } from '../../../runtime/artifacts/job-loader.ts';
import { formatJobUrl, parseJobUrl } from '../../../runtime/artifacts/job-url.ts';
import { isBucketArtifactRef, resolveArtifactRef } from '../../../runtime/artifacts/layout.ts';
import type { BucketScope } from '../../../runtime/artifacts/layout.ts';
import { artifactArgsToParams } from './artifact-args.ts';
import { holdsCapacity } from './decide.ts';
import type { SourceProblem } from './validate.ts';
import type { ObjectDigest } from './artifact-digest.ts';

export type ArtifactStatus = NonNullable<DeploymentStatus['artifact']>;
export type ArtifactProblemReason = 'ArtifactNotAllowed' | 'ArtifactNotFound' | 'ArtifactTooLarge' | 'ArtifactDigestMismatch' | 'ArtifactStorageUnavailable' | 'InvalidArtifactArgs';

/** What the pods are started with: the job URL and the job's parameters from spec.source.artifact.args. */
export interface PodJob { url: string; params: Array<[string, string]> }

export type ArtifactPlan =
  | { kind: 'none' }
  | { kind: 'direct'; job: PodJob }
  | { kind: 'problem'; problem: SourceProblem }
  | { kind: 'reuse'; job: PodJob; status: ArtifactStatus }
  | { kind: 'resolve'; bucket: string; key: string; params: Array<[string, string]> };

export interface PlanInput {
  spec: DeploymentSpec;
  namespace: string;
  specHash: string;
  previous: DeploymentStatus | undefined;
  /** The namespace's workspace bucket; undefined when it has none. */
  scope: BucketScope | undefined;
}

/** A URI with `entry` added to its fragment (file: and http(s) artifacts load it the same way). */
function withEntry(uri: string, entry: string | undefined): string {
  if (!entry) return uri;
  return `${uri}${uri.includes('#') ? '&' : '#'}entry=${entry}`;
}

export function planArtifact(input: PlanInput): ArtifactPlan {
  const artifact = input.spec.source.artifact;
  if (!artifact) return { kind: 'none' };
  const args = artifactArgsToParams(artifact.args);
  if (!args.ok) return { kind: 'problem', problem: { reason: 'InvalidArtifactArgs', message: args.message } };
  if (!isBucketArtifactRef(artifact.uri)) return { kind: 'direct', job: { url: withEntry(artifact.uri, artifact.entry), params: args.params } };
  if (!input.scope) {
    return { kind: 'problem', problem: { reason: 'ArtifactStorageUnavailable', message: `spec.source.artifact.uri: ${artifact.uri} is a bucket artifact, but namespace ${input.namespace} has no workspace bucket (its Workspace sets no spec.storage); use a file:// or pinned https:// URI, or give the Workspace storage` } };
  }
  const ref = resolveArtifactRef(artifact.uri.replace(/#.*$/, ''), input.scope);
  if (!ref.ok) return { kind: 'problem', problem: { reason: 'ArtifactNotAllowed', message: ref.message } };
  const prev = input.previous?.artifact;
  // A suspended or cancelled Deployment starts nothing: the bucket is not read (a file deleted
  // meanwhile does not fail it); the next start resolves again.
  if (input.spec.state !== 'running') return prev ? { kind: 'reuse', status: prev, job: { url: bucketJobUrl(ref.bucket, ref.key, prev.sha256, artifact.entry), params: args.params } } : { kind: 'none' };
  const pinOk = !artifact.sha256 || prev?.sha256 === artifact.sha256;
  if (prev && prev.uri === artifact.uri && prev.specHash === input.specHash && prev.location === `s3://${ref.bucket}/${ref.key}` && pinOk && holdsCapacity(input.previous?.phase)) {
    return { kind: 'reuse', status: prev, job: { url: bucketJobUrl(ref.bucket, ref.key, prev.sha256, artifact.entry), params: args.params } };
  }
  return { kind: 'resolve', bucket: ref.bucket, key: ref.key, params: args.params };
}

export function bucketJobUrl(bucket: string, key: string, sha256: string, entry: string | undefined): string {
  return formatJobUrl({ base: `s3://${bucket}/${key}`, sha256, ...(entry ? { entry } : {}) });
}

export interface Resolution {
  job?: PodJob;
  status?: ArtifactStatus;
  problem?: SourceProblem;
}

/** The outcome of a 'resolve' plan once the object's digest is known (undefined: no such object). */
export function completeResolution(spec: DeploymentSpec, plan: Extract<ArtifactPlan, { kind: 'resolve' }>, digest: ObjectDigest | undefined, specHash: string, now: string): Resolution {
  const artifact = spec.source.artifact;
  if (!artifact) return {};
  const location = `s3://${plan.bucket}/${plan.key}`;
  if (!digest) {
    return { problem: { reason: 'ArtifactNotFound', message: `spec.source.artifact.uri: ${artifact.uri} does not exist (${location}); upload it with npx millrace artifacts upload; the Deployment starts once it is there (looked at again every 15 s)` } };
  }
  if (digest.tooLarge) {
    return { problem: { reason: 'ArtifactTooLarge', message: `spec.source.artifact.uri: ${location} has ${digest.size} bytes, more than the ${MAX_ARTIFACT_BYTES} a job module may have; bundle it smaller (npx millrace bundle --minify) or leave data out of the module` } };
  }
  if (artifact.sha256 && digest.sha256 !== artifact.sha256) {
    return { problem: { reason: 'ArtifactDigestMismatch', message: `spec.source.artifact.sha256: ${location} has sha256 ${digest.sha256}, not ${artifact.sha256}; upload the file you meant or fix the pin` } };
  }
  const pinFromUri = parseJobUrl(artifact.uri).sha256;
  if (pinFromUri && pinFromUri !== digest.sha256) {
    return { problem: { reason: 'ArtifactDigestMismatch', message: `spec.source.artifact.uri: ${location} has sha256 ${digest.sha256}, not the pinned ${pinFromUri}; upload the file you meant or fix the pin` } };
  }
  const status: ArtifactStatus = { uri: artifact.uri, location, sha256: digest.sha256, size: digest.size, resolvedAt: now, specHash };
  return { status, job: { url: bucketJobUrl(plan.bucket, plan.key, digest.sha256, artifact.entry), params: plan.params } };
}
