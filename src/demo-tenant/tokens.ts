import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { decodeQuery, mediaType, sendJson } from './http.js';
import type { RecordedRequest } from './http.js';
import { ALL_SCOPES } from './scopes.js';
import { CLIENT_CREDENTIALS_IDENTITY } from './seed/users.js';

/**
 * The demo tenant's access tokens and token endpoint: HS256 JWTs, checked on every API call, for
 * the client-credentials grant (here) and the sign-in grants (authorization code, refresh token:
 * sign-in.ts). The issuer remembers each live token's expiry and grant, and forgets expired ones.
 */

/** What an access token stands for: its client, identity, user levels and scopes. */
export interface AccessGrant {
  clientId: string;
  identityId: string;
  userName: string;
  /** User levels: the token's `authorities`. */
  levels: readonly string[];
  /** The token's `scope`. */
  scopes: readonly string[];
  /** The sign-in a user token belongs to (sign-in.ts), so a reused authorization code can revoke it. */
  session?: string;
}

/** An OAuth client the token endpoint authenticates, with the grant types (token endpoint names) it may use. */
export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  grantTypes: readonly string[];
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');
const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** A compact HS256 JWT of `claims`. */
export function signJwt(key: Buffer, claims: Record<string, unknown>): string {
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', key).update(`${JWT_HEADER}.${payload}`).digest('base64url');
  return `${JWT_HEADER}.${payload}.${signature}`;
}

/** The claims of a JWT signed with `key`, or undefined when it is not one. */
export function verifyJwt(key: Buffer, token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest('base64url');
  if (!safeEqual(parts[2], expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

const bearerOf = (authorization: string | undefined): string | undefined => /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];

export interface IssuedToken {
  token: string;
  jti: string;
  /** The lifetime it was issued with. */
  expiresIn: number;
}

export interface TokenIssuer {
  lifetimeSeconds: number;
  /** The identity client-credentials tokens speak for (ISC: the owner of the API client or PAT). */
  identity: { tenantId: string; identityId: string; userName: string };
  /** A client-credentials token of `clientId`: the demo identity, ORG_ADMIN, `sp:scopes:all` unless `scopes` says otherwise. */
  issue(clientId: string, scopes?: readonly string[]): IssuedToken;
  /** A token for `grant` (a signed-in user's). */
  issueFor(grant: AccessGrant): IssuedToken;
  /** The grant of a valid (known, unexpired) token, or undefined. */
  grantOf(authorization: string | undefined): AccessGrant | undefined;
  /** The OAuth client a token of this tenant was issued to, expired ones included. */
  clientOf(authorization: string | undefined): string;
  /** Why the Authorization header is refused, or undefined when it carries a valid token. */
  check(authorization: string | undefined): string | undefined;
  expireAll(): void;
  /** Expires every token of a sign-in session. */
  revokeSession(session: string): void;
  /** How many tokens it remembers (live ones, and expired ones not yet forgotten). */
  remembered(): number;
}

/** Expired tokens are forgotten once the map has grown to twice its size after the last pass (and at least this). */
const MIN_PRUNE_SIZE = 1024;

/** The identity claims of ISC's tokens, as its token answer repeats them. */
export function identityClaims(tenantId: string, grant: Pick<AccessGrant, 'identityId' | 'userName'>) {
  return {
    tenant_id: tenantId,
    internal: true,
    pod: 'demo',
    org: 'demo',
    identity_id: grant.identityId,
    user_name: grant.userName,
    strong_auth: false,
  };
}

export function createTokenIssuer(lifetimeSeconds: number): TokenIssuer {
  const signingKey = randomBytes(32);
  // token → expiry (ms since epoch) and grant. A token of this tenant that is not here was
  // forgotten after it expired (the signature tells it from a token never issued).
  const tokens = new Map<string, { expiresAt: number; grant: AccessGrant }>();
  let pruneAt = MIN_PRUNE_SIZE;
  const identity = { tenantId: randomUUID(), identityId: CLIENT_CREDENTIALS_IDENTITY.id, userName: CLIENT_CREDENTIALS_IDENTITY.name };

  function prune(now: number): void {
    for (const [token, entry] of tokens) if (entry.expiresAt <= now) tokens.delete(token);
    pruneAt = Math.max(MIN_PRUNE_SIZE, tokens.size * 2);
  }

  function issueFor(grant: AccessGrant): IssuedToken {
    const lifetime = issuer.lifetimeSeconds;
    const now = Date.now();
    if (tokens.size >= pruneAt) prune(now);
    const iat = Math.floor(now / 1000);
    const jti = randomUUID();
    const token = signJwt(signingKey, {
      ...identityClaims(identity.tenantId, grant),
      authorities: [...grant.levels],
      client_id: grant.clientId,
      scope: [...grant.scopes],
      iat,
      exp: iat + lifetime,
      jti,
    });
    tokens.set(token, { expiresAt: now + lifetime * 1000, grant });
    return { token, jti, expiresIn: lifetime };
  }

  const issuer: TokenIssuer = {
    identity,
    lifetimeSeconds,
    issue: (clientId, scopes = [ALL_SCOPES]) =>
      issueFor({ clientId, identityId: identity.identityId, userName: identity.userName, levels: ['ORG_ADMIN'], scopes }),
    issueFor,
    grantOf(authorization) {
      const entry = tokens.get(bearerOf(authorization) ?? '');
      return entry && Date.now() < entry.expiresAt ? entry.grant : undefined;
    },
    clientOf(authorization) {
      const token = bearerOf(authorization);
      if (token === undefined) return 'unknown';
      const known = tokens.get(token)?.grant.clientId;
      if (known !== undefined) return known;
      const claims = verifyJwt(signingKey, token);
      return typeof claims?.client_id === 'string' ? claims.client_id : 'unknown';
    },
    check(authorization) {
      const token = bearerOf(authorization);
      if (token === undefined) return 'JWT validation failed: JWT is missing';
      const entry = tokens.get(token);
      if (entry === undefined)
        return verifyJwt(signingKey, token) ? 'JWT validation failed: JWT is expired' : 'JWT validation failed: JWT is invalid';
      if (Date.now() >= entry.expiresAt) return 'JWT validation failed: JWT is expired';
      return undefined;
    },
    expireAll() {
      for (const entry of tokens.values()) entry.expiresAt = 0;
    },
    revokeSession(session) {
      for (const entry of tokens.values()) if (entry.grant.session === session) entry.expiresAt = 0;
    },
    remembered: () => tokens.size,
  };
  return issuer;
}

// ---------------------------------------------------------------------------------------------
// POST /oauth/token

/** A token endpoint answer: JSON with a status. */
export interface TokenAnswer {
  status: number;
  json: unknown;
}

/** Answers one grant for an authenticated client that may use it. */
export type GrantHandler = (params: Record<string, string>, client: RegisteredClient) => TokenAnswer | Promise<TokenAnswer>;

export interface TokenEndpoint {
  clients: readonly RegisteredClient[];
  issuer: TokenIssuer;
  /** The grants besides client_credentials, by grant type. */
  grants: Readonly<Record<string, GrantHandler>>;
}

/** The grant types the endpoint knows; any other is `unsupported_grant_type`. */
const KNOWN_GRANT_TYPES = ['client_credentials', 'authorization_code', 'refresh_token'];

/** OAuth answers carrying tokens must not be cached (RFC 6749, 5.1). */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export const oauthError = (status: number, error: string, description: string): TokenAnswer => ({
  status,
  json: { error, error_description: description },
});

/** The form body of a token request, when it has one. */
const formOf = (record: RecordedRequest, body: string): Record<string, string> =>
  mediaType(record.headers['content-type']) === 'application/x-www-form-urlencoded' ? decodeQuery(body) : {};

/** The client of an HTTP Basic Authorization header (ISC's token endpoint also takes the client so). */
function basicClient(authorization: string | undefined): { id: string; secret: string } | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : undefined;
}

/** POST /oauth/token; parameters from the query and/or a form body, the client also from HTTP Basic. */
export async function handleToken(res: ServerResponse, record: RecordedRequest, raw: Buffer, endpoint: TokenEndpoint): Promise<void> {
  if (record.method !== 'POST') {
    sendJson(res, 405, { error: 'method_not_allowed', error_description: `Request method '${record.method}' is not supported` });
    return;
  }
  const params = { ...record.query, ...formOf(record, raw.toString('utf8')) };
  const basic = basicClient(record.headers.authorization);
  if (basic) {
    params.client_id ??= basic.id;
    params.client_secret ??= basic.secret;
  }
  // Client authentication comes before the grant type is looked at, as in ISC.
  const client = params.client_id === undefined ? undefined : endpoint.clients.find((c) => c.clientId === params.client_id);
  if (client === undefined || params.client_secret === undefined || !safeEqual(params.client_secret, client.clientSecret)) {
    sendJson(res, 401, { error: 'invalid_client', error_description: 'Bad credentials' });
    return;
  }
  const grantType = params.grant_type;
  if (grantType === undefined) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'Missing grant type' });
    return;
  }
  if (!KNOWN_GRANT_TYPES.includes(grantType)) {
    sendJson(res, 400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grantType}` });
    return;
  }
  if (!client.grantTypes.includes(grantType)) {
    const answer = oauthError(400, 'unauthorized_client', `The client ${client.clientId} may not use the grant type ${grantType}`);
    sendJson(res, answer.status, answer.json, NO_STORE);
    return;
  }
  if (grantType === 'client_credentials') {
    const { issuer } = endpoint;
    const { token, jti, expiresIn } = issuer.issue(client.clientId);
    sendJson(res, 200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: expiresIn,
      scope: ALL_SCOPES,
      ...identityClaims(issuer.identity.tenantId, issuer.identity),
      jti,
    });
    return;
  }
  const answer = await endpoint.grants[grantType](params, client);
  if (!res.destroyed) sendJson(res, answer.status, answer.json, NO_STORE);
}

/** The client a token request named (form body, query or HTTP Basic; never its secret), shown in the request summaries. */
export function tokenClientId(record: RecordedRequest): string | null {
  return formOf(record, record.body).client_id ?? record.query.client_id ?? basicClient(record.headers.authorization)?.id ?? null;
}

/** The grant type a token request named, shown in the request summaries and counted in the stats. */
export function tokenGrantType(record: RecordedRequest): string | null {
  return formOf(record, record.body).grant_type ?? record.query.grant_type ?? null;
}
