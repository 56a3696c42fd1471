// Mints a namespace's credentials with STS AssumeRole (AWS SDK v3), signed with the workspace key.
// AWS S3: the role (spec.storage.namespaceCredentials.roleArn) must trust the workspace key's user
// and allow the bucket; MinIO: the STS endpoint is the MinIO address and the role is ignored. The
// session policy narrows the result to one namespace's prefixes. Errors never carry a credential.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { MillraceError } from '../errors.ts';
import type { MintedCredentials } from './namespace-secret.ts';

export interface MintRequest {
  /** unset: the STS of the region (AWS) */
  endpoint?: string;
  region: string;
  workspaceKey: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** MinIO accepts any value; AWS needs the role's ARN */
  roleArn?: string;
  /** names the session in the provider's audit log: the namespace */
  sessionName: string;
  policy: string;
  durationSeconds: number;
}

export interface CredentialMinter {
  mint(request: MintRequest): Promise<MintedCredentials>;
}

/** A role ARN that MinIO accepts (it ignores the value) when the Workspace names none. */
export const PLACEHOLDER_ROLE_ARN = 'arn:aws:iam::000000000000:role/millrace-namespace';

export function stsCredentialMinter(timeoutMs = 10_000): CredentialMinter {
  return {
    async mint(r) {
      const client = new STSClient({ region: r.region, ...(r.endpoint ? { endpoint: r.endpoint } : {}), credentials: r.workspaceKey, maxAttempts: 2 });
      try {
        const out = await client.send(new AssumeRoleCommand({
          RoleArn: r.roleArn ?? PLACEHOLDER_ROLE_ARN,
          RoleSessionName: r.sessionName.slice(0, 64),
          Policy: r.policy,
          DurationSeconds: r.durationSeconds,
        }), { abortSignal: AbortSignal.timeout(timeoutMs) });
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
          throw new MillraceError('MR_ERR_STORAGE', 'AssumeRole answered without credentials', { transient: true });
        }
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiresAt: c.Expiration.getTime() };
      } catch (err) {
        if (err instanceof MillraceError) throw err;
        const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        const status = e.$metadata?.httpStatusCode;
        // A 4xx is the provider's answer (no STS, role not assumable, policy refused); anything else may pass.
        throw new MillraceError('MR_ERR_STORAGE', `STS AssumeRole at ${r.endpoint ?? 'AWS STS'} failed: ${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`, { transient: !(status && status >= 400 && status < 500), cause: err });
      } finally {
        client.destroy();
      }
    },
  };
}
