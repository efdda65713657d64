import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Logger } from '../../log/logger.js';
import type { SessionCookies } from './cookies.js';
import { pkceVerifier, SignInRefused, type SignInClient } from './oauth.js';
import type { LoginTransaction, Logins } from './logins.js';
import type { Sessions } from './sessions.js';

/**
 * The sign-in routes. None of them costs an ISC call or a token request unless a browser comes
 * back from ISC's sign-in page with a code for a sign-in it started here: the code is exchanged
 * once, server side, and the browser gets only the session cookie.
 *
 * - `GET /auth/login?returnTo=/path` → ISC's sign-in page (state, PKCE when configured); state,
 *   verifier and `returnTo` travel sealed in the login cookie (nothing is kept at the gateway);
 *   `returnTo` must be a path on this site, normalized, at most MAX_RETURN_TO characters.
 * - `GET /auth/callback` → exchanges the code, starts a new session, back to `returnTo`.
 * - `POST /auth/logout` → ends the session (from an allowed Origin only).
 * - `GET /auth/session` → who is signed in and until when; never a token.
 */
export interface SessionRoutesOptions {
  sessions: Sessions;
  /** Sign-ins in progress: sealed in the login cookie, nothing kept here. */
  logins: Logins;
  client: SignInClient;
  cookies: SessionCookies;
  /** Origins that may act with the session: the public URL's and the CORS allowlist. */
  allowedOrigins: ReadonlySet<string>;
  /** The origin browsers reach the gateway at: the callback comes back there, so sign-in starts there. */
  publicUrl: string;
  logger: Logger;
}

const NO_STORE = { 'cache-control': 'no-store' };

/** Marks `/auth/login` as already sent to the public origin, so a proxy that rewrites Host cannot make a loop. */
const HOST_CHECKED = 'hostChecked';

const firstValue = (header: string | string[] | undefined): string | undefined =>
  (Array.isArray(header) ? header[0] : header)?.split(',')[0].trim() || undefined;

/** The longest `returnTo` once normalized: the sealed login cookie then stays well under a browser's 4 KB. */
export const MAX_RETURN_TO = 2048;

const BASE = 'https://gateway.invalid';

/** Browsers read a backslash as a slash, and drop tabs and newlines: none may appear. */
const unsafe = (c: string) => c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;

/** `path` as a browser resolves it (dot segments removed, the rest percent-encoded), if that stays a path on this site. */
function resolvedLocally(path: string): string | undefined {
  if (!path.startsWith('/') || path.startsWith('//') || [...path].some(unsafe)) return undefined;
  const url = new URL(path, BASE);
  if (url.origin !== BASE || url.pathname.startsWith('//')) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The value and each decoding of it (three at most), or undefined when one does not decode. */
function decodings(raw: string): string[] | undefined {
  const forms = [raw];
  for (let i = 0; i < 3; i++) {
    try {
      const decoded = decodeURIComponent(forms[forms.length - 1]);
      if (decoded === forms[forms.length - 1]) break;
      forms.push(decoded);
    } catch {
      return undefined;
    }
  }
  return forms;
}

/**
 * A path on this site, normalized as a browser would (resolved against the site, dot segments
 * removed, every character outside printable ASCII percent-encoded), or undefined. Browsers treat
 * `//host` and `/\host` as other hosts, and a proxy, framework or frontend may decode the value
 * again, so every decoding of it must stay on this site once resolved too.
 */
export function safeReturnTo(raw: string | null): string | undefined {
  if (raw === null || raw === '') return '/';
  const forms = decodings(raw);
  if (!forms?.every((form) => resolvedLocally(form) !== undefined)) return undefined;
  const normalized = resolvedLocally(raw)!;
  return /^[\x21-\x7e]+$/.test(normalized) ? normalized : undefined;
}

/** Whether `location` can be written as a Location header (Node refuses some characters with ERR_INVALID_CHAR). */
function writable(location: string): boolean {
  try {
    http.validateHeaderValue('location', location);
    return true;
  } catch {
    return false;
  }
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A small page for a browser that cannot be signed in, saying why and where to start again. */
function page(res: http.ServerResponse, status: number, message: string, headers: Record<string, string | string[]> = {}): void {
  const html = `<!doctype html><meta charset="utf-8"><title>Sign-in</title><p>${escapeHtml(message)}</p><p><a href="/auth/login">Sign in again</a></p>\n`;
  res
    .writeHead(status, {
      ...NO_STORE,
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    })
    .end(html);
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...NO_STORE, ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/**
 * Started on another name of this host (127.0.0.1 for localhost, say), the login cookie would
 * belong to a host the callback never reaches: the browser goes to the same path on the public
 * origin first (true: answered so). Once only: behind a proxy that rewrites Host, the public origin
 * is where the browser already is, and one warning says so.
 */
function publicOriginFirst(publicUrl: string, logger: Logger): (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean {
  const publicHost = new URL(publicUrl).host;
  let hostWarned = false;
  return (req, res, url) => {
    const host = (firstValue(req.headers['x-forwarded-host']) ?? req.headers.host ?? publicHost).toLowerCase();
    if (host === publicHost) return false;
    if (!url.searchParams.has(HOST_CHECKED)) {
      const onPublicOrigin = new URL(`${url.pathname}${url.search}`, publicUrl);
      onPublicOrigin.searchParams.set(HOST_CHECKED, '1');
      res.writeHead(302, { ...NO_STORE, location: onPublicOrigin.toString() }).end();
      return true;
    }
    if (!hostWarned) {
      hostWarned = true;
      logger.warn(
        'Sign-in: requests reach the gateway with another Host than SAIL_PUBLIC_URL; a proxy in front should forward Host or X-Forwarded-Host',
        {
          host: host.slice(0, 100),
          publicUrl,
        },
      );
    }
    return false;
  };
}

const sameText = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Why ISC's answer for this sign-in is refused before any token request, or undefined when its code may be exchanged. */
function callbackRefusal(transaction: LoginTransaction, url: URL): string | undefined {
  if (!sameText(url.searchParams.get('state') ?? '', transaction.state)) return "ISC's answer does not belong to the sign-in this browser started.";
  const error = url.searchParams.get('error');
  if (error !== null) return `ISC did not sign you in (${error.slice(0, 100)}).`;
  if (!url.searchParams.get('code')) return "ISC's answer carries no code.";
  // Checked before the code is spent: a session is created only when its answer can be written.
  if (!writable(transaction.returnTo)) return 'This sign-in cannot return to where it started.';
  return undefined;
}

export function sessionRoutes(options: SessionRoutesOptions): (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean> {
  const { sessions, logins, client, cookies, logger } = options;
  const cookieHeader = (req: http.IncomingMessage) => req.headers.cookie;

  const sentToPublicOrigin = publicOriginFirst(options.publicUrl, logger);

  async function login(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (sentToPublicOrigin(req, res, url)) return;
    const returnTo = safeReturnTo(url.searchParams.get('returnTo'));
    if (returnTo === undefined) return page(res, 400, 'returnTo must be a path on this site, such as /app/');
    if (returnTo.length > MAX_RETURN_TO) return page(res, 400, `returnTo is too long: at most ${MAX_RETURN_TO} characters, percent-encoded`);
    const state = randomBytes(32).toString('base64url');
    const verifier = sessions.config.pkce ? pkceVerifier() : undefined;
    const sealed = logins.begin({ state, verifier, returnTo });
    res
      .writeHead(302, {
        ...NO_STORE,
        location: client.authorizeUrl(state, verifier),
        'set-cookie': cookies.write(cookies.login, sealed, Math.floor(sessions.config.loginTimeoutMs / 1000)),
      })
      .end();
  }

  async function callback(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const clearLogin = cookies.write(cookies.login, '', 0);
    const sealed = cookies.read(cookieHeader(req), cookies.login);
    // Unknown, expired or already used: refused before any token request.
    const transaction = sealed === undefined ? undefined : await logins.finish(sealed);
    if (!transaction)
      return page(res, 400, 'This sign-in was not started in this browser, has expired, or was already used.', { 'set-cookie': clearLogin });
    const refusal = callbackRefusal(transaction, url);
    if (refusal !== undefined) return page(res, 400, refusal, { 'set-cookie': clearLogin });
    const code = url.searchParams.get('code')!; // there: callbackRefusal checked
    let tokens;
    try {
      tokens = await client.exchangeCode(code, transaction.verifier);
    } catch (failure) {
      if (failure instanceof SignInRefused)
        return page(res, 400, 'ISC refused the sign-in code (expired or already used).', { 'set-cookie': clearLogin });
      logger.warn('Sign-in: the code exchange failed', { error: (failure as Error).message });
      return page(res, 502, `ISC could not complete the sign-in: ${(failure as Error).message}`, { 'set-cookie': clearLogin });
    }
    // A session id the browser held before (planted, or from an earlier sign-in) is never reused.
    const previous = cookies.read(cookieHeader(req), cookies.session);
    if (previous !== undefined) await sessions.end(previous);
    const { id: sessionId, record } = await sessions.create(tokens);
    logger.info('Signed in', { user: record.user.name });
    res.writeHead(303, { ...NO_STORE, location: transaction.returnTo, 'set-cookie': [cookies.write(cookies.session, sessionId), clearLogin] }).end();
  }

  async function logout(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    if (!origin || !options.allowedOrigins.has(origin))
      return json(res, 403, { error: 'sign-out is accepted from the application’s own origin only' });
    const id = cookies.read(cookieHeader(req), cookies.session);
    if (id !== undefined) await sessions.end(id);
    res.writeHead(204, { ...NO_STORE, 'set-cookie': cookies.write(cookies.session, '', 0) }).end();
  }

  async function session(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const id = cookies.read(cookieHeader(req), cookies.session);
    const record = id === undefined ? undefined : await sessions.load(id);
    if (!record) return json(res, 200, { signedIn: false }, id === undefined ? {} : { 'set-cookie': cookies.write(cookies.session, '', 0) });
    return json(res, 200, {
      signedIn: true,
      user: record.user,
      signedInAt: new Date(record.createdAt).toISOString(),
      expiresAt: new Date(sessions.expiresAt(record)).toISOString(),
    });
  }

  const routes: Record<string, { method: string; handle: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void> }> = {
    '/auth/login': { method: 'GET', handle: login },
    '/auth/callback': { method: 'GET', handle: callback },
    '/auth/logout': { method: 'POST', handle: logout },
    '/auth/session': { method: 'GET', handle: session },
  };

  return async (req, res, url) => {
    const route = routes[url.pathname];
    if (!route) return false;
    if (req.method !== route.method && !(route.method === 'GET' && req.method === 'HEAD')) {
      json(res, 405, { error: `${route.method} only` }, { allow: route.method });
      return true;
    }
    await route.handle(req, res, url);
    return true;
  };
}
