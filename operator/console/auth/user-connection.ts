// A Kubernetes connection that authenticates as the signed-in user: the console's own
// connection gives the API server address and its CA, and every credential of the console
// (client certificate, token) is replaced by the user's bearer token. So every call the console
// makes for a user is authorized by RBAC exactly as `kubectl --token=<theirs>` would be.
import type https from 'node:https';
import type { KubeConnection } from '../../kube/kube-connection.ts';

export function userConnection(base: KubeConnection, token: string): KubeConnection {
  return {
    getCurrentCluster: () => base.getCurrentCluster(),
    async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
      await base.applyToHTTPSOptions(opts);
      delete opts.cert;
      delete opts.key;
      delete opts.pfx;
      const headers = { ...(opts.headers as Record<string, string> | undefined) };
      for (const h of Object.keys(headers)) if (h.toLowerCase() === 'authorization') delete headers[h];
      opts.headers = { ...headers, Authorization: `Bearer ${token}` };
    },
  };
}

/**
 * A connection that acts as an OpenID Connect user the API server itself does not know: the
 * console's own credentials with Impersonate-User/Impersonate-Group headers (the console's
 * ServiceAccount needs `impersonate` on users and groups, operator/console/rbac.ts). The API server
 * then authorizes every call as that user and those groups, exactly as if they had called.
 */
export function impersonatingConnection(base: KubeConnection, identity: { name: string; groups: string[] }): KubeConnection {
  return {
    getCurrentCluster: () => base.getCurrentCluster(),
    async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
      await base.applyToHTTPSOptions(opts);
      const headers: Record<string, string | string[]> = {};
      for (const [h, v] of Object.entries((opts.headers ?? {}) as Record<string, string | string[]>)) if (!h.toLowerCase().startsWith('impersonate-')) headers[h] = v;
      headers['Impersonate-User'] = identity.name;
      if (identity.groups.length > 0) headers['Impersonate-Group'] = identity.groups;
      opts.headers = headers;
    },
  };
}
