/**
 * A browser's sign-in through the gateway, step by step over HTTP: /auth/login, the demo tenant's
 * sign-in page (its form posted as a user's click would), the callback. Cookies are carried by
 * hand, as `name=value` pairs.
 */
const unescapeHtml = (text: string): string =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[entity]!);

/** `name=value` of each Set-Cookie of a response. */
export function cookiesSet(response: Response): Record<string, string> {
  return Object.fromEntries(response.headers.getSetCookie().map((line) => line.split(';')[0].split(/=(.*)/s).slice(0, 2) as [string, string]));
}

export const cookieHeader = (cookies: Record<string, string>): string =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

export interface StartedSignIn {
  response: Response;
  /** The login cookie (`name=value`) the gateway set. */
  loginCookie: Record<string, string>;
  /** ISC's (the demo tenant's) sign-in page, with the gateway's parameters. */
  authorizeUrl: URL;
}

const manual = (init: RequestInit = {}): RequestInit => ({ redirect: 'manual', signal: AbortSignal.timeout(10_000), ...init });

/** `headers`: what a load balancer in front adds, such as `X-Forwarded-Host` (the public URL's host). */
export async function startSignIn(
  base: string,
  returnTo?: string,
  cookies: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<StartedSignIn> {
  const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const init = manual({ headers: { ...headers, cookie: cookieHeader(cookies) } });
  let response = await fetch(`${base}/auth/login${query}`, init);
  // A browser on another name of the host (127.0.0.1 for localhost) is first sent to the public origin.
  const toPublicOrigin = response.status === 302 && new URL(response.headers.get('location') ?? 'about:blank', base).pathname === '/auth/login';
  if (toPublicOrigin) response = await fetch(response.headers.get('location')!, init);
  const location = response.headers.get('location');
  return { response, loginCookie: cookiesSet(response), authorizeUrl: new URL(location ?? 'about:blank') };
}

/** The sign-in page's form submitted as `user` (`cancel` cancels): the redirect back to the gateway's callback. */
export async function approveAs(authorizeUrl: URL, user: string): Promise<URL> {
  const page = await (await fetch(authorizeUrl, manual())).text();
  const fields = [...page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(([, name, value]): [string, string] => [
    unescapeHtml(name),
    unescapeHtml(value),
  ]);
  if (fields.length === 0) throw new Error(`the sign-in page has no form:\n${page.slice(0, 500)}`);
  const form = new URLSearchParams(fields);
  form.set(user === 'cancel' ? 'cancel' : 'user', user);
  const answer = await fetch(new URL(authorizeUrl.pathname, authorizeUrl), manual({ method: 'POST', body: form }));
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) throw new Error(`the sign-in page answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
  return new URL(location);
}

/** The callback, on `base` (a replica) whatever host the redirect URI names. */
export function callback(base: string, callbackUrl: URL, cookies: Record<string, string>): Promise<Response> {
  return fetch(`${base}${callbackUrl.pathname}${callbackUrl.search}`, manual({ headers: { cookie: cookieHeader(cookies) } }));
}

export interface SignedIn {
  /** The session cookie, `{ name: value }`. */
  session: Record<string, string>;
  response: Response;
}

/** The whole sign-in of `user`, started and finished on `base` (or finished on `finishOn`). */
export async function signIn(
  base: string,
  user: string,
  options: { returnTo?: string; cookies?: Record<string, string>; finishOn?: string; headers?: Record<string, string> } = {},
): Promise<SignedIn> {
  const started = await startSignIn(base, options.returnTo, options.cookies, options.headers);
  const back = await approveAs(started.authorizeUrl, user);
  const response = await callback(options.finishOn ?? base, back, { ...options.cookies, ...started.loginCookie });
  if (response.status !== 303) throw new Error(`the callback answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const session = Object.fromEntries(Object.entries(cookiesSet(response)).filter(([name, value]) => name.includes('session') && value !== ''));
  return { session, response };
}

/** POST /graphql with the given cookies and headers (an allowed Origin unless given). */
export async function gqlAs(
  base: string,
  cookies: Record<string, string>,
  query: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  body: { data?: any; errors?: { message: string; extensions: Record<string, any> }[]; extensions?: Record<string, any> };
  headers: Headers;
}> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookieHeader(cookies), ...headers },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

/** The grant types of the token requests a demo tenant recorded (`recordRequests`). */
export const grantsOf = (tokenRequests: readonly { body: string }[]): string[] =>
  tokenRequests.map((r) => new URLSearchParams(r.body).get('grant_type') ?? '?');
