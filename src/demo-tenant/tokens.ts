import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { decodeQuery, mediaType, sendJson } from './http.js';
import type { RecordedRequest } from './http.js';

/** The demo tenant's token endpoint: HS256 JWTs for the client-credentials grant, checked on every API call. */

/** The client the token endpoint accepts. */
export interface TokenClient {
  clientId: string;
  clientSecret: string;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export interface TokenIssuer {
  lifetimeSeconds: number;
  issue(clientId: string): { token: string; jti: string };
  /** The OAuth client a valid token was issued to. */
  clientOf(authorization: string | undefined): string;
  /** Why the Authorization header is refused, or undefined when it carries a valid token. */
  check(authorization: string | undefined): string | undefined;
  expireAll(): void;
  identity: { tenantId: string; identityId: string; userName: string };
}

export function createTokenIssuer(lifetimeSeconds: number): TokenIssuer {
  const signingKey = randomBytes(32);
  const expiries = new Map<string, number>(); // token → expiry in ms since epoch
  const clients = new Map<string, string>(); // token → client_id
  const identity = { tenantId: randomUUID(), identityId: randomBytes(16).toString('hex'), userName: 'demo.admin' };
  const issuer: TokenIssuer = {
    identity,
    lifetimeSeconds,
    clientOf(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      return (match && clients.get(match[1])) ?? 'unknown';
    },
    issue(clientId) {
      const lifetimeSeconds = issuer.lifetimeSeconds;
      const now = Date.now();
      const iat = Math.floor(now / 1000);
      const jti = randomUUID();
      const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
      const payload = base64url(
        JSON.stringify({
          tenant_id: identity.tenantId,
          internal: true,
          pod: 'demo',
          org: 'demo',
          identity_id: identity.identityId,
          user_name: identity.userName,
          strong_auth: false,
          authorities: ['ORG_ADMIN'],
          client_id: clientId,
          scope: ['sp:scopes:all'],
          iat,
          exp: iat + lifetimeSeconds,
          jti,
        }),
      );
      const signature = createHmac('sha256', signingKey).update(`${header}.${payload}`).digest('base64url');
      const token = `${header}.${payload}.${signature}`;
      expiries.set(token, now + lifetimeSeconds * 1000);
      clients.set(token, clientId);
      return { token, jti };
    },
    check(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) return 'JWT validation failed: JWT is missing';
      const expiry = expiries.get(match[1]);
      if (expiry === undefined) return 'JWT validation failed: JWT is invalid';
      if (Date.now() >= expiry) return 'JWT validation failed: JWT is expired';
      return undefined;
    },
    expireAll() {
      for (const token of expiries.keys()) expiries.set(token, 0);
    },
  };
  return issuer;
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** POST /oauth/token, client-credentials grant; parameters from the query and/or a form body. */
export function handleToken(res: ServerResponse, record: RecordedRequest, raw: Buffer, opts: TokenClient, issuer: TokenIssuer): void {
  if (record.method !== 'POST') {
    sendJson(res, 405, { error: 'method_not_allowed', error_description: `Request method '${record.method}' is not supported` });
    return;
  }
  const params = { ...record.query };
  if (mediaType(record.headers['content-type']) === 'application/x-www-form-urlencoded') {
    Object.assign(params, decodeQuery(raw.toString('utf8')));
  }
  // Spring's token endpoint also takes the client in an HTTP Basic header.
  const basic = /^Basic\s+(\S+)$/i.exec(record.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      params.client_id ??= decoded.slice(0, colon);
      params.client_secret ??= decoded.slice(colon + 1);
    }
  }
  // Client authentication comes before the grant type is looked at, as in ISC.
  if (
    params.client_id === undefined ||
    params.client_secret === undefined ||
    !safeEqual(params.client_id, opts.clientId) ||
    !safeEqual(params.client_secret, opts.clientSecret)
  ) {
    sendJson(res, 401, { error: 'invalid_client', error_description: 'Bad credentials' });
    return;
  }
  if (params.grant_type === undefined) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'Missing grant type' });
    return;
  }
  if (params.grant_type !== 'client_credentials') {
    sendJson(res, 400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${params.grant_type}` });
    return;
  }
  const { token, jti } = issuer.issue(opts.clientId);
  sendJson(res, 200, {
    access_token: token,
    token_type: 'bearer',
    expires_in: issuer.lifetimeSeconds,
    scope: 'sp:scopes:all',
    tenant_id: issuer.identity.tenantId,
    internal: true,
    pod: 'demo',
    org: 'demo',
    identity_id: issuer.identity.identityId,
    user_name: issuer.identity.userName,
    strong_auth: false,
    jti,
  });
}

/** The client a token request named (form body or query), shown in the request summaries. */
export function tokenClientId(record: RecordedRequest): string | null {
  const form = mediaType(record.headers['content-type']) === 'application/x-www-form-urlencoded' ? decodeQuery(record.body) : {};
  return form.client_id ?? record.query.client_id ?? null;
}

/** `GET /__demo/stats` and `GET /__demo/requests?since=<ms>`: demo-only, loopback callers only. */
