// The namespace's storage Secret as the operator writes it (pure): the minted credentials under
// the key names the runtime reads (runtime/storage/secret-file-credentials.ts), their expiry as a
// file too (so the runtime knows when to read again), and annotations the operator reads back to
// decide renewal without decoding any credential.
import type { KubeObject, OwnerReference } from '../kube/rest-client.ts';
import type { IssuedCredentials } from './renewal.ts';

export const ANNOTATIONS = {
  issuedAt: 'millrace.dev/credentials-issued-at',
  expiresAt: 'millrace.dev/credentials-expire-at',
  fingerprint: 'millrace.dev/credentials-fingerprint',
} as const;

/** The file (Secret key) with the expiry in ISO 8601. */
export const EXPIRATION_KEY = 'AWS_CREDENTIAL_EXPIRATION';

export interface MintedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ms since the epoch */
  expiresAt: number;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function desiredCredentialsSecret(opts: { name: string; namespace: string; labels: Record<string, string>; owner: OwnerReference; credentials: MintedCredentials; issuedAt: number; fingerprint: string }): KubeObject {
  const c = opts.credentials;
  const expires = new Date(c.expiresAt).toISOString();
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: {
      name: opts.name, namespace: opts.namespace, labels: opts.labels, ownerReferences: [opts.owner],
      annotations: { [ANNOTATIONS.issuedAt]: new Date(opts.issuedAt).toISOString(), [ANNOTATIONS.expiresAt]: expires, [ANNOTATIONS.fingerprint]: opts.fingerprint },
    },
    data: { AWS_ACCESS_KEY_ID: b64(c.accessKeyId), AWS_SECRET_ACCESS_KEY: b64(c.secretAccessKey), AWS_SESSION_TOKEN: b64(c.sessionToken), [EXPIRATION_KEY]: b64(expires) },
  };
}

/** What an existing Secret says about its credentials; undefined when it holds none the operator minted. */
export function issuedCredentialsOf(secret: KubeObject | undefined): IssuedCredentials | undefined {
  const a = secret?.metadata.annotations ?? {};
  const issuedAt = Date.parse(a[ANNOTATIONS.issuedAt] ?? '');
  const expiresAt = Date.parse(a[ANNOTATIONS.expiresAt] ?? '');
  const fingerprint = a[ANNOTATIONS.fingerprint];
  const data = (secret?.data ?? {}) as Record<string, string>;
  if (Number.isNaN(issuedAt) || Number.isNaN(expiresAt) || !fingerprint || !data.AWS_SESSION_TOKEN || !data.AWS_ACCESS_KEY_ID) return undefined;
  return { issuedAt, expiresAt, fingerprint };
}
