// Gives a namespace's pods their storage credentials, in Secret millrace-s3-credentials of the
// namespace. AssumeRole (the default): the workspace key stays with the operator, the namespace
// gets short-lived STS credentials whose session policy allows only its own prefixes, minted
// again when half their lifetime has passed, when the workspace key or the storage settings
// change, or when the Secret is gone. SharedKey: the workspace key is copied (an S3 without STS).
// Conditions and Events never carry a credential.
import type { Namespace } from '../api/v1alpha1/namespace.ts';
import type { Workspace } from '../api/v1alpha1/workspace.ts';
import type { ConditionInput } from '../kube/conditions.ts';
import type { KubeObject, OwnerReference } from '../kube/rest-client.ts';
import { desiredS3Secret, S3_SECRET_NAME } from '../controllers/namespace/desired.ts';
import { LABELS, MANAGED_BY } from '../controllers/shared/context.ts';
import type { ReconcileContext } from '../controllers/shared/context.ts';
import { secretRefRefusal } from '../storage/secret-ref-policy.ts';
import { desiredCredentialsSecret, issuedCredentialsOf } from './namespace-secret.ts';
import { decideRenewal, retryAfterFailureMs } from './renewal.ts';
import { credentialsFingerprint, namespacePrefixes, sessionPolicy } from './session-policy.ts';
import type { CredentialMinter } from './sts-minter.ts';

export interface ProvidedCredentials {
  condition: ConditionInput;
  /** when to look again (renewal due, or a retry after a failure); Infinity for a copied key */
  recheckInMs: number;
}

const decode = (data: Record<string, string>, k: string) => (data[k] ? Buffer.from(data[k], 'base64').toString('utf8') : undefined);

export async function provideNamespaceCredentials(ctx: ReconcileContext, ns: Namespace, workspace: Workspace, owner: OwnerReference, minter: CredentialMinter): Promise<ProvidedCredentials> {
  const storage = workspace.spec.storage;
  const ref = storage.secretRef;
  const source = `${ref.namespace}/${ref.name}`;
  const name = ns.metadata.name;
  let secret: KubeObject | undefined;
  try {
    secret = await ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: ref.namespace, name: ref.name });
  } catch (err) {
    return { condition: { type: 'StorageCredentials', status: 'False', reason: 'SecretUnreadable', message: `cannot read the workspace Secret ${source}: HTTP ${(err as { status?: number }).status ?? 'error'}` }, recheckInMs: 30_000 };
  }
  // Only a Secret the operator's namespace holds (or the admin labelled) is used for tenants.
  const refusal = secretRefRefusal(ref, secret, ctx.operatorNamespace);
  if (refusal) return { condition: { type: 'StorageCredentials', status: 'False', reason: 'SecretNotAllowed', message: refusal }, recheckInMs: Infinity };
  const data = (secret?.data ?? {}) as Record<string, string>;
  const accessKeyId = decode(data, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = decode(data, 'AWS_SECRET_ACCESS_KEY');
  if (!accessKeyId || !secretAccessKey) {
    return { condition: { type: 'StorageCredentials', status: 'False', reason: 'SecretInvalid', message: `the workspace Secret ${source} is missing or lacks AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; pods of this namespace wait for Secret ${S3_SECRET_NAME}` }, recheckInMs: Infinity };
  }

  const mode = storage.namespaceCredentials;
  if (mode.mode === 'SharedKey') {
    const copy = desiredS3Secret(ns, secret, owner);
    if (copy) await ctx.rest.apply(copy, ctx.fieldManager);
    return { condition: { type: 'StorageCredentials', status: 'True', reason: 'Copied', message: `S3 credentials of Secret ${source} copied to Secret ${S3_SECRET_NAME} (spec.storage.namespaceCredentials.mode SharedKey: jobs of every namespace of workspace ${ns.spec.workspace} hold the same key)` }, recheckInMs: Infinity };
  }

  const prefixes = namespacePrefixes(storage.prefix, name);
  const policy = sessionPolicy(storage.bucket, prefixes);
  const stsEndpoint = mode.stsEndpoint ?? storage.endpoint;
  const fingerprint = credentialsFingerprint({ policy, workspaceAccessKeyId: accessKeyId, roleArn: mode.roleArn, durationSeconds: mode.durationSeconds, stsEndpoint });
  const existing = await ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: name, name: S3_SECRET_NAME });
  const current = issuedCredentialsOf(existing);
  const now = ctx.clock.now();
  const decision = decideRenewal(current, fingerprint, now);
  const scope = `prefixes ${[...prefixes.readWrite, ...prefixes.readOnly].map((p) => `${p}`).join(', ')} of bucket ${storage.bucket}`;
  if (!decision.mint) {
    return { condition: issued(current?.expiresAt ?? now, scope), recheckInMs: decision.renewInMs };
  }
  try {
    const credentials = await minter.mint({
      ...(stsEndpoint ? { endpoint: stsEndpoint } : {}), region: storage.region,
      workspaceKey: { accessKeyId, secretAccessKey, ...(decode(data, 'AWS_SESSION_TOKEN') ? { sessionToken: decode(data, 'AWS_SESSION_TOKEN') } : {}) },
      ...(mode.roleArn ? { roleArn: mode.roleArn } : {}),
      sessionName: `millrace-${name}`, policy, durationSeconds: mode.durationSeconds,
    });
    await ctx.rest.apply(desiredCredentialsSecret({
      name: S3_SECRET_NAME, namespace: name, owner, credentials, issuedAt: now, fingerprint,
      labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.workspace]: ns.spec.workspace },
    }), ctx.fieldManager);
    const next = decideRenewal({ issuedAt: now, expiresAt: credentials.expiresAt, fingerprint }, fingerprint, now);
    return { condition: issued(credentials.expiresAt, scope), recheckInMs: next.mint ? retryAfterFailureMs(undefined, now) : next.renewInMs };
  } catch (err) {
    const still = current && current.fingerprint === fingerprint && now < current.expiresAt ? `; the current credentials stay valid until ${new Date(current.expiresAt).toISOString()}` : '';
    return {
      condition: { type: 'StorageCredentials', status: 'False', reason: 'AssumeRoleFailed', message: `${(err as Error).message}${still}. Check spec.storage.namespaceCredentials of Workspace ${ns.spec.workspace}; an S3 without STS needs mode SharedKey or per-namespace keys (docs/security.md)` },
      recheckInMs: retryAfterFailureMs(current, now),
    };
  }
}

function issued(expiresAt: number, scope: string): ConditionInput {
  return { type: 'StorageCredentials', status: 'True', reason: 'Issued', message: `short-lived credentials in Secret ${S3_SECRET_NAME} allow only the ${scope}; valid until ${new Date(expiresAt).toISOString()}, renewed before` };
}
