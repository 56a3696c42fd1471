// What every route module of the console gets: the signed-in user (with a Kubernetes client
// that acts as that user and an access-review helper), the console's own client for the few
// documented things it does as itself, the JobManager access, drafts storage and the clock.
// Route modules live one file per group under routes/ and are listed in server.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { KubeConnection } from '../kube/kube-connection.ts';
import type { KubeRest } from '../kube/rest-client.ts';
import type { AccessAttributes } from './auth/can-i.ts';
import type { Identity } from './auth/identity.ts';
import type { OidcLogin, OidcTokens } from './auth/oidc.ts';
import type { SessionKeys } from './auth/session-cookie.ts';
import type { JobManagerAccess } from './kube/jobmanager-access.ts';
import type { DraftStore } from './drafts/draft-store.ts';

export interface ConsoleUser extends Identity {
  /** A Kubernetes client authenticated with the user's own token: RBAC decides every call. */
  readonly kube: KubeRest;
  /** The same identity as a raw connection, for non-JSON reads (pod logs). */
  readonly connection: KubeConnection;
  /** May the user do this? (SelfSubjectAccessReview as the user, cached a few seconds) */
  canI(attributes: AccessAttributes): Promise<boolean>;
  /** Throws MR_ERR_CONSOLE_FORBIDDEN naming the verb, resource and namespace when not allowed. */
  require(attributes: AccessAttributes): Promise<void>;
}

/** Sign-in and sign-out (routes/session.ts); other routes get the user through ctx.user. */
export interface SessionApi {
  /** Checks the token with the API server and opens a session: its id (the sealed cookie value) and who signed in. */
  signIn(token: string): Promise<{ id: string; identity: Identity }>;
  /** Opens a session acting as the identity mapped from an OpenID Connect ID token (impersonation), after the API server confirmed it; it lasts while the ID token holds or the refresh token renews it. */
  signInAs(tokens: OidcTokens): Promise<{ id: string; identity: Identity }>;
  /** Ends the session of this cookie value (refused from now on). */
  signOut(id: string | undefined): Promise<void>;
  /** The OpenID Connect sign-in, when the console was started with one. */
  readonly oidc: OidcLogin | undefined;
  /** The session key material, for other sealed cookies (each with its own purpose-derived key). */
  readonly keyMaterial: SessionKeys;
  readonly cookieName: string;
  readonly cookieOptions: { path: string; httpOnly: boolean; sameSite: 'strict'; secure: boolean; maxAge: number };
}

export interface ConsoleContext {
  readonly sessions: SessionApi;
  /** The signed-in user of a request (session cookie or `Authorization: Bearer`); throws MR_ERR_CONSOLE_UNAUTHENTICATED. */
  user(request: FastifyRequest): Promise<ConsoleUser>;
  /** The user, or undefined when the request is not signed in. */
  optionalUser(request: FastifyRequest): Promise<ConsoleUser | undefined>;
  /** Same as user.canI, for code that holds a user. */
  canI(user: ConsoleUser, attributes: AccessAttributes): Promise<boolean>;
  /**
   * The console's own identity (its service account). Used only to list which Millrace
   * namespaces exist (then filtered by the user's own access reviews) and to read a Deployment's
   * JobManager key after the user's access was checked (jobManagers). Never for a user's action.
   */
  readonly service: KubeRest;
  readonly jobManagers: JobManagerAccess;
  /** Drafts in the workspace bucket; undefined when the console has no bucket configured. */
  readonly drafts: DraftStore | undefined;
  readonly now: () => number;
  readonly log: Logger;
}

/** A route group: registers its routes on `app` (an encapsulated child of the console server). */
export type ConsoleRoutes = (app: FastifyInstance, ctx: ConsoleContext) => void | Promise<void>;

/** True when the request comes from a browser page (HTML wanted) rather than an API client. */
export const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

/** After a form post from a page: back to `to` (303) for browsers, the JSON result for API clients. */
export function reply303OrJson(request: FastifyRequest, reply: FastifyReply, to: string, json: unknown): FastifyReply {
  if (wantsHtml(request)) return reply.redirect(to, 303);
  return reply.send(json);
}
