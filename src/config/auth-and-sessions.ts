import { randomBytes } from 'node:crypto';
import { DEFAULTS } from './defaults.js';
import { ConfigError, commaList, flagSetting as flag, integerSetting as integer, isLoopbackHost, type Environment } from './parse.js';

export type AuthMode = 'auto' | 'client-credentials' | 'passthrough';

/** Who may use the gateway's own credentials. */
export interface AuthConfig {
  mode: AuthMode;
  /** Keys accepted in `X-Api-Key` for requests served with the gateway's own client credentials. */
  apiKeys: string[];
}

export function authConfig(env: Environment, baseUrl: string | undefined): AuthConfig {
  const mode = (env.SAIL_AUTH_MODE ?? DEFAULTS.auth.mode) as AuthMode;
  if (!['auto', 'client-credentials', 'passthrough'].includes(mode)) {
    throw new ConfigError(`SAIL_AUTH_MODE must be auto, client-credentials or passthrough (got "${env.SAIL_AUTH_MODE}")`);
  }
  if (baseUrl && mode !== 'passthrough' && (!env.SAIL_CLIENT_ID || !env.SAIL_CLIENT_SECRET)) {
    throw new ConfigError('SAIL_CLIENT_ID and SAIL_CLIENT_SECRET are required with SAIL_BASE_URL unless SAIL_AUTH_MODE=passthrough');
  }
  return { mode, apiKeys: commaList(env.SAIL_API_KEYS) };
}

/**
 * Sign-in at the gateway (backend-for-frontend session mode): the gateway runs ISC's
 * authorization-code flow with a confidential OAuth client, keeps the tokens, and gives the
 * browser an opaque HttpOnly session cookie. On with `SAIL_LOGIN_CLIENT_ID` for a real tenant,
 * and on by default on the built-in demo tenant (which registers its own sign-in client).
 */
export interface SessionConfig {
  enabled: boolean;
  /** The sign-in OAuth client (CONFIDENTIAL, grant types AUTHORIZATION_CODE and REFRESH_TOKEN); the demo tenant's when undefined. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Where browsers sign in; derived from SAIL_BASE_URL when unset (the demo tenant's own page on the demo). */
  authorizeUrl: string | undefined;
  /** The gateway's public origin: the redirect URI is `<publicUrl>/auth/callback`. Undefined: `http://localhost:<port>` (demo only). */
  publicUrl: string | undefined;
  /** Send PKCE (S256): ISC does not document it, so it is off for real tenants unless asked for. */
  pkce: boolean;
  /** `scope` sent to the authorize endpoint; undefined sends none (ISC then grants the client's scopes). */
  scopes: string | undefined;
  /** The current session secret first, then earlier ones still accepted for reading (rotation). */
  secrets: string[];
  idleTimeoutMs: number;
  maxAgeMs: number;
  /** Sessions kept in memory (without Redis). */
  maxSessions: number;
  /** How long a sign-in may take from /auth/login to /auth/callback (its sealed cookie says until when). */
  loginTimeoutMs: number;
}

const ISC_API_HOST = /^([a-z0-9-]+)\.api\.identitynow\.com$/i;

/** `https://{tenant}.api.identitynow.com` → `https://{tenant}.login.sailpoint.com/oauth/authorize` (ISC's documented sign-in host). */
export function derivedAuthorizeUrl(baseUrl: string): string | undefined {
  const tenant = ISC_API_HOST.exec(new URL(baseUrl).hostname)?.[1];
  return tenant ? `https://${tenant}.login.sailpoint.com/oauth/authorize` : undefined;
}

function publicOrigin(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`SAIL_PUBLIC_URL must be a URL such as https://gateway.example.com (got "${value}")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('SAIL_PUBLIC_URL must be an https:// URL');
  if (url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new ConfigError('SAIL_PUBLIC_URL must be an origin only (scheme, host and port), without path, query or credentials');
  }
  // Cookies of an http origin travel in clear text: fine on the developer's own machine only.
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError('SAIL_PUBLIC_URL must be https:// unless its host is loopback (the session cookie would travel in clear text)');
  }
  return url.origin;
}

function secretsOf(env: Environment, required: boolean): string[] {
  const current = env.SAIL_SESSION_SECRET || undefined;
  const previous = commaList(env.SAIL_SESSION_PREVIOUS_SECRETS);
  for (const secret of [current, ...previous]) {
    if (secret !== undefined && secret.length < 32)
      throw new ConfigError('SAIL_SESSION_SECRET and SAIL_SESSION_PREVIOUS_SECRETS must be at least 32 characters each');
  }
  if (current) return [current, ...previous];
  if (required) throw new ConfigError('SAIL_SESSION_SECRET (32+ characters) is required with SAIL_LOGIN_CLIENT_ID');
  // The demo: sessions live as long as the process (a restart signs everyone out).
  return [randomBytes(32).toString('base64url'), ...previous];
}

export function sessionConfig(env: Environment, baseUrl: string | undefined, demo: boolean): SessionConfig {
  const defaults = DEFAULTS.session;
  const clientId = env.SAIL_LOGIN_CLIENT_ID || undefined;
  const enabled = flag(env, 'SAIL_LOGIN', demo || clientId !== undefined);
  const real = enabled && !demo;
  if (real && (!clientId || !env.SAIL_LOGIN_CLIENT_SECRET)) {
    throw new ConfigError(
      'Sign-in needs SAIL_LOGIN_CLIENT_ID and SAIL_LOGIN_CLIENT_SECRET (a CONFIDENTIAL ISC OAuth client with AUTHORIZATION_CODE and REFRESH_TOKEN)',
    );
  }
  const publicUrl = publicOrigin(env.SAIL_PUBLIC_URL);
  if (real && !publicUrl) throw new ConfigError('Sign-in needs SAIL_PUBLIC_URL, the origin browsers use to reach the gateway');
  const authorizeUrl = env.SAIL_AUTHORIZE_URL || (real && baseUrl ? derivedAuthorizeUrl(baseUrl) : undefined);
  if (real && !authorizeUrl) {
    throw new ConfigError(
      "SAIL_AUTHORIZE_URL is required: SAIL_BASE_URL is not an {tenant}.api.identitynow.com host to derive ISC's sign-in URL from",
    );
  }
  if (authorizeUrl) {
    const url = new URL(authorizeUrl);
    if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname))
      throw new ConfigError('SAIL_AUTHORIZE_URL must be https:// unless its host is loopback');
  }
  return {
    enabled,
    clientId: real ? clientId : undefined,
    clientSecret: real ? env.SAIL_LOGIN_CLIENT_SECRET : undefined,
    authorizeUrl,
    publicUrl,
    pkce: flag(env, 'SAIL_LOGIN_PKCE', demo),
    scopes: env.SAIL_LOGIN_SCOPES?.trim() || undefined,
    secrets: enabled ? secretsOf(env, real) : [],
    idleTimeoutMs: integer(env, 'SAIL_SESSION_IDLE_TIMEOUT_S', defaults.idleTimeoutSeconds, 1, 30 * 86_400) * 1000,
    maxAgeMs: integer(env, 'SAIL_SESSION_MAX_AGE_S', defaults.maxAgeSeconds, 1, 365 * 86_400) * 1000,
    maxSessions: integer(env, 'SAIL_SESSION_MAX', defaults.maxSessions, 1, 10_000_000),
    loginTimeoutMs: defaults.loginTimeoutMs,
  };
}
