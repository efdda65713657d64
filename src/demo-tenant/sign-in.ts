import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { errorBody } from './errors.js';
import { mediaType, send, type RecordedRequest } from './http.js';
import type { FaultInjector } from './faults.js';
import { DEMO_USERS, findDemoUser, type DemoUser } from './seed/users.js';
import { identityClaims, oauthError, signJwt, type AccessGrant, type RegisteredClient, type TokenAnswer, type TokenIssuer } from './tokens.js';

/**
 * User sign-in, as ISC offers it to web apps: the OAuth 2 authorization-code flow with a
 * confidential client. `GET /oauth/authorize` shows a sign-in page (a demo: pick a seeded user, no
 * password), `POST /oauth/authorize` sends the browser back to the client's redirect URI with a
 * one-time code, and the token endpoint (tokens.ts) exchanges the code for an access token and a
 * refresh token, then refreshes. PKCE (S256 only) is honoured when the client sends a challenge.
 * ISC's specification documents neither PKCE nor refresh-token rotation: the demo tenant accepts
 * PKCE and does not rotate refresh tokens unless asked to (`rotateRefreshTokens`).
 */

/** The sign-in client every demo tenant registers; its secret is public, like the demo client's. */
export const DEMO_LOGIN_CLIENT_ID = 'demo-login-client';
export const DEMO_LOGIN_CLIENT_SECRET = 'demo-login-secret';

export interface SignInSettings {
  /** How long a code may wait to be exchanged (ISC and most servers: about a minute). */
  codeLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  /** Each refresh answers a new refresh token and voids the one used. */
  rotateRefreshTokens: boolean;
  /** Codes remembered at most (pending and recently used); beyond, the oldest are dropped. */
  maxCodes: number;
  /** Refresh tokens remembered at most; beyond, the oldest are dropped (and refuse). */
  maxRefreshTokens: number;
}

export const DEFAULT_SIGN_IN_SETTINGS: SignInSettings = {
  codeLifetimeSeconds: 60,
  refreshTokenLifetimeSeconds: 86_400,
  rotateRefreshTokens: false,
  maxCodes: 1_000,
  maxRefreshTokens: 10_000,
};

/** A used code is remembered this long, so a second use can be told apart and revoke what the first issued. */
const USED_CODE_MEMORY_MS = 10 * 60_000;

export interface LoginClient extends RegisteredClient {
  name: string;
  /** Compared exactly, as ISC compares an OAuth client's `redirectUris`. */
  redirectUris: Set<string>;
}

/** Refuses a redirect URI the demo tenant cannot compare exactly or append a query to. */
export function checkRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new TypeError(`The redirect URI "${uri}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`The redirect URI "${uri}" must be http or https`);
  if (uri.includes('#')) throw new TypeError(`The redirect URI "${uri}" must not have a fragment`);
  if (!/^[\x21-\x7e]+$/.test(uri)) throw new TypeError(`The redirect URI "${uri}" must be printable ASCII without spaces (percent-encode the rest)`);
}

// ---------------------------------------------------------------------------------------------
// HTML

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b2631}',
  'main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}',
  'h1{font-size:1.4rem;margin-top:0}ul{list-style:none;padding:0}li{margin:.5rem 0}',
  'button{font:inherit;width:100%;text-align:left;padding:.75rem 1rem;border:1px solid #c5ced6;border-radius:6px;background:#fff;cursor:pointer}',
  'button:hover{background:#eef3f7}button.cancel{text-align:center;background:#f4f6f8}small{display:block;color:#5d6d7e}',
].join('');
/** The one inline style, allowed by its hash: the pages run no script at all. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; frame-ancestors 'none'`,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} · ISC demo tenant</title><style>${STYLE}</style></head>`,
    `<body><main>${body}</main></body>`,
    '</html>',
    '',
  ].join('\n');
}

const sendHtml = (res: ServerResponse, status: number, html: string): void => send(res, status, html, 'text/html;charset=utf-8', SECURITY_HEADERS);

/** A refused sign-in request: a page, never a redirect (the redirect URI is not to be trusted). */
function refuse(res: ServerResponse, status: number, problem: string): void {
  sendHtml(
    res,
    status,
    page(
      'Sign-in request refused',
      `<h1>Sign-in request refused</h1>\n<p>${escapeHtml(problem)}</p>\n<p><small>The application that sent you here made a request the demo tenant cannot accept.</small></p>`,
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// The authorization request

interface AuthorizeRequest {
  client: LoginClient;
  redirectUri: string;
  /** Echoed exactly; undefined when the request had none. */
  state: string | undefined;
  challenge: string | undefined;
  /** The parameters as received, carried through the sign-in form. */
  fields: [string, string][];
}

const AUTHORIZE_PARAMETERS = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method'];

/** The request, or why it is refused. Checked on the page and again on the form's post. */
function readAuthorizeRequest(params: URLSearchParams, clients: readonly RegisteredClient[], login: LoginClient): AuthorizeRequest | string {
  for (const name of [...AUTHORIZE_PARAMETERS, 'user', 'cancel']) {
    if (params.getAll(name).length > 1) return `The parameter ${name} is given more than once.`;
  }
  const get = (name: string): string | undefined => params.get(name) ?? undefined;
  const clientId = get('client_id');
  if (!clientId) return 'The parameter client_id is missing.';
  if (clientId !== login.clientId) {
    return clients.some((c) => c.clientId === clientId)
      ? `The OAuth client ${clientId} may not use the authorization-code grant.`
      : `There is no OAuth client ${clientId}.`;
  }
  const redirectUri = get('redirect_uri');
  if (!redirectUri) return 'The parameter redirect_uri is missing.';
  if (!login.redirectUris.has(redirectUri)) return `The redirect URI ${redirectUri} is not registered for the OAuth client ${clientId}.`;
  const responseType = get('response_type');
  if (responseType !== 'code') return `The response type must be code${responseType === undefined ? '' : `, not ${responseType}`}.`;
  const challenge = get('code_challenge');
  const method = get('code_challenge_method');
  if (method !== undefined && method !== 'S256') return `The code challenge method ${method} is not supported: use S256 (plain is refused).`;
  if (challenge !== undefined && method === undefined) return 'A code_challenge needs code_challenge_method=S256 (the default, plain, is refused).';
  if (challenge === undefined && method !== undefined) return 'code_challenge_method was given without a code_challenge.';
  if (challenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
    return 'The code_challenge must be the base64url-encoded SHA-256 of the code verifier (43 characters).';
  }
  const fields = AUTHORIZE_PARAMETERS.filter((name) => params.has(name)).map((name): [string, string] => [name, params.get(name) as string]);
  return { client: login, redirectUri, state: get('state'), challenge, fields };
}

/** The redirect URI with `params` appended to the query it may already have (values percent-encoded, `state` byte for byte). */
function redirectTo(uri: string, params: [string, string | undefined][]): string {
  const query = params
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  const separator = !uri.includes('?') ? '?' : /[?&]$/.test(uri) ? '' : '&';
  return `${uri}${separator}${query}`;
}

function signInPage(request: AuthorizeRequest): string {
  const hidden = request.fields.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('\n');
  const users = DEMO_USERS.map(
    (u) =>
      `<li><button type="submit" name="user" value="${escapeHtml(u.name)}"><strong>${escapeHtml(u.displayName)}</strong> (${escapeHtml(u.name)})` +
      `<small>${escapeHtml(u.description)} · ${escapeHtml(u.levels.join(', '))}</small></button></li>`,
  ).join('\n');
  return page(
    'Sign in',
    [
      '<h1>Sign in to the ISC demo tenant</h1>',
      `<p>${escapeHtml(request.client.name)} asks you to sign in. This is a demo tenant: choose who you are, no password needed.</p>`,
      '<form method="post" action="/oauth/authorize">',
      hidden,
      `<ul>\n${users}\n</ul>`,
      '<button class="cancel" type="submit" name="cancel" value="cancel">Cancel</button>',
      '</form>',
      `<p><small>You will return to ${escapeHtml(request.redirectUri)}</small></p>`,
    ].join('\n'),
  );
}

// ---------------------------------------------------------------------------------------------
// Codes, refresh tokens, grants

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  user: DemoUser;
  challenge: string | undefined;
  expiresAt: number;
  /** Set by the first redemption, whatever its outcome: a code is good for one attempt. */
  usedAt: number | undefined;
  /** The sign-in session the code's tokens belong to. */
  session: string;
}

interface RefreshRecord {
  grant: AccessGrant;
  expiresAt: number;
}

export interface SignIn {
  client: LoginClient;
  registerRedirectUri(uri: string): void;
  /** GET and POST /oauth/authorize. */
  handleAuthorize(res: ServerResponse, record: RecordedRequest, raw: Buffer): void;
  /** The token endpoint's authorization_code and refresh_token grants. */
  grants: {
    authorization_code: (params: Record<string, string>, client: RegisteredClient) => TokenAnswer;
    refresh_token: (params: Record<string, string>, client: RegisteredClient) => Promise<TokenAnswer>;
  };
  /** Every refresh token issued so far refuses from now on. */
  revokeRefreshTokens(): void;
  /** Codes and refresh tokens remembered. */
  remembered(): { authorizationCodes: number; refreshTokens: number };
}

const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

export function createSignIn(options: {
  issuer: TokenIssuer;
  faults: FaultInjector;
  /** Every client of the token endpoint (for clearer refusals). */
  clients: () => readonly RegisteredClient[];
  redirectUris: readonly string[];
  settings: SignInSettings;
  /** Waits `ms`; rejects when the tenant closes. */
  sleep: (ms: number) => Promise<void>;
  /** Waits for `released`; rejects when the tenant closes. */
  until: (released: Promise<void>) => Promise<void>;
}): SignIn {
  const { issuer, faults, settings, sleep } = options;
  const client: LoginClient = {
    clientId: DEMO_LOGIN_CLIENT_ID,
    clientSecret: DEMO_LOGIN_CLIENT_SECRET,
    name: 'Demo sign-in client',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: new Set(),
  };
  const registerRedirectUri = (uri: string): void => {
    checkRedirectUri(uri);
    client.redirectUris.add(uri);
  };
  for (const uri of options.redirectUris) registerRedirectUri(uri);

  const refreshTokens = createRefreshTokens(issuer, faults, settings, sleep);
  const codes = createAuthorizationCodes(issuer, settings, refreshTokens);

  return {
    client,
    registerRedirectUri,
    handleAuthorize: (res, record, raw) => handleAuthorize(res, record, raw, options.clients(), client, codes),
    grants: {
      authorization_code: (params, caller) => codes.redeem(params, caller),
      // Worked out, then held while a test holds refresh answers (faults.holdRefreshes).
      refresh_token: async (params, caller) => {
        const answer = await refreshTokens.refresh(params, caller);
        await options.until(faults.refreshGate());
        return answer;
      },
    },
    revokeRefreshTokens: () => refreshTokens.clear(),
    remembered: () => ({ authorizationCodes: codes.size(), refreshTokens: refreshTokens.size() }),
  };
}

const invalidGrant = (description: string): TokenAnswer => oauthError(400, 'invalid_grant', description);

/** The token endpoint's answer to a grant: a new access token, and the refresh token that goes with it. */
function tokenAnswer(issuer: TokenIssuer, grant: AccessGrant, refreshToken: string): TokenAnswer {
  const { token, jti, expiresIn } = issuer.issueFor(grant);
  return {
    status: 200,
    json: {
      access_token: token,
      token_type: 'bearer',
      expires_in: expiresIn,
      refresh_token: refreshToken,
      scope: grant.scopes.join(' '),
      ...identityClaims(issuer.identity.tenantId, grant),
      jti,
    },
  };
}

/** Refresh tokens, in issue order: at most `maxRefreshTokens` remembered, the expired and the oldest dropped. */
interface RefreshTokens {
  issue(grant: AccessGrant): string;
  /** The refresh_token grant (after the refresh fault, when one is set). */
  refresh(params: Record<string, string>, caller: RegisteredClient): Promise<TokenAnswer>;
  /** Drops the refresh tokens of one sign-in session. */
  dropSession(session: string): void;
  clear(): void;
  size(): number;
}

function createRefreshTokens(
  issuer: TokenIssuer,
  faults: FaultInjector,
  settings: SignInSettings,
  sleep: (ms: number) => Promise<void>,
): RefreshTokens {
  const refreshTokens = new Map<string, RefreshRecord>(); // in issue order
  const refreshKey = randomBytes(32); // not the access tokens' key: a refresh token is never a bearer token

  function issue(grant: AccessGrant): string {
    const now = Date.now();
    for (const [token, r] of refreshTokens) if (r.expiresAt <= now) refreshTokens.delete(token);
    for (const oldest of refreshTokens.keys()) {
      if (refreshTokens.size < settings.maxRefreshTokens) break;
      refreshTokens.delete(oldest);
    }
    const iat = Math.floor(now / 1000);
    const token = signJwt(refreshKey, {
      tenant_id: issuer.identity.tenantId,
      client_id: grant.clientId,
      identity_id: grant.identityId,
      user_name: grant.userName,
      scope: [...grant.scopes],
      iat,
      exp: iat + settings.refreshTokenLifetimeSeconds,
      jti: randomUUID(),
    });
    refreshTokens.set(token, { grant, expiresAt: now + settings.refreshTokenLifetimeSeconds * 1000 });
    return token;
  }

  async function refresh(params: Record<string, string>, caller: RegisteredClient): Promise<TokenAnswer> {
    const fault = faults.refreshFault();
    if (fault) {
      if (fault.delayMs > 0) await sleep(fault.delayMs);
      if (fault.status !== undefined) {
        const text = fault.status === 503 ? 'The service is temporarily unavailable' : 'An internal fault occurred';
        return { status: fault.status, json: errorBody(fault.status, text) };
      }
    }
    if (!params.refresh_token) return oauthError(400, 'invalid_request', 'The parameter refresh_token is missing');
    const record = refreshTokens.get(params.refresh_token);
    if (record === undefined) return invalidGrant('The refresh token is unknown or was revoked');
    if (Date.now() >= record.expiresAt) {
      refreshTokens.delete(params.refresh_token);
      return invalidGrant('The refresh token has expired');
    }
    if (record.grant.clientId !== caller.clientId) return invalidGrant('The refresh token was issued to another client');
    let refreshToken = params.refresh_token;
    if (settings.rotateRefreshTokens) {
      refreshTokens.delete(refreshToken);
      refreshToken = issue(record.grant);
    }
    return tokenAnswer(issuer, record.grant, refreshToken);
  }

  return {
    issue,
    refresh,
    dropSession(session) {
      for (const [token, r] of refreshTokens) if (r.grant.session === session) refreshTokens.delete(token);
    },
    clear: () => refreshTokens.clear(),
    size: () => refreshTokens.size,
  };
}

/** One-time authorization codes, in issue order: at most `maxCodes` remembered, a used one kept a while to spot a second use. */
interface AuthorizationCodes {
  issue(request: AuthorizeRequest, user: DemoUser): string;
  /** The authorization_code grant. */
  redeem(params: Record<string, string>, caller: RegisteredClient): TokenAnswer;
  size(): number;
}

function createAuthorizationCodes(issuer: TokenIssuer, settings: SignInSettings, refreshTokens: RefreshTokens): AuthorizationCodes {
  const codes = new Map<string, CodeRecord>(); // in issue order

  function issue(request: AuthorizeRequest, user: DemoUser): string {
    const now = Date.now();
    for (const [code, c] of codes) if ((c.usedAt === undefined ? c.expiresAt : c.usedAt + USED_CODE_MEMORY_MS) <= now) codes.delete(code);
    for (const oldest of codes.keys()) {
      if (codes.size < settings.maxCodes) break;
      codes.delete(oldest);
    }
    const code = randomBytes(32).toString('base64url');
    codes.set(code, {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      user,
      challenge: request.challenge,
      expiresAt: now + settings.codeLifetimeSeconds * 1000,
      usedAt: undefined,
      session: randomUUID(),
    });
    return code;
  }

  function redeem(params: Record<string, string>, caller: RegisteredClient): TokenAnswer {
    if (!params.code) return oauthError(400, 'invalid_request', 'The parameter code is missing');
    const code = codes.get(params.code);
    if (code === undefined) return invalidGrant('The authorization code is unknown or has expired');
    const now = Date.now();
    if (code.usedAt !== undefined) {
      // OAuth 2's advice for a code used twice: someone else may hold it; void what the first use issued.
      issuer.revokeSession(code.session);
      refreshTokens.dropSession(code.session);
      return invalidGrant('The authorization code was already used; the tokens issued for it are revoked');
    }
    code.usedAt = now;
    if (now >= code.expiresAt) return invalidGrant('The authorization code has expired');
    if (code.clientId !== caller.clientId) return invalidGrant('The authorization code was issued to another client');
    if (params.redirect_uri !== code.redirectUri) return invalidGrant('The redirect_uri does not match the one of the authorization request');
    const verifier = params.code_verifier;
    if (code.challenge !== undefined) {
      if (verifier === undefined) return invalidGrant('The authorization request sent a code challenge: a code_verifier is required');
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return invalidGrant('The code_verifier must be 43 to 128 unreserved characters');
      if (s256(verifier) !== code.challenge) return invalidGrant('The code_verifier does not match the code challenge');
    } else if (verifier !== undefined) {
      return invalidGrant('The authorization request sent no code challenge: a code_verifier is not expected');
    }
    const { user } = code;
    const grant: AccessGrant = {
      clientId: caller.clientId,
      identityId: user.id,
      userName: user.name,
      levels: user.levels,
      scopes: user.scopes,
      session: code.session,
    };
    return tokenAnswer(issuer, grant, refreshTokens.issue(grant));
  }

  return { issue, redeem, size: () => codes.size };
}

/** GET /oauth/authorize shows the sign-in page; POST sends the browser back with a code (or access_denied). */
function handleAuthorize(
  res: ServerResponse,
  record: RecordedRequest,
  raw: Buffer,
  clients: readonly RegisteredClient[],
  client: LoginClient,
  codes: AuthorizationCodes,
): void {
  if (record.method === 'GET') {
    const request = readAuthorizeRequest(new URLSearchParams(record.search), clients, client);
    if (typeof request === 'string') refuse(res, 400, request);
    else sendHtml(res, 200, signInPage(request));
    return;
  }
  if (record.method !== 'POST') {
    refuse(res, 405, `The request method ${record.method} is not supported here: use GET, or POST the sign-in form.`);
    return;
  }
  if (mediaType(record.headers['content-type']) !== 'application/x-www-form-urlencoded') {
    refuse(res, 400, 'The sign-in form must be posted as application/x-www-form-urlencoded.');
    return;
  }
  const form = new URLSearchParams(raw.toString('utf8'));
  const request = readAuthorizeRequest(form, clients, client);
  if (typeof request === 'string') {
    refuse(res, 400, request);
    return;
  }
  const userName = form.get('user');
  const cancelled = form.has('cancel');
  let location: string;
  if (cancelled && userName === null) {
    location = redirectTo(request.redirectUri, [
      ['error', 'access_denied'],
      ['state', request.state],
    ]);
  } else {
    const user = cancelled ? undefined : findDemoUser(userName ?? '');
    if (user === undefined) {
      refuse(res, 400, cancelled ? 'Choose a user or cancel, not both.' : `There is no user ${userName ?? '(none chosen)'} to sign in as.`);
      return;
    }
    location = redirectTo(request.redirectUri, [
      ['code', codes.issue(request, user)],
      ['state', request.state],
    ]);
  }
  send(res, 302, undefined, undefined, { Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
}
