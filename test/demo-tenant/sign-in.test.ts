import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { CUSTOMIZER_SEED } from '../../src/demo-tenant/seed/connector-customizers.js';
import { OAUTH_CLIENT_SEED } from '../../src/demo-tenant/seed/oauth-clients.js';
import { DEMO_LOGIN_CLIENT_ID, DEMO_LOGIN_CLIENT_SECRET, DEMO_USERS, startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { expectIscError, perResource } from '../support/demo-tenant-api.js';

// User sign-in against the demo tenant: the authorization-code flow as a browser and a
// backend-for-frontend drive it. Nothing here prints a secret or a token (the runner scans for them).

const REDIRECT = 'http://127.0.0.1:4000/auth/callback';
const REDIRECT_WITH_QUERY = 'http://localhost:4000/auth/callback?tenant=acme&next=%2Fhome';

let tenant: DemoTenant;
beforeAll(async () => {
  tenant = await startDemoTenant({ recordRequests: true, loginRedirectUris: [REDIRECT] });
  tenant.registerRedirectUri(REDIRECT_WITH_QUERY);
});
afterAll(() => tenant.close());
beforeEach(() => {
  tenant.clearRequests();
  tenant.setFaults({});
});

// ---------------------------------------------------------------------------------------------
// A browser: the sign-in page, its form, the redirect back

type Params = Record<string, string>;

const baseParams = (extra: Params = {}): Params => ({
  response_type: 'code',
  client_id: tenant.login.clientId,
  redirect_uri: REDIRECT,
  state: 'state-1',
  ...extra,
});

const openPage = (params: Params, target: DemoTenant = tenant): Promise<Response> =>
  fetch(`${target.login.authorizeUrl}?${new URLSearchParams(params).toString()}`, { redirect: 'manual' });

const unescapeHtml = (text: string): string =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] as string);

/** The sign-in form as a browser sees it: its hidden fields and user buttons. */
function formOf(html: string): { action: string; hidden: [string, string][]; users: string[]; cancel: boolean } {
  const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1] ?? '';
  const hidden = [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m): [string, string] => [
    unescapeHtml(m[1]),
    unescapeHtml(m[2]),
  ]);
  const users = [...html.matchAll(/<button type="submit" name="user" value="([^"]*)">/g)].map((m) => unescapeHtml(m[1]));
  return { action, hidden, users, cancel: /<button [^>]*name="cancel" value="cancel">Cancel<\/button>/.test(html) };
}

/** Posts the form as a browser does when `button` is pressed. */
function press(html: string, button: [string, string], target: DemoTenant = tenant): Promise<Response> {
  const { action, hidden } = formOf(html);
  return fetch(new URL(action, target.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams([...hidden, button]).toString(),
    redirect: 'manual',
  });
}

/** Opens the page and signs in as `user`: the redirect back to the client. */
async function signIn(user = 'ada.admin', params: Params = {}, target: DemoTenant = tenant): Promise<URL> {
  const page = await openPage(baseParams(params), target);
  expect(page.status).toBe(200);
  const answer = await press(await page.text(), ['user', user], target);
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
}

const codeOf = async (user = 'ada.admin', params: Params = {}, target: DemoTenant = tenant): Promise<string> =>
  (await signIn(user, params, target)).searchParams.get('code') ?? '';

// ---------------------------------------------------------------------------------------------
// The client's backend: the token endpoint

const postForm = (params: Params, headers: Record<string, string> = {}, target: DemoTenant = tenant): Promise<Response> =>
  fetch(`${target.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });

const loginClient = (target: DemoTenant = tenant): Params => ({ client_id: target.login.clientId, client_secret: target.login.clientSecret });

const redeem = (code: string, extra: Params = {}, target: DemoTenant = tenant): Promise<Response> =>
  postForm({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...loginClient(target), ...extra }, {}, target);

const refresh = (refreshToken: string, target: DemoTenant = tenant, init: RequestInit = {}): Promise<Response> =>
  fetch(`${target.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, ...loginClient(target) }).toString(),
    ...init,
  });

interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  identity_id: string;
  user_name: string;
}

async function tokensOf(res: Response): Promise<Tokens> {
  expect(res.status).toBe(200);
  return (await res.json()) as Tokens;
}

async function expectOAuthError(res: Response, status: number, error: string, description?: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  if (description) expect(body.error_description).toMatch(description);
}

const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;

const apiCall = (accessToken: string, path: string, init: RequestInit = {}, target: DemoTenant = tenant): Promise<Response> =>
  fetch(`${target.url}${perResource(path)}`, {
    ...init,
    headers: { authorization: `Bearer ${accessToken}`, 'x-sailpoint-experimental': 'true', ...(init.headers as Record<string, string> | undefined) },
  });

const pkce = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

// ---------------------------------------------------------------------------------------------

describe('the login client and the seeded users', () => {
  it('are registered by default and exposed on the tenant', () => {
    expect(tenant.login).toEqual({
      clientId: DEMO_LOGIN_CLIENT_ID,
      clientSecret: DEMO_LOGIN_CLIENT_SECRET,
      authorizeUrl: `${tenant.url}/oauth/authorize`,
    });
    expect(tenant.login.clientId).toBe('demo-login-client');
    expect(tenant.login.clientSecret).not.toBe(tenant.clientSecret);
    expect(DEMO_USERS.map((u) => [u.name, u.id, u.levels])).toEqual([
      ['ada.admin', '3726b26efe5585e6af4daee7eef11ae9', ['ORG_ADMIN']],
      ['rita.reader', '855b0ec19da9bb08d0288cafd51ac3c8', ['ORG_ADMIN']],
      ['sam.source', 'c939a8199767199f45b20478c0f47398', ['SOURCE_ADMIN']],
      ['noor.user', '71689eef57fc544ed0098326c257e9ff', ['USER']],
    ]);
    // The user without the admin level: app-roles scopes only.
    expect(DEMO_USERS.find((u) => u.name === 'noor.user')).toMatchObject({
      displayName: 'Noor Nasser',
      scopes: ['idn:app-roles:read', 'idn:app-roles:manage'],
    });
    expect(DEMO_USERS.find((u) => u.name === 'rita.reader')!.scopes).toEqual([
      'idn:connector-config:read',
      'sp:connector:read',
      'idn:app-roles:read',
      'sp:oauth-client:read',
    ]);
    expect(DEMO_USERS.find((u) => u.name === 'ada.admin')!.scopes).toHaveLength(8);
    for (const u of DEMO_USERS) expect(u.displayName.length).toBeGreaterThan(0);
  });

  it('refuses a redirect URI it could not compare exactly or extend', () => {
    for (const bad of ['/relative/cb', 'ftp://example.com/cb', 'http://127.0.0.1:4000/cb#frag', 'http://127.0.0.1:4000/c b', 'not a url']) {
      expect(() => tenant.registerRedirectUri(bad)).toThrow(TypeError);
    }
  });
});

describe('GET /oauth/authorize', () => {
  it('shows a plain sign-in form (no script) listing every seeded user, with the request in hidden fields', async () => {
    const { challenge } = pkce();
    const params = baseParams({ code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await openPage(params);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html;charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; base-uri 'none'; frame-ancestors 'none'$/,
    );
    const html = await res.text();
    expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
    const form = formOf(html);
    expect(form.action).toBe('/oauth/authorize');
    expect(form.users).toEqual(DEMO_USERS.map((u) => u.name));
    for (const u of DEMO_USERS) expect(html).toContain(u.displayName);
    expect(form.cancel).toBe(true);
    expect(Object.fromEntries(form.hidden)).toEqual(params);
  });

  it('answers a 400 page, never a redirect, for an unknown client, a redirect URI not registered exactly, or a bad request', async () => {
    const cases: [string, Params, RegExp][] = [
      ['unknown client', baseParams({ client_id: 'someone-else' }), /There is no OAuth client someone-else/],
      ['client without the grant', baseParams({ client_id: tenant.clientId }), /may not use the authorization-code grant/],
      ['no client', { response_type: 'code', redirect_uri: REDIRECT }, /client_id is missing/],
      ['other host', baseParams({ redirect_uri: 'https://evil.example/auth/callback' }), /is not registered/],
      ['longer path', baseParams({ redirect_uri: `${REDIRECT}/more` }), /is not registered/],
      ['extra query', baseParams({ redirect_uri: `${REDIRECT}?x=1` }), /is not registered/],
      ['trailing slash', baseParams({ redirect_uri: `${REDIRECT}/` }), /is not registered/],
      ['query dropped', baseParams({ redirect_uri: REDIRECT_WITH_QUERY.split('?')[0] }), /is not registered/],
      ['no redirect', { response_type: 'code', client_id: tenant.login.clientId }, /redirect_uri is missing/],
      ['implicit grant', baseParams({ response_type: 'token' }), /response type must be code, not token/],
      ['no response type', { client_id: tenant.login.clientId, redirect_uri: REDIRECT }, /response type must be code/],
      ['plain PKCE', baseParams({ code_challenge: pkce().verifier, code_challenge_method: 'plain' }), /plain is refused/],
      ['PKCE without method', baseParams({ code_challenge: pkce().challenge }), /needs code_challenge_method=S256/],
      ['method without challenge', baseParams({ code_challenge_method: 'S256' }), /without a code_challenge/],
      ['short challenge', baseParams({ code_challenge: 'abc', code_challenge_method: 'S256' }), /43 characters/],
    ];
    for (const [name, params, text] of cases) {
      const res = await openPage(params);
      expect([name, res.status, res.headers.get('location'), res.headers.get('content-type')]).toEqual([name, 400, null, 'text/html;charset=utf-8']);
      expect([name, await res.text()]).toEqual([name, expect.stringMatching(text)]);
    }
    // A parameter given twice is refused too.
    const twice = await fetch(
      `${tenant.login.authorizeUrl}?${new URLSearchParams(baseParams()).toString()}&redirect_uri=${encodeURIComponent('https://evil.example/')}`,
      {
        redirect: 'manual',
      },
    );
    expect(twice.status).toBe(400);
    expect(await twice.text()).toContain('redirect_uri is given more than once');
  });

  it('escapes whatever it echoes: a hostile state stays inert text and comes back byte for byte', async () => {
    const hostile = `"><script>alert('x')</script><a href="javascript:alert(1)">&amp;`;
    const res = await openPage(baseParams({ state: hostile }));
    const html = await res.text();
    expect(html).not.toContain('<script');
    expect(html).not.toContain('"javascript:');
    expect(html).toContain(
      'value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;a href=&quot;javascript:alert(1)&quot;&gt;&amp;amp;"',
    );
    const back = await press(html, ['user', 'ada.admin']);
    expect(new URL(back.headers.get('location')!).searchParams.get('state')).toBe(hostile);

    // The refusal page escapes the redirect URI it names.
    const refused = await openPage(baseParams({ redirect_uri: 'http://127.0.0.1:4000/<script>alert(1)</script>' }));
    const refusal = await refused.text();
    expect(refused.status).toBe(400);
    expect(refusal).not.toContain('<script');
    expect(refusal).toContain('http://127.0.0.1:4000/&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('POST /oauth/authorize', () => {
  it('sends the browser back with a one-time code and the state exactly as sent', async () => {
    const state = 'a b+c&d=e/f?g#h%25 é 😀 "q"';
    const back = await signIn('ada.admin', { state });
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect([...back.searchParams.keys()]).toEqual(['code', 'state']);
    expect(back.searchParams.get('state')).toBe(state);
    // Percent-encoded (no `+` for a space: some callbacks decode only percent escapes).
    expect(back.search).toBe(`?code=${back.searchParams.get('code')}&state=${encodeURIComponent(state)}`);
    expect(back.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await codeOf()).not.toBe(back.searchParams.get('code'));
  });

  it('keeps the query the redirect URI already has', async () => {
    const page = await openPage(baseParams({ redirect_uri: REDIRECT_WITH_QUERY, state: 'x y' }));
    const back = await press(await page.text(), ['user', 'rita.reader']);
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toMatch(new RegExp(`^${REDIRECT_WITH_QUERY.replace(/[?.]/g, '\\$&')}&code=[A-Za-z0-9_-]{43}&state=x%20y$`));
  });

  it('sends no state back when the request had none', async () => {
    const { state: _state, ...withoutState } = baseParams();
    const page = await openPage(withoutState);
    const back = new URL((await press(await page.text(), ['user', 'ada.admin'])).headers.get('location')!);
    expect([...back.searchParams.keys()]).toEqual(['code']);
  });

  it('answers error=access_denied (and the state) on Cancel', async () => {
    const page = await openPage(baseParams({ state: 'cancel me/&' }));
    const back = await press(await page.text(), ['cancel', 'cancel']);
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe(`${REDIRECT}?error=access_denied&state=${encodeURIComponent('cancel me/&')}`);
  });

  it('checks the whole request again: a tampered form gets a 400 page, never a redirect', async () => {
    const html = await (await openPage(baseParams())).text();
    const { hidden } = formOf(html);
    const post = (fields: [string, string][], contentType = 'application/x-www-form-urlencoded') =>
      fetch(tenant.login.authorizeUrl, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      });
    const swap = (name: string, value: string): [string, string][] => hidden.map(([n, v]): [string, string] => [n, n === name ? value : v]);
    const cases: [string, [string, string][], RegExp, string?][] = [
      ['redirect swapped', [...swap('redirect_uri', 'https://evil.example/cb'), ['user', 'ada.admin']], /is not registered/],
      ['client swapped', [...swap('client_id', 'someone-else'), ['user', 'ada.admin']], /There is no OAuth client/],
      ['plain PKCE', [...hidden, ['code_challenge', pkce().verifier], ['code_challenge_method', 'plain'], ['user', 'ada.admin']], /plain is refused/],
      ['unknown user', [...hidden, ['user', 'mallory']], /There is no user mallory/],
      ['no choice', hidden, /There is no user \(none chosen\)/],
      ['user and cancel', [...hidden, ['user', 'ada.admin'], ['cancel', 'cancel']], /not both/],
      ['not a form', [...hidden, ['user', 'ada.admin']], /must be posted as application\/x-www-form-urlencoded/, 'text/plain'],
    ];
    for (const [name, fields, text, contentType] of cases) {
      const res = await post(fields, contentType);
      expect([name, res.status, res.headers.get('location')]).toEqual([name, 400, null]);
      expect([name, await res.text()]).toEqual([name, expect.stringMatching(text)]);
    }
    const put = await fetch(tenant.login.authorizeUrl, { method: 'PUT', redirect: 'manual' });
    expect(put.status).toBe(405);
  });
});

describe('the authorization-code grant', () => {
  it('exchanges a code for a user token the API accepts (client in the form)', async () => {
    const code = await codeOf('ada.admin');
    const tokens = await tokensOf(await redeem(code));
    const ada = DEMO_USERS.find((u) => u.name === 'ada.admin')!;
    expect(tokens).toMatchObject({
      token_type: 'bearer',
      expires_in: 749,
      scope: ada.scopes.join(' '),
      identity_id: ada.id,
      user_name: 'ada.admin',
      refresh_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });
    const claims = claimsOf(tokens.access_token);
    expect(claims).toMatchObject({
      identity_id: ada.id,
      user_name: 'ada.admin',
      authorities: ['ORG_ADMIN'],
      client_id: 'demo-login-client',
      scope: ada.scopes,
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(749);

    const res = await apiCall(tokens.access_token, '/connectors?limit=1');
    expect(res.status).toBe(200);
    expect(tenant.requestSummaries().find((r) => r.kind === 'api')).toMatchObject({ status: 200, clientId: 'demo-login-client' });
    // A refresh token is no bearer token.
    expect((await apiCall(tokens.refresh_token, '/connectors?limit=1')).status).toBe(401);
  });

  it('takes the client in HTTP Basic too, and refuses a wrong secret with 401 invalid_client', async () => {
    const basic = (secret: string) => `Basic ${Buffer.from(`${tenant.login.clientId}:${secret}`).toString('base64')}`;
    const ok = await postForm(
      { grant_type: 'authorization_code', code: await codeOf(), redirect_uri: REDIRECT },
      { authorization: basic(tenant.login.clientSecret) },
    );
    expect((await tokensOf(ok)).user_name).toBe('ada.admin');

    const code = await codeOf();
    const wrong = await postForm({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { authorization: basic('nope') });
    await expectOAuthError(wrong, 401, 'invalid_client');
    await expectOAuthError(await redeem(code, { client_secret: 'nope' }), 401, 'invalid_client');
    await expectOAuthError(await redeem(code, { client_id: 'someone-else' }), 401, 'invalid_client');
    // Failed client authentication does not use the code up.
    expect((await redeem(code)).status).toBe(200);
  });

  it('lets each client use only its grant types', async () => {
    const demoClient = { client_id: tenant.clientId, client_secret: tenant.clientSecret };
    await expectOAuthError(await postForm({ grant_type: 'client_credentials', ...loginClient() }), 400, 'unauthorized_client');
    await expectOAuthError(
      await postForm({ grant_type: 'authorization_code', code: await codeOf(), redirect_uri: REDIRECT, ...demoClient }),
      400,
      'unauthorized_client',
    );
    await expectOAuthError(await postForm({ grant_type: 'refresh_token', refresh_token: 'x', ...demoClient }), 400, 'unauthorized_client');
    await expectOAuthError(await postForm({ grant_type: 'password', ...loginClient() }), 400, 'unsupported_grant_type');
    expect((await postForm({ grant_type: 'client_credentials', ...demoClient })).status).toBe(200);
  });

  it('refuses a code used twice with invalid_grant, and revokes what the first use issued', async () => {
    const code = await codeOf();
    const first = await tokensOf(await redeem(code));
    expect((await apiCall(first.access_token, '/connectors?limit=1')).status).toBe(200);

    await expectOAuthError(await redeem(code), 400, 'invalid_grant', /already used/);
    const revoked = await apiCall(first.access_token, '/connectors?limit=1');
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({ error: expect.stringMatching(/^JWT validation failed/) });
    await expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant');
  });

  it('refuses an unknown code, a missing code, and a code of a wrong or missing redirect_uri (the code is then used up)', async () => {
    await expectOAuthError(await redeem('made-up-code'), 400, 'invalid_grant', /unknown/);
    await expectOAuthError(await postForm({ grant_type: 'authorization_code', redirect_uri: REDIRECT, ...loginClient() }), 400, 'invalid_request');

    const code = await codeOf('ada.admin', { redirect_uri: REDIRECT_WITH_QUERY });
    await expectOAuthError(await redeem(code, { redirect_uri: REDIRECT }), 400, 'invalid_grant', /redirect_uri does not match/);
    await expectOAuthError(await redeem(code, { redirect_uri: REDIRECT_WITH_QUERY }), 400, 'invalid_grant', /already used/);

    const another = await codeOf();
    await expectOAuthError(
      await postForm({ grant_type: 'authorization_code', code: another, ...loginClient() }),
      400,
      'invalid_grant',
      /redirect_uri does not match/,
    );
  });

  it('refuses an expired code', async () => {
    // A second: redeemed at once, a code is good however loaded the machine; waited out, it is not.
    const quick = await startDemoTenant({ loginRedirectUris: [REDIRECT], authorizationCodeLifetimeSeconds: 1 });
    try {
      const fresh = await codeOf('ada.admin', {}, quick);
      expect((await redeem(fresh, {}, quick)).status).toBe(200);
      const stale = await codeOf('ada.admin', {}, quick);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await expectOAuthError(await redeem(stale, {}, quick), 400, 'invalid_grant', /expired/);
    } finally {
      await quick.close();
    }
  });

  describe('PKCE (S256)', () => {
    it('accepts the right verifier', async () => {
      const { verifier, challenge } = pkce();
      const code = await codeOf('rita.reader', { code_challenge: challenge, code_challenge_method: 'S256' });
      expect((await tokensOf(await redeem(code, { code_verifier: verifier }))).user_name).toBe('rita.reader');
    });

    it('refuses a wrong, a malformed or a missing verifier, and a verifier nobody asked for', async () => {
      const { challenge } = pkce();
      const withChallenge = () => codeOf('ada.admin', { code_challenge: challenge, code_challenge_method: 'S256' });
      await expectOAuthError(await redeem(await withChallenge(), { code_verifier: pkce().verifier }), 400, 'invalid_grant', /does not match/);
      await expectOAuthError(await redeem(await withChallenge(), { code_verifier: 'short' }), 400, 'invalid_grant', /43 to 128/);
      await expectOAuthError(await redeem(await withChallenge()), 400, 'invalid_grant', /code_verifier is required/);
      await expectOAuthError(await redeem(await codeOf(), { code_verifier: pkce().verifier }), 400, 'invalid_grant', /not expected/);
    });

    it('uses the code up on a wrong verifier: the right one is too late', async () => {
      const { verifier, challenge } = pkce();
      const code = await codeOf('ada.admin', { code_challenge: challenge, code_challenge_method: 'S256' });
      await expectOAuthError(await redeem(code, { code_verifier: pkce().verifier }), 400, 'invalid_grant');
      await expectOAuthError(await redeem(code, { code_verifier: verifier }), 400, 'invalid_grant', /already used/);
    });
  });
});

describe('scopes of signed-in users', () => {
  let tokens: Record<string, string>;
  beforeAll(async () => {
    tokens = {};
    for (const u of DEMO_USERS) tokens[u.name] = (await tokensOf(await redeem(await codeOf(u.name)))).access_token;
  });
  const json = (method: string, body: unknown, contentType = 'application/json'): RequestInit => ({
    method,
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });

  it('rita.reader reads every domain, and every change she tries answers 403 with ISC error body', async () => {
    const rita = tokens['rita.reader'];
    for (const path of ['/connectors?limit=1', '/connector-customizers', '/source-apps?limit=1', '/oauth-clients']) {
      expect([path, (await apiCall(rita, path)).status]).toEqual([path, 200]);
    }
    await expectIscError(await apiCall(rita, '/connector-customizers', json('POST', { name: 'x' })), 403, /sp:connector:manage/);
    await expectIscError(
      await apiCall(rita, `/connector-customizers/${CUSTOMIZER_SEED[0].id}`, json('PUT', { name: 'x' })),
      403,
      /sp:connector:manage/,
    );
    await expectIscError(await apiCall(rita, '/connectors', json('POST', { name: 'x', className: 'y' })), 403, /idn:connector-config:manage/);
    await expectIscError(await apiCall(rita, '/source-apps', json('POST', {})), 403, /idn:app-roles:manage/);
    await expectIscError(await apiCall(rita, `/oauth-clients/${OAUTH_CLIENT_SEED[0].id}`, { method: 'DELETE' }), 403, /sp:oauth-client:manage/);
    const body = (await (await apiCall(rita, '/oauth-clients', json('POST', {}))).json()) as { detailCode: string; messages: { text: string }[] };
    expect(body.detailCode).toBe('403 Forbidden');
    // Nothing changed.
    const customizer = (await (await apiCall(rita, `/connector-customizers/${CUSTOMIZER_SEED[0].id}`)).json()) as { name: string };
    expect(customizer.name).toBe(CUSTOMIZER_SEED[0].name);
  });

  it('ada.admin changes things', async () => {
    const ada = tokens['ada.admin'];
    const renamed = await apiCall(ada, `/connector-customizers/${CUSTOMIZER_SEED[1].id}`, json('PUT', { name: 'Renamed by Ada' }));
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { name: string }).name).toBe('Renamed by Ada');
    const created = await apiCall(ada, '/connector-customizers', json('POST', { name: 'Ada’s customizer' }));
    expect(created.status).toBe(201);
  });

  it('sam.source manages connectors and nothing else', async () => {
    const sam = tokens['sam.source'];
    expect(
      (await apiCall(sam, '/connectors', json('POST', { name: 'Sam’s connector', className: 'sailpoint.connector.OpenConnectorAdapter' }))).status,
    ).toBe(200);
    await expectIscError(await apiCall(sam, '/connector-customizers'), 403, /sp:connector:read/);
    await expectIscError(await apiCall(sam, '/source-apps?limit=1'), 403);
    await expectIscError(await apiCall(sam, '/oauth-clients'), 403);
  });

  it('issueToken names the same users without the flow', async () => {
    const rita = tenant.issueToken({ user: 'rita.reader' });
    expect(claimsOf(rita)).toMatchObject({ user_name: 'rita.reader', client_id: 'demo-login-client', authorities: ['ORG_ADMIN'] });
    expect((await apiCall(rita, '/connectors?limit=1')).status).toBe(200);
    expect((await apiCall(rita, '/connectors', json('POST', { name: 'x', className: 'y' }))).status).toBe(403);
    expect(() => tenant.issueToken({ user: 'mallory' })).toThrow(/No demo user mallory/);
  });
});

describe('the refresh-token grant', () => {
  it('issues a new access token for the same user and answers the same refresh token (no rotation)', async () => {
    const first = await tokensOf(await redeem(await codeOf('rita.reader')));
    tenant.expireAllTokens();
    expect((await apiCall(first.access_token, '/connectors?limit=1')).status).toBe(401);

    const second = await tokensOf(await refresh(first.refresh_token));
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).toBe(first.refresh_token);
    expect(second).toMatchObject({
      token_type: 'bearer',
      expires_in: 749,
      user_name: 'rita.reader',
      identity_id: first.identity_id,
      scope: first.scope,
    });
    expect(claimsOf(second.access_token)).toMatchObject({ user_name: 'rita.reader', client_id: 'demo-login-client' });
    expect((await apiCall(second.access_token, '/connectors?limit=1')).status).toBe(200);
    // And again: the refresh token lives on.
    expect((await refresh(first.refresh_token)).status).toBe(200);
  });

  it('refuses an unknown refresh token, a missing one, and bad client authentication', async () => {
    await expectOAuthError(await refresh('not-a-refresh-token'), 400, 'invalid_grant');
    await expectOAuthError(await postForm({ grant_type: 'refresh_token', ...loginClient() }), 400, 'invalid_request');
    const { refresh_token } = await tokensOf(await redeem(await codeOf()));
    await expectOAuthError(
      await postForm({ grant_type: 'refresh_token', refresh_token, client_id: tenant.login.clientId, client_secret: 'x' }),
      401,
      'invalid_client',
    );
  });

  it('refuses every refresh token after revokeRefreshTokens(); access tokens live on, new sign-ins work', async () => {
    const before = await tokensOf(await redeem(await codeOf()));
    tenant.revokeRefreshTokens();
    await expectOAuthError(await refresh(before.refresh_token), 400, 'invalid_grant', /unknown or was revoked/);
    expect((await apiCall(before.access_token, '/connectors?limit=1')).status).toBe(200);
    const after = await tokensOf(await redeem(await codeOf()));
    expect((await refresh(after.refresh_token)).status).toBe(200);
  });

  it('answers 503 under the refresh fault (the refresh token stays good), for refreshFaultCount requests only', async () => {
    const { refresh_token } = await tokensOf(await redeem(await codeOf()));
    tenant.setFaults({ refreshStatus: 503 });
    await expectIscError(await refresh(refresh_token), 503);
    await expectIscError(await refresh(refresh_token), 503);
    // Other grants are not affected.
    expect((await redeem(await codeOf())).status).toBe(200);

    tenant.setFaults({ refreshStatus: 503, refreshFaultCount: 1 });
    expect((await refresh(refresh_token)).status).toBe(503);
    expect((await refresh(refresh_token)).status).toBe(200);
    tenant.setFaults({});
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('hangs for refreshDelayMs under the delay fault, for refreshFaultCount requests only', async () => {
    const { refresh_token } = await tokensOf(await redeem(await codeOf()));
    tenant.setFaults({ refreshDelayMs: 400 });
    const started = Date.now();
    expect((await refresh(refresh_token)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390); // held at least the delay (load only adds to it)

    // A minute's delay for the next two: both are still held (unanswered) when their clients give
    // up, and the third answers, where a held one would outlast its 20 s bound.
    const answered = () => tenant.stats().tokenRequestsByGrant.refresh_token?.['200'] ?? 0;
    const before = answered();
    tenant.setFaults({ refreshDelayMs: 60_000, refreshFaultCount: 2 });
    await expect(refresh(refresh_token, tenant, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    await expect(refresh(refresh_token, tenant, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(answered()).toBe(before);
    expect((await refresh(refresh_token, tenant, { signal: AbortSignal.timeout(20_000) })).status).toBe(200);
    expect(answered()).toBe(before + 1);
  });

  it('holds refresh answers until the test releases them: other grants pass, setFaults({}) releases too, close() ends a held one', async () => {
    const { refresh_token } = await tokensOf(await redeem(await codeOf()));
    const hold = tenant.holdRefreshes();
    const settled: string[] = [];
    const noted = (name: string) => (res: Response) => {
      settled.push(name);
      return res;
    };
    const first = refresh(refresh_token).then(noted('first'));
    const second = refresh(refresh_token).then(noted('second'));
    await hold.held(2);
    // Held: both reached the token endpoint and wait; a code exchange is not held.
    expect((await redeem(await codeOf())).status).toBe(200);
    expect(settled).toEqual([]);
    hold.release();
    expect([(await first).status, (await second).status]).toEqual([200, 200]);
    // Released: later refreshes pass at once.
    expect((await refresh(refresh_token)).status).toBe(200);

    tenant.holdRefreshes();
    const third = refresh(refresh_token);
    tenant.setFaults({});
    expect((await third).status).toBe(200);

    const other = await startDemoTenant({ loginRedirectUris: [REDIRECT] });
    const own = await tokensOf(await redeem(await codeOf('ada.admin', {}, other), {}, other));
    const otherHold = other.holdRefreshes();
    const hanging = refresh(own.refresh_token, other).then(
      (res) => res.status,
      () => 'no answer',
    );
    await otherHold.held();
    await other.close();
    expect(await hanging).toBe('no answer');
  });

  it('counts token requests by grant type in the records, the summaries and the stats, without secrets in the summaries', async () => {
    const before = tenant.stats().tokenRequestsByGrant;
    const { refresh_token } = await tokensOf(await redeem(await codeOf()));
    await refresh(refresh_token);
    await refresh('unknown');
    await postForm({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret });

    const summaries = tenant.requestSummaries().filter((r) => r.kind === 'token');
    expect(summaries.map((r) => [r.grantType, r.status, r.clientId])).toEqual([
      ['authorization_code', 200, 'demo-login-client'],
      ['refresh_token', 200, 'demo-login-client'],
      ['refresh_token', 400, 'demo-login-client'],
      ['client_credentials', 200, 'demo-client'],
    ]);
    expect(
      tenant
        .requestSummaries()
        .filter((r) => r.kind === 'authorize')
        .map((r) => [r.method, r.status]),
    ).toEqual([
      ['GET', 200],
      ['POST', 302],
    ]);
    const served = JSON.stringify(tenant.requestSummaries());
    for (const secret of [tenant.login.clientSecret, tenant.clientSecret, refresh_token]) expect(served.includes(secret)).toBe(false);
    expect(tenant.tokenRequests.filter((r) => new URLSearchParams(r.body).get('grant_type') === 'refresh_token')).toHaveLength(2);

    const after = tenant.stats().tokenRequestsByGrant;
    const delta = (grant: string, status: string) => (after[grant]?.[status] ?? 0) - (before[grant]?.[status] ?? 0);
    expect([
      delta('authorization_code', '200'),
      delta('refresh_token', '200'),
      delta('refresh_token', '400'),
      delta('client_credentials', '200'),
    ]).toEqual([1, 1, 1, 1]);
  });
});

describe('options', () => {
  let other: DemoTenant | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  it('rotateRefreshTokens: each refresh answers a new refresh token and voids the old one', async () => {
    other = await startDemoTenant({ loginRedirectUris: [REDIRECT], rotateRefreshTokens: true });
    const first = await tokensOf(await redeem(await codeOf('ada.admin', {}, other), {}, other));
    const second = await tokensOf(await refresh(first.refresh_token, other));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await expectOAuthError(await refresh(first.refresh_token, other), 400, 'invalid_grant');
    expect((await refresh(second.refresh_token, other)).status).toBe(200);
  });

  it('refreshTokenLifetimeSeconds: a refresh token expires', async () => {
    // A second: used at once, the refresh token is good however loaded the machine; waited out, it is not.
    other = await startDemoTenant({ loginRedirectUris: [REDIRECT], refreshTokenLifetimeSeconds: 1 });
    const { refresh_token } = await tokensOf(await redeem(await codeOf('ada.admin', {}, other), {}, other));
    expect((await refresh(refresh_token, other)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expectOAuthError(await refresh(refresh_token, other), 400, 'invalid_grant', /expired/);
  });

  it('bounds the codes and refresh tokens it remembers, dropping the oldest', async () => {
    other = await startDemoTenant({ loginRedirectUris: [REDIRECT], maxAuthorizationCodes: 2, maxRefreshTokens: 2 });
    const target = other;
    const codes = [await codeOf('ada.admin', {}, target), await codeOf('ada.admin', {}, target), await codeOf('ada.admin', {}, target)];
    expect(target.stats().remembered.authorizationCodes).toBe(2);
    await expectOAuthError(await redeem(codes[0], {}, target), 400, 'invalid_grant', /unknown/);
    const refreshTokens: string[] = [];
    for (const code of codes.slice(1)) refreshTokens.push((await tokensOf(await redeem(code, {}, target))).refresh_token);
    refreshTokens.push((await tokensOf(await redeem(await codeOf('ada.admin', {}, target), {}, target))).refresh_token);
    expect(target.stats().remembered.refreshTokens).toBe(2);
    await expectOAuthError(await refresh(refreshTokens[0], target), 400, 'invalid_grant');
    expect((await refresh(refreshTokens[2], target)).status).toBe(200);
  });

  it('forgets expired access tokens, which still answer 401 expired', async () => {
    other = await startDemoTenant({ tokenLifetimeSeconds: 0 });
    const first = other.issueToken();
    for (let i = 0; i < 5_000; i++) other.issueToken({ user: 'ada.admin' });
    expect(other.stats().remembered.accessTokens).toBeLessThan(1_100);
    const res = await apiCall(first, '/connectors?limit=1', {}, other);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'JWT validation failed: JWT is expired' });
    const forged = `${first.slice(0, -4)}AAAA`;
    expect(await (await apiCall(forged, '/connectors?limit=1', {}, other)).json()).toEqual({ error: 'JWT validation failed: JWT is invalid' });
  });
});
