// The console's coded errors: every refusal the console's HTTP API answers, with its status.
// Responses carry `{ error: { code, message } }`; tests and the browser code match on `code`.
// Which layer refused is in the code itself (authentication, authorization, input, upstream).

export const CONSOLE_ERRORS = {
  MR_ERR_CONSOLE_UNAUTHENTICATED: { status: 401, description: 'No session and no bearer token: sign in with a Kubernetes token.' },
  MR_ERR_CONSOLE_TOKEN_INVALID: { status: 401, description: 'The Kubernetes API server did not accept the token (expired, revoked or for another cluster).' },
  MR_ERR_CONSOLE_OIDC_SIGN_IN: { status: 401, description: 'The OpenID Connect sign-in failed: the provider refused, or its answer (state, PKCE, ID token signature, issuer, audience, expiry, nonce) did not check out, or the token lacks the username claim.' },
  MR_ERR_CONSOLE_OIDC_SESSION_ENDED: { status: 401, description: 'The OpenID provider refused to renew an expired ID token (signed out or revoked at the provider): the console session ended; sign in again.' },
  MR_ERR_CONSOLE_OIDC_UNAVAILABLE: { status: 503, description: 'The OpenID provider could not be reached to renew an expired ID token; the session is kept, try again when the provider answers.' },
  MR_ERR_CONSOLE_SESSION_TOO_LARGE: { status: 400, description: 'The session does not fit in a cookie (too many groups or a very long token).' },
  MR_ERR_CONSOLE_FORBIDDEN: { status: 403, description: 'Kubernetes RBAC does not allow the signed-in user this verb on this resource; the message names both.' },
  MR_ERR_CONSOLE_CROSS_SITE: { status: 403, description: 'A state-changing request came from another origin (cross-site request refused).' },
  MR_ERR_CONSOLE_REQUEST_INVALID: { status: 400, description: 'A parameter or body field is missing or invalid; the message names the field and the fix.' },
  MR_ERR_CONSOLE_NOT_FOUND: { status: 404, description: 'No such page, resource or draft (or the user may not know it exists).' },
  MR_ERR_CONSOLE_CONFLICT: { status: 409, description: 'The object changed meanwhile or the action does not apply in its current state.' },
  MR_ERR_CONSOLE_KUBE_API: { status: 502, description: 'The Kubernetes API server refused or failed a request the console made for the user.' },
  MR_ERR_CONSOLE_JOBMANAGER: { status: 502, description: 'The Deployment\'s JobManager could not be reached or refused the request (the job may not run).' },
  MR_ERR_CONSOLE_STORAGE: { status: 502, description: 'The workspace bucket could not be read or written (drafts).' },
  MR_ERR_CONSOLE_NOT_CONFIGURED: { status: 501, description: 'This console was started without what the feature needs (for example no bucket for drafts).' },
  MR_ERR_CONSOLE_INTERNAL: { status: 500, description: 'An unexpected failure inside the console; details are in its log, never in the response.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS;

export class ConsoleError extends Error {
  readonly code: ConsoleErrorCode;
  readonly statusCode: number;
  constructor(code: ConsoleErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ConsoleError';
    this.code = code;
    this.statusCode = CONSOLE_ERRORS[code].status;
  }
}

export const isConsoleError = (e: unknown): e is ConsoleError => e instanceof ConsoleError;
