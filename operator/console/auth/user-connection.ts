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
