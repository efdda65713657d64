import type http from 'node:http';
import type { Got } from 'got';
import type { GraphQLError } from 'graphql';
import type { SharedStore } from '../../redis/connection.js';
import type { SessionCredential } from '../../isc/types.js';
import type { Logger } from '../../log/logger.js';
import { registerSecret } from '../../log/redaction.js';
import { refusalError } from '../../shared/errors.js';
import { sessionCookies } from './cookies.js';
import { createLogins } from './logins.js';
import { createSignInClient } from './oauth.js';
import { sessionRoutes } from './routes.js';
import { createSessions, ended } from './sessions.js';
import type { SessionConfig } from '../../config/auth-and-sessions.js';
import { memoryStore, redisStore } from './store.js';

/** Sign-in at the gateway, wired: the sign-in client, the session store, the cookies and the routes. */
export interface SessionMode {
  /** The origin browsers use to reach the gateway: sign-in works there only (its cookies are that host's). */
  publicUrl: string;
  redirectUri: string;
  /** Origins that may act with a session cookie: the public URL's and the CORS allowlist. */
  allowedOrigins: ReadonlySet<string>;
  routes(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean>;
  /**
   * The session of a request that carries a session cookie, undefined without one. A cookie of no
   * live session is UNAUTHENTICATED (never a fallback to another credential), and a cookie sent
   * from an Origin not allowed is FORBIDDEN.
   */
  sessionOf(headers: {
    cookie?: string;
    origin?: string;
  }): Promise<{ credential: SessionCredential; user: { id: string; name: string } } | undefined>;
}

export interface SessionModeOptions {
  config: SessionConfig;
  /** The sign-in client and where it signs in (the demo tenant's own, or the configured one). */
  login: { clientId: string; clientSecret: string; authorizeUrl: string };
  tokenUrl: string;
  /** The token requests' HTTP client (proxy agents, token timeout). */
  tokenHttp: Got;
  tokenTimeoutMs: number;
  publicUrl: string;
  corsOrigins: readonly string[];
  /** Redis shared by replicas: sessions (and used sign-ins) live there when given. */
  shared: SharedStore | undefined;
  logger: Logger;
}

function forbiddenOrigin(origin: string): GraphQLError {
  return refusalError('FORBIDDEN', `A signed-in request from ${origin.slice(0, 200)} is not allowed (SAIL_CORS_ORIGINS)`);
}

export function createSessionMode(options: SessionModeOptions): SessionMode {
  const { config, login, logger } = options;
  registerSecret(login.clientSecret);
  for (const secret of config.secrets) registerSecret(secret);
  const redirectUri = `${options.publicUrl}/auth/callback`;
  const client = createSignInClient({
    clientId: login.clientId,
    clientSecret: login.clientSecret,
    authorizeUrl: login.authorizeUrl,
    tokenUrl: options.tokenUrl,
    redirectUri,
    scopes: config.scopes,
    http: options.tokenHttp,
    timeoutMs: options.tokenTimeoutMs,
  });
  const store = options.shared ? redisStore(options.shared) : memoryStore(config.maxSessions);
  const sessions = createSessions({ config, client, sessions: store });
  // Sign-ins in progress are in their cookie; only used ones are marked, in memory apart from the
  // sessions (a mark takes no session's place): at most one per callback that came back.
  const used = options.shared ? store : memoryStore(config.maxSessions);
  const logins = createLogins({ secrets: config.secrets, timeoutMs: config.loginTimeoutMs, used });
  const cookies = sessionCookies(options.publicUrl);
  const allowedOrigins = new Set([new URL(options.publicUrl).origin, ...options.corsOrigins]);
  logger.info('Sign-in at the gateway is on', { login: `${options.publicUrl}/auth/login`, redirectUri, store: options.shared ? 'redis' : 'memory' });
  return {
    publicUrl: options.publicUrl,
    redirectUri,
    allowedOrigins,
    routes: sessionRoutes({ sessions, logins, client, cookies, allowedOrigins, publicUrl: options.publicUrl, logger }),
    async sessionOf({ cookie, origin }) {
      const id = cookies.read(cookie, cookies.session);
      if (id === undefined) return undefined;
      if (origin !== undefined && !allowedOrigins.has(origin)) throw forbiddenOrigin(origin);
      const record = await sessions.load(id);
      if (!record) throw ended();
      return { credential: sessions.credential(id, record), user: record.user };
    },
  };
}
