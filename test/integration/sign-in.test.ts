import { afterEach, describe, expect, it } from '@jest/globals';
import { DEMO_USERS } from '../../src/demo-tenant/seed/users.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { recordingLogger } from '../support/recording-logger.js';
import { approveAs, callback, cookieHeader, cookiesSet, gqlAs, grantsOf, signIn, startSignIn } from '../support/sign-in.js';
import { isApiPath } from '../support/demo-tenant-api.js';

/**
 * Sign-in at the gateway against the built-in demo tenant, which has it on by default: the
 * authorization-code flow run server side, an HttpOnly session cookie the only thing the browser
 * holds, and every rule a session must keep. Each check also counts the token requests the demo
 * tenant received, since a refused sign-in must cost none.
 */
const LIST = '{ connectorCustomizers(limit: 2) { items { id name } } }';
const CREATE = 'mutation { createConnectorCustomizer(input: { name: "sign-in-test" }) { id name } }';
const ada = DEMO_USERS.find((u) => u.name === 'ada.admin')!;

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function gateway(env: Record<string, string> = {}): Promise<{ gw: TestGateway; base: string; origin: string }> {
  gw = await startTestGateway(env);
  const base = new URL(gw.url).origin;
  // The public URL the demo derives: where browsers are sent back to, and the Origin they send.
  const origin = `http://localhost:${new URL(gw.url).port}`;
  return { gw, base, origin };
}

/** The user a token the demo tenant received speaks for (its claims, as a test may read them). */
const userOfBearer = (authorization: string | undefined): unknown =>
  JSON.parse(Buffer.from((authorization ?? '').replace(/^Bearer /, '').split('.')[1] ?? '', 'base64url').toString() || '{}').user_name;

describe('signing in', () => {
  it("sends the browser to ISC's sign-in page with state and PKCE, binding them to this browser with a cookie, and costs no token", async () => {
    const { gw, base, origin } = await gateway();
    const started = await startSignIn(base, '/app/');
    expect(started.response.status).toBe(302);
    const params = Object.fromEntries(started.authorizeUrl.searchParams);
    expect(`${started.authorizeUrl.origin}${started.authorizeUrl.pathname}`).toBe(`${gw.tenant.url}/oauth/authorize`);
    expect(params).toEqual({
      response_type: 'code',
      client_id: 'demo-login-client',
      redirect_uri: `${origin}/auth/callback`,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(started.response.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^isc-gw-login=[A-Za-z0-9_-]{200,400}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/),
    ]);
    expect(started.response.headers.get('cache-control')).toBe('no-store');
    expect(gw.tenant.tokenRequests).toEqual([]);
  });

  it('exchanges the code once, server side (with the verifier), and gives the browser only an HttpOnly session cookie', async () => {
    const { gw, base } = await gateway();
    const { session, response } = await signIn(base, 'rita.reader', { returnTo: '/app/?tab=connectors' });
    expect(response.headers.get('location')).toBe('/app/?tab=connectors');
    expect(response.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^isc-gw-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/),
      'isc-gw-login=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
    ]);
    expect(grantsOf(gw.tenant.tokenRequests)).toEqual(['authorization_code']);
    const exchange = gw.tenant.tokenRequests.find((r) => r.body.includes('grant_type=authorization_code'))!;
    expect(Object.keys(Object.fromEntries(new URLSearchParams(exchange.body))).sort()).toEqual([
      'client_id',
      'client_secret',
      'code',
      'code_verifier',
      'grant_type',
      'redirect_uri',
    ]);
    // The page learns who signed in, never a token.
    const who = await fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader(session) } });
    const text = await who.text();
    expect(JSON.parse(text)).toEqual({
      signedIn: true,
      user: { id: expect.any(String), name: 'rita.reader' },
      signedInAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(/eyJ|refresh|token/i.test(text)).toBe(false);
    // Her queries go to ISC with her token.
    gw.reset();
    const answer = await gqlAs(base, session, LIST);
    expect(answer.body.errors).toBeUndefined();
    expect(gw.calls().map((c) => [c.method, c.path])).toEqual([['GET', '/connector-customizers/v1']]);
    expect(userOfBearer(gw.tenant.requests[0].headers.authorization)).toBe('rita.reader');
  });

  it("the read-only user's write is ISC's decision: FORBIDDEN with ISC's trackingId; the admin's succeeds", async () => {
    const { base } = await gateway();
    const rita = await signIn(base, 'rita.reader');
    const refused = await gqlAs(base, rita.session, CREATE);
    expect(refused.body.errors?.[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
      trackingId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const admin = await signIn(base, 'ada.admin');
    expect((await gqlAs(base, admin.session, CREATE)).body.data?.createConnectorCustomizer.name).toBe('sign-in-test');
  });

  it("keeps returnTo to this site's paths: //evil, /\\evil, %2F%2Fevil and absolute URLs are refused before anything starts", async () => {
    const { gw, base } = await gateway();
    for (const hostile of ['//evil.example', '/\\evil.example', '%2F%2Fevil.example', 'https://evil.example/', '/%2F/evil.example']) {
      const started = await startSignIn(base, hostile);
      expect({ hostile, status: started.response.status, cookies: started.response.headers.getSetCookie() }).toEqual({
        hostile,
        status: 400,
        cookies: [],
      });
    }
    expect(gw.tenant.tokenRequests).toEqual([]);
  });
});

describe('returnTo, normalized', () => {
  it('dot segments are resolved first: a path that becomes //host or /\\host is refused; others land on their normalized path', async () => {
    const { gw, base } = await gateway();
    for (const hostile of ['/app/..//evil.example/x', '/app/%2e%2e//evil.example/x', '/app/../\\evil.example', '/app/..%2F%2Fevil.example']) {
      const started = await startSignIn(base, hostile);
      expect({ hostile, status: started.response.status, cookies: started.response.headers.getSetCookie() }).toEqual({
        hostile,
        status: 400,
        cookies: [],
      });
    }
    const { response } = await signIn(base, 'ada.admin', { returnTo: '/app/./x/../y?tab=a#top' });
    expect(response.headers.get('location')).toBe('/app/y?tab=a#top');
    expect(gw.tenant.tokenRequests).toHaveLength(1);
  });

  it('a character outside Latin-1 comes back percent-encoded: the sign-in completes with its cookie, and no code is spent for nothing', async () => {
    const { gw, base } = await gateway();
    const started = await startSignIn(base, '/app/€?q=ü');
    expect(started.response.status).toBe(302);
    const back = await approveAs(started.authorizeUrl, 'ada.admin');
    const answer = await callback(base, back, started.loginCookie);
    expect({ status: answer.status, location: answer.headers.get('location') }).toEqual({ status: 303, location: '/app/%E2%82%AC?q=%C3%BC' });
    expect(cookiesSet(answer)['isc-gw-session']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(grantsOf(gw.tenant.tokenRequests)).toEqual(['authorization_code']);
  });

  it('is bounded, so the sign-in cookie always fits a browser (4 KB): a longer one is refused (400) before anything starts', async () => {
    const { gw, base } = await gateway();
    const longest = `/app/${'a'.repeat(2043)}`; // 2048 characters
    const fits = await startSignIn(base, longest);
    expect(fits.response.status).toBe(302);
    const [cookie] = fits.response.headers.getSetCookie();
    expect(cookie.split(';')[0].length).toBeLessThanOrEqual(4000);
    // Percent-encoding counts: one é is six characters (%C3%A9).
    for (const tooLong of [`${longest}b`, `/app/${'é'.repeat(341)}`]) {
      const refused = await startSignIn(base, tooLong);
      expect({ status: refused.response.status, cookies: refused.response.headers.getSetCookie() }).toEqual({ status: 400, cookies: [] });
    }
    const back = await approveAs(fits.authorizeUrl, 'ada.admin');
    expect((await callback(base, back, fits.loginCookie)).headers.get('location')).toBe(longest);
    expect(gw.tenant.tokenRequests).toHaveLength(1);
  });
});

describe('anonymous /auth/login keeps nothing at the gateway', () => {
  it('SAIL_LOGIN_MAX_PENDING is retired: set, it changes nothing and earns one warning at start', async () => {
    const { logger, records } = recordingLogger();
    gw = await startTestGateway({ SAIL_LOGIN_MAX_PENDING: '1' }, { logger });
    const base = new URL(gw.url).origin;
    expect(records.filter((r) => r.msg.startsWith('Retired settings')).map((r) => [r.level, r.fields?.retired])).toEqual([
      ['warn', [expect.stringMatching(/^SAIL_LOGIN_MAX_PENDING: /)]],
    ]);
    const first = await startSignIn(base, '/app/1');
    const second = await startSignIn(base, '/app/2');
    expect((await callback(base, await approveAs(first.authorizeUrl, 'ada.admin'), first.loginCookie)).status).toBe(303);
    expect((await callback(base, await approveAs(second.authorizeUrl, 'ada.admin'), second.loginCookie)).status).toBe(303);
  });

  it('5,000 of them (GET and HEAD) during a sign-in: it still completes, and no session loses its place (SAIL_SESSION_MAX=1)', async () => {
    const { gw, base, origin } = await gateway({ SAIL_SESSION_MAX: '1' });
    const ada = await signIn(base, 'ada.admin');
    const started = await startSignIn(base, '/app/');
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 100; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          fetch(`${origin}/auth/login?returnTo=/app/${i}`, {
            method: i % 2 ? 'HEAD' : 'GET',
            redirect: 'manual',
            signal: AbortSignal.timeout(10_000),
          }),
        ),
      );
      for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 302: 5_000 });
    // Nothing was stored: Ada's session, the only one the store may hold, is still there.
    const who = await fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader(ada.session) } });
    expect(((await who.json()) as { signedIn: boolean }).signedIn).toBe(true);
    // Approved only now: ISC's code lives 60 s, which 5,000 requests on a loaded machine may outlast.
    const back = await approveAs(started.authorizeUrl, 'rita.reader');
    const done = await callback(base, back, started.loginCookie);
    expect({ status: done.status, location: done.headers.get('location') }).toEqual({ status: 303, location: '/app/' });
    expect(grantsOf(gw.tenant.tokenRequests)).toEqual(['authorization_code', 'authorization_code']);
  }, 120_000);
});

describe('sign-out while a token refresh is running', () => {
  it.each([
    ['answers a new token', {}],
    ['fails (503)', { refreshStatus: 503, refreshFaultCount: 1 }],
  ])('ends the session for good when the refresh %s after it: UNAUTHENTICATED, nothing written back, no ISC call', async (_, faults) => {
    const { gw, base, origin } = await gateway();
    const { session } = await signIn(base, 'ada.admin');
    gw.tenant.setFaults(faults);
    const hold = gw.tenant.holdRefreshes();
    gw.tenant.expireAllTokens(); // ISC answers 401 to the session's token: the gateway refreshes it
    const inFlight = gqlAs(base, session, LIST);
    await hold.held();
    const out = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie: cookieHeader(session), origin } });
    expect(out.status).toBe(204);
    gw.reset();
    hold.release();
    const answer = await inFlight;
    expect({ status: answer.status, code: answer.body.errors?.[0].extensions.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    const who = await fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader(session) } });
    expect(await who.json()).toEqual({ signedIn: false });
    expect((await gqlAs(base, session, LIST)).body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(gw.calls()).toEqual([]);
  });
});

describe('refused callbacks: 400 and not one token request', () => {
  it('unknown, wrong and reused state', async () => {
    const { gw, base } = await gateway();
    // No sign-in started in this browser.
    const started = await startSignIn(base);
    const back = await approveAs(started.authorizeUrl, 'ada.admin');
    expect((await callback(base, back, {})).status).toBe(400);
    expect((await callback(base, back, { 'isc-gw-login': 'x'.repeat(43) })).status).toBe(400);
    // A state that is not the one this browser's sign-in sent.
    const other = await startSignIn(base);
    const tampered = new URL(back);
    tampered.searchParams.set('state', other.authorizeUrl.searchParams.get('state')!);
    expect((await callback(base, tampered, started.loginCookie)).status).toBe(400);
    expect(grantsOf(gw.tenant.tokenRequests)).toEqual([]);
    // The sign-in the wrong state was sent for is used up: the right one no longer works either.
    expect((await callback(base, back, started.loginCookie)).status).toBe(400);
    // Reused: a callback that succeeded, replayed.
    const fresh = await startSignIn(base);
    const freshBack = await approveAs(fresh.authorizeUrl, 'ada.admin');
    expect((await callback(base, freshBack, fresh.loginCookie)).status).toBe(303);
    const exchanges = grantsOf(gw.tenant.tokenRequests).length;
    const replay = await callback(base, freshBack, fresh.loginCookie);
    expect([replay.status, replay.headers.getSetCookie().some((c) => c.startsWith('isc-gw-session=') && !c.startsWith('isc-gw-session=;'))]).toEqual([
      400,
      false,
    ]);
    expect(grantsOf(gw.tenant.tokenRequests)).toHaveLength(exchanges);
  });

  it('a cancelled sign-in', async () => {
    const { gw, base } = await gateway();
    const started = await startSignIn(base);
    const cancelled = await approveAs(started.authorizeUrl, 'cancel');
    expect(cancelled.searchParams.get('error')).toBe('access_denied');
    const answer = await callback(base, cancelled, started.loginCookie);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('ISC did not sign you in (access_denied)');
    expect(gw.tenant.tokenRequests).toEqual([]);
  });

  it("a code used before (with this browser's own state): ISC refuses it, no session", async () => {
    const { gw, base } = await gateway();
    const first = await startSignIn(base);
    const firstBack = await approveAs(first.authorizeUrl, 'ada.admin');
    expect((await callback(base, firstBack, first.loginCookie)).status).toBe(303);
    const second = await startSignIn(base);
    const replayed = new URL(firstBack);
    replayed.searchParams.set('state', second.authorizeUrl.searchParams.get('state')!);
    const answer = await callback(base, replayed, second.loginCookie);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('ISC refused the sign-in code');
    expect(cookiesSet(answer)['isc-gw-session']).toBeUndefined();
    expect(grantsOf(gw.tenant.tokenRequests).filter((g) => g === 'authorization_code')).toHaveLength(2);
  });

  it("a redirect URI other than the gateway's: ISC's page refuses it and never redirects", async () => {
    const { base } = await gateway();
    const started = await startSignIn(base);
    const elsewhere = new URL(started.authorizeUrl);
    elsewhere.searchParams.set('redirect_uri', 'https://evil.example/auth/callback');
    const page = await fetch(elsewhere, { redirect: 'manual' });
    expect([page.status, page.headers.get('location')]).toEqual([400, null]);
  });
});

describe('the session cookie', () => {
  it('a new id at every sign-in: a cookie set before (planted, or an earlier session) is never the one after, and the earlier session ends', async () => {
    const { base } = await gateway();
    const earlier = await signIn(base, 'ada.admin');
    const planted = { 'isc-gw-session': 'attacker-chosen-session-id-0000000000000' };
    for (const before of [planted, earlier.session]) {
      const after = await signIn(base, 'rita.reader', { cookies: before });
      expect(after.session['isc-gw-session']).not.toBe(before['isc-gw-session']);
    }
    expect((await gqlAs(base, earlier.session, LIST)).body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('forged, ended or expired: UNAUTHENTICATED with no ISC call, never the gateway’s own credentials nor the loopback demo exemption', async () => {
    const { gw, base } = await gateway({ SAIL_SESSION_MAX_AGE_S: '1' });
    // Without any cookie the loopback demo serves anyone: the cookie must not fall back to that.
    expect((await gqlAs(base, {}, LIST)).body.errors).toBeUndefined();
    const expired = await signIn(base, 'ada.admin');
    gw.reset();
    for (const cookie of [{ 'isc-gw-session': 'forged' }, { 'isc-gw-session': 'A'.repeat(43) }]) {
      const answer = await gqlAs(base, cookie, LIST, { 'x-api-key': 'anything' });
      expect({ status: answer.status, code: answer.body.errors?.[0].extensions.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    }
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const late = await gqlAs(base, expired.session, LIST);
    expect({ status: late.status, code: late.body.errors?.[0].extensions.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(gw.calls()).toEqual([]);
    const who = await fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader(expired.session) } });
    expect(await who.json()).toEqual({ signedIn: false });
    expect(who.headers.getSetCookie()).toEqual(['isc-gw-session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
  });

  it('are bounded in memory (SAIL_SESSION_MAX): past the cap the least recently used session ends', async () => {
    const { base } = await gateway({ SAIL_SESSION_MAX: '2' });
    const ada = await signIn(base, 'ada.admin');
    const rita = await signIn(base, 'rita.reader');
    expect((await gqlAs(base, ada.session, LIST)).body.errors).toBeUndefined(); // ada used since: rita is the oldest
    const sam = await signIn(base, 'sam.source');
    const signedIn = async (cookies: Record<string, string>) =>
      ((await (await fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader(cookies) } })).json()) as { signedIn: boolean }).signedIn;
    expect([await signedIn(ada.session), await signedIn(rita.session), await signedIn(sam.session)]).toEqual([true, false, true]);
    expect((await gqlAs(base, rita.session, LIST)).body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('comes first: a cookie and a bearer and a key → the session; a bearer and a key → the bearer; a key alone → the gateway’s client', async () => {
    const { gw, base } = await gateway({ SAIL_API_KEYS: 'precedence-key' });
    const { session } = await signIn(base, 'rita.reader');
    const bearer = gw.tenant.issueToken({ user: 'ada.admin' });
    const who = async (cookies: Record<string, string>, headers: Record<string, string>) => {
      gw.reset();
      expect((await gqlAs(base, cookies, LIST, headers)).body.errors).toBeUndefined();
      return userOfBearer(gw.tenant.requests[0].headers.authorization);
    };
    expect(await who(session, { authorization: `Bearer ${bearer}`, 'x-api-key': 'precedence-key' })).toBe('rita.reader');
    expect(await who({}, { authorization: `Bearer ${bearer}`, 'x-api-key': 'precedence-key' })).toBe('ada.admin');
    expect(await who({}, { 'x-api-key': 'precedence-key' })).toBe('demo.admin');
  });

  it('from an Origin not allowed: refused (FORBIDDEN) before any ISC call; from the public origin it serves; Apollo’s CSRF check still applies', async () => {
    const { gw, base, origin } = await gateway();
    const { session } = await signIn(base, 'ada.admin');
    gw.reset();
    const foreign = await gqlAs(base, session, LIST, { origin: 'http://localhost:1' });
    expect({ status: foreign.status, code: foreign.body.errors?.[0].extensions.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(gw.calls()).toEqual([]);
    expect((await gqlAs(base, session, LIST, { origin })).body.errors).toBeUndefined();
    // A simple (form-like) request is what CSRF uses: Apollo refuses it.
    const simple = await fetch(`${base}/graphql?query=${encodeURIComponent(LIST)}`, { headers: { cookie: cookieHeader(session) } });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toContain('CSRF');
  });

  it('sign-out: from an Origin not allowed it is refused and the session lives; from the app’s origin it ends it, and the old cookie is refused after', async () => {
    const { base, origin } = await gateway();
    const { session } = await signIn(base, 'ada.admin');
    const logout = (headers: Record<string, string>) =>
      fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie: cookieHeader(session), ...headers } });
    expect((await logout({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await logout({})).status).toBe(403);
    expect((await gqlAs(base, session, LIST)).body.errors).toBeUndefined();
    const out = await logout({ origin });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()).toEqual(['isc-gw-session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
    expect((await gqlAs(base, session, LIST)).body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('budget, caches and audit', () => {
  it("every session user shares the sign-in client's rate budget; an API-key caller has the gateway client's own", async () => {
    const { base } = await gateway({ SAIL_RATE_LIMIT: '50', SAIL_RATE_WINDOW_MS: '60000', SAIL_API_KEYS: 'budget-key' });
    const rita = await signIn(base, 'rita.reader');
    const admin = await signIn(base, 'ada.admin');
    const remaining = async (cookies: Record<string, string>, headers: Record<string, string> = {}) =>
      (await gqlAs(base, cookies, LIST, headers)).body.extensions?.rateLimit.remaining as number;
    const first = await remaining(rita.session);
    expect(await remaining(admin.session)).toBe(first - 1);
    expect(await remaining({}, { 'x-api-key': 'budget-key' })).toBe(49);
  });

  it("caches answers per session, not per token or per sign-in client: one user's cached answer is never another's", async () => {
    const { gw, base } = await gateway({ SAIL_RESPONSE_CACHE: 'on' });
    const rita = await signIn(base, 'rita.reader');
    const admin = await signIn(base, 'ada.admin');
    gw.reset();
    await gqlAs(base, rita.session, LIST);
    await gqlAs(base, rita.session, LIST);
    await gqlAs(base, admin.session, LIST);
    expect(gw.calls()).toHaveLength(2);
    expect(gw.tenant.requests.map((r) => userOfBearer(r.headers.authorization))).toEqual(['rita.reader', 'ada.admin']);
  });

  it("audit records name the signed-in identity from ISC's token", async () => {
    const { logger, records } = recordingLogger();
    gw = await startTestGateway({}, { logger });
    const base = new URL(gw.url).origin;
    const { session } = await signIn(base, 'ada.admin');
    await gqlAs(base, session, CREATE);
    expect(records.filter((r) => r.msg === 'audit').map((r) => r.fields?.principal)).toEqual([`user:ada.admin#${ada.id}`]);
    expect(records.filter((r) => r.msg === 'Signed in').map((r) => r.fields?.user)).toEqual(['ada.admin']);
  });
});

describe('refresh', () => {
  it('renews the token ahead of expiry with one refresh for concurrent operations; a 5xx keeps the session; a refusal ends it', async () => {
    const { gw, base } = await gateway();
    // 8 s tokens, refreshed 2 s before expiry: each step below is timed from when ISC issued the
    // token, into the middle of its 2 s refresh window: 1 s either side, which load does not reach.
    const lifetimeMs = 8_000;
    gw.tenant.setTokenLifetime(lifetimeMs / 1000);
    const issuedAt = (grant: string) => gw.tenant.tokenRequests.filter((r) => grantsOf([r])[0] === grant).at(-1)!.at;
    const until = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
    const { session } = await signIn(base, 'ada.admin');
    await until(issuedAt('authorization_code') + lifetimeMs - 1_000);
    const answers = await Promise.all(Array.from({ length: 10 }, () => gqlAs(base, session, LIST)));
    expect(answers.map((a) => a.body.errors)).toEqual(Array(10).fill(undefined));
    expect(grantsOf(gw.tenant.tokenRequests).filter((g) => g === 'refresh_token')).toHaveLength(1);

    // ISC fails the refresh: the token still valid serves, the session stays.
    const refreshedAt = issuedAt('refresh_token');
    await until(refreshedAt + lifetimeMs - 1_000);
    gw.tenant.setFaults({ refreshStatus: 503 });
    expect((await gqlAs(base, session, LIST)).body.errors).toBeUndefined();
    expect(grantsOf(gw.tenant.tokenRequests).filter((g) => g === 'refresh_token')).toHaveLength(2);
    expect(await (await fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader(session) } })).json()).toMatchObject({ signedIn: true });

    // ISC refuses the refresh token: the session ends.
    gw.tenant.setFaults({});
    gw.tenant.revokeRefreshTokens();
    await until(refreshedAt + lifetimeMs + 200); // the old token expired (waiting longer only helps)
    const ended = await gqlAs(base, session, LIST);
    expect(ended.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await (await fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader(session) } })).json()).toEqual({ signedIn: false });
  }, 40_000);
});

describe('refresh, continued', () => {
  it('a refresh that times out keeps the session: the token still valid serves, and the session stays signed in', async () => {
    const { gw, base } = await gateway({ SAIL_TOKEN_TIMEOUT_MS: '500' });
    gw.tenant.setTokenLifetime(12); // refreshed 3 s before expiry
    const { session } = await signIn(base, 'ada.admin');
    // Into the refresh window, timed from when ISC issued the token: 0.8 s after it opens, and
    // 1.7 s before expiry once the refresh has timed out (500 ms): margins load does not reach.
    const issuedAt = gw.tenant.tokenRequests.at(-1)!.at;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt + 9_800 - Date.now())));
    gw.tenant.setFaults({ refreshDelayMs: 3_000, refreshFaultCount: 1 });
    const answer = await gqlAs(base, session, LIST);
    expect(answer.body.errors).toBeUndefined();
    expect(grantsOf(gw.tenant.tokenRequests).filter((g) => g === 'refresh_token')).toHaveLength(1);
    expect(await (await fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader(session) } })).json()).toMatchObject({ signedIn: true });
  }, 30_000);

  it('the response cache is keyed by the session, so a refreshed token still finds what the session cached', async () => {
    const { gw, base } = await gateway({ SAIL_RESPONSE_CACHE: 'on' });
    gw.tenant.setTokenLifetime(2); // refreshed 0.5 s before expiry
    const { session } = await signIn(base, 'ada.admin');
    gw.reset();
    const first = await gqlAs(base, session, LIST);
    expect(first.body.errors).toBeUndefined();
    const apiCalls = () => gw.tenant.requests.filter((r) => isApiPath(r.path));
    const tokenBefore = apiCalls()[0].headers.authorization;
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    // An uncached read needs the token: it is refreshed, and the call carries the new one.
    expect((await gqlAs(base, session, '{ oauthClients { id } }')).body.errors).toBeUndefined();
    expect(grantsOf(gw.tenant.tokenRequests).filter((g) => g === 'refresh_token')).toHaveLength(1);
    expect(apiCalls()[1].headers.authorization).not.toBe(tokenBefore);
    const second = await gqlAs(base, session, LIST);
    expect(second.body.data).toEqual(first.body.data);
    expect(second.body.extensions?.cache).toEqual({ hits: [{ route: 'GET connector-customizers', ageSeconds: expect.any(Number), stale: false }] });
    expect(apiCalls()).toHaveLength(2);
  }, 20_000);
});

describe('CORS for browsers on allowed origins', () => {
  it('admits the documented request headers, exposes X-Request-Id and Retry-After, and credentials only for allowed origins', async () => {
    const { base } = await gateway({ SAIL_CORS_ORIGINS: 'http://localhost:5173' });
    const preflight = await fetch(`${base}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, traceparent, x-request-id',
      },
    });
    expect(preflight.status).toBe(204);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining(['content-type', 'x-request-id', 'traceparent', 'tracestate', 'authorization', 'x-api-key', 'cache-control']),
    );
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const answer = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/json', 'x-request-id': 'req-cors-1' },
      body: JSON.stringify({ query: LIST }),
    });
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(answer.headers.get('access-control-expose-headers')).toBe('x-request-id, retry-after');
    expect(answer.headers.get('x-request-id')).toBe('req-cors-1');
    const other = await fetch(`${base}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect([other.headers.get('access-control-allow-origin'), other.headers.get('access-control-allow-credentials')]).toEqual([null, null]);
  });
});
