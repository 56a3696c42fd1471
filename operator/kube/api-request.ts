// Names an API request the way Kubernetes audit logs do (verb + resource[/subresource]), so
// the operator can count what it asks of the API server per reconcile.
export interface ApiRequestKind {
  verb: 'get' | 'list' | 'create' | 'apply' | 'patch' | 'update' | 'delete' | 'other';
  resource: string;
}

const NAMESPACED = /^\/(?:api\/[^/]+|apis\/[^/]+\/[^/]+)\/namespaces\/[^/]+\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/;
const CLUSTER = /^\/(?:api\/[^/]+|apis\/[^/]+\/[^/]+)\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/;

export function apiRequestKind(method: string, path: string, contentType?: string): ApiRequestKind {
  const m = NAMESPACED.exec(path) ?? CLUSTER.exec(path);
  if (!m) return { verb: 'other', resource: 'unknown' };
  const resource = `${m[1]}${m[3] ? `/${m[3]}` : ''}`;
  const named = Boolean(m[2]);
  switch (method) {
    case 'GET': return { verb: named ? 'get' : 'list', resource };
    case 'POST': return { verb: 'create', resource };
    case 'PUT': return { verb: 'update', resource };
    case 'PATCH': return { verb: contentType === 'application/apply-patch+yaml' ? 'apply' : 'patch', resource };
    case 'DELETE': return { verb: 'delete', resource };
    default: return { verb: 'other', resource };
  }
}
