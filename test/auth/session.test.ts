import { describe, expect, it } from '@jest/globals';
import { sessionCookies } from '../../src/auth/session/cookies.js';
import got from 'got';
import { createSignInClient, identityOf, pkceChallenge, SignInRefused, type SignInClient, type TokenSet } from '../../src/auth/session/oauth.js';
import { createLogins } from '../../src/auth/session/logins.js';
import { MAX_RETURN_TO, safeReturnTo } from '../../src/auth/session/routes.js';
import { createSessions, type Sessions } from '../../src/auth/session/sessions.js';
import { derivedAuthorizeUrl, sessionConfig, type SessionConfig } from '../../src/config/auth-and-sessions.js';
import { memoryStore } from '../../src/auth/session/store.js';
import type { KeyValueStore } from '../../src/redis/key-value-store.js';
import { gatewayError } from '../../src/shared/errors.js';
import { code } from '../support/errors.js';
import { startFakeUpstream } from '../support/fake-upstream.js';

/** Sign-in sessions alone: a scripted sign-in client, stores in memory. */
const SECRET = 'a-session-secret-of-at-least-32-characters';
const OLD_SECRET = 'an-earlier-session-secret-of-32-characters';

const jwt = (claims: Record<string, unknown>): string =>
  // Not JWT-shaped at the front, so the test run's leak scan never takes one for a real token.
  ['header', JSON.stringify(claims), 'signature'].map((part) => Buffer.from(part).toString('base64url')).join('.');

function tokens(n: number, lifetimeMs = 600_000): TokenSet {
  return { accessToken: jwt({ identity_id: 'id-1', user_name: 'ada.admin', n }), expiresInMs: lifetimeMs, refreshToken: 'refresh-1' };
}

/** The same, as ISC may answer a refresh: without a new refresh token. */
const withoutRefreshToken = (set: TokenSet): TokenSet => ({ ...set, refreshToken: undefined });

function config(overrides: Partial<SessionConfig> = {}): SessionConfig {
  return { ...sessionConfig({}, undefined, true), secrets: [SECRET], ...overrides };
}

/** A sign-in client whose refresh answers from `script` in turn (an Error is thrown), counting refreshes. */
function scriptedClient(script: (TokenSet | Error | Promise<TokenSet>)[]) {
  const client: SignInClient & { refreshes: number } = {
    clientId: 'login-client',
    redirectUri: 'https://gw.example.com/auth/callback',
    refreshes: 0,
    authorizeUrl: () => 'https://acme.login.sailpoint.com/oauth/authorize',
    exchangeCode: async () => tokens(0),
    async refresh() {
      const next = script[client.refreshes++] ?? new Error('no more refreshes scripted');
      if (next instanceof Error) throw next;
      return next;
    },
  };
  return client;
}

/** A clock the refresh tests move by hand. */
const clock = { at: 1_000_000, now: () => clock.at };

function sessionsWith(
  client: SignInClient,
  overrides: Partial<SessionConfig> = {},
  store: KeyValueStore = memoryStore(100),
  now?: () => number,
): Sessions {
  return createSessions({ config: config(overrides), client, sessions: store, refreshWaitMs: 500, now });
}

describe('returnTo', () => {
  it('accepts a path on this site and refuses every way of naming another host', () => {
    expect(safeReturnTo(null)).toBe('/');
    expect(safeReturnTo('/app/?tab=connectors#top')).toBe('/app/?tab=connectors#top');
    expect(safeReturnTo('/app/%C3%A9t%C3%A9')).toBe('/app/%C3%A9t%C3%A9');
    for (const hostile of [
      '/app/..//evil.example/x',
      '/app/%2e%2e//evil.example/x',
      '/app/./..//evil.example',
      '/app/..%2F%2Fevil.example',
      '/app/%2E%2E%2F%2Fevil.example',
      '//evil.example',
      '/\\evil.example',
      '%2F%2Fevil.example',
      '/%2F/evil.example',
      '/%5Cevil.example',
      'https://evil.example/',
      'evil',
      '/%252F%252Fevil',
      '/app\r\nSet-Cookie: x',
      '/%E0%A4%A',
    ]) {
      expect([hostile, safeReturnTo(hostile)]).toEqual([hostile, undefined]);
    }
  });

  it('is normalized as a browser resolves it: dot segments removed, every character outside printable ASCII percent-encoded', () => {
    expect(safeReturnTo('/app/./x/../y?tab=a#top')).toBe('/app/y?tab=a#top');
    expect(safeReturnTo('/app/%2e%2e/graphql')).toBe('/graphql');
    expect(safeReturnTo('/app/€?q=ü #x y')).toBe('/app/%E2%82%AC?q=%C3%BC%20#x%20y');
    expect(safeReturnTo('/app/"<x>"')).toBe('/app/%22%3Cx%3E%22');
    expect(safeReturnTo('/..')).toBe('/');
  });
});

describe('the cookies', () => {
  it('are HttpOnly, SameSite=Lax and Path=/; Secure with the __Host- prefix on https only', () => {
    const https = sessionCookies('https://gw.example.com');
    expect(https.session).toBe('__Host-isc-gw-session');
    expect(https.write(https.session, 'abc')).toBe('__Host-isc-gw-session=abc; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(https.write(https.login, '', 0)).toBe('__Host-isc-gw-login=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax');
    const local = sessionCookies('http://localhost:4000');
    expect(local.write(local.session, 'abc')).toBe('isc-gw-session=abc; Path=/; HttpOnly; SameSite=Lax');
    expect(local.read('a=1; isc-gw-session=xyz; b=2', local.session)).toBe('xyz');
    expect(local.read(undefined, local.session)).toBeUndefined();
  });
});

describe('settings', () => {
  it("derives ISC's sign-in page from the API host, and refuses what would leak the cookie or the secret", () => {
    expect(derivedAuthorizeUrl('https://acme.api.identitynow.com')).toBe('https://acme.login.sailpoint.com/oauth/authorize');
    expect(derivedAuthorizeUrl('https://isc.example.com')).toBeUndefined();
    const real = { SAIL_LOGIN_CLIENT_ID: 'c', SAIL_LOGIN_CLIENT_SECRET: 's', SAIL_SESSION_SECRET: SECRET, SAIL_PUBLIC_URL: 'https://gw.example.com' };
    expect(sessionConfig(real, 'https://acme.api.identitynow.com', false)).toMatchObject({
      enabled: true,
      authorizeUrl: 'https://acme.login.sailpoint.com/oauth/authorize',
      publicUrl: 'https://gw.example.com',
      pkce: false,
      secrets: [SECRET],
    });
    expect(() => sessionConfig({ ...real, SAIL_PUBLIC_URL: 'http://gw.example.com' }, 'https://acme.api.identitynow.com', false)).toThrow(/https/);
    expect(sessionConfig({ ...real, SAIL_PUBLIC_URL: 'http://localhost:4000' }, 'https://acme.api.identitynow.com', false).publicUrl).toBe(
      'http://localhost:4000',
    );
    expect(() => sessionConfig({ ...real, SAIL_SESSION_SECRET: 'short' }, 'https://acme.api.identitynow.com', false)).toThrow(/32 characters/);
    expect(() => sessionConfig({ ...real, SAIL_PUBLIC_URL: 'https://gw.example.com/app' }, 'https://acme.api.identitynow.com', false)).toThrow(
      /origin only/,
    );
    expect(() => sessionConfig(real, 'https://isc.example.com', false)).toThrow(/SAIL_AUTHORIZE_URL/);
    expect(sessionConfig({}, 'https://acme.api.identitynow.com', false).enabled).toBe(false);
    expect(sessionConfig({ SAIL_LOGIN: 'off' }, undefined, true).enabled).toBe(false);
  });

  it('reads who signed in from the token as ISC issued it, and survives a token that is not a JWT', () => {
    expect(identityOf(jwt({ identity_id: 'abc', user_name: 'rita.reader' }))).toEqual({ id: 'abc', name: 'rita.reader' });
    expect(identityOf('opaque')).toEqual({ id: 'unknown', name: 'unknown' });
  });
});

describe('sign-ins in progress', () => {
  /** A store that records every write, to see what a sign-in keeps. */
  function recording() {
    const writes: { key: string; ttlMs: number }[] = [];
    const store = memoryStore(100);
    const create: KeyValueStore['create'] = (key, value, ttlMs) => {
      writes.push({ key, ttlMs });
      return store.create(key, value, ttlMs);
    };
    return { writes, store: { ...store, create } };
  }
  const now = { at: 1_000_000 };
  const logins = (used = memoryStore(100), secrets = [SECRET]) => createLogins({ secrets, timeoutMs: 600_000, used, now: () => now.at });

  it('keep nothing at the gateway until they come back, then open once: a second callback, one after the timeout, or a forged cookie finds nothing', async () => {
    const { writes, store } = recording();
    const sign = logins(store);
    const cookies = Array.from({ length: 1_000 }, (_, i) => sign.begin({ state: `s${i}`, verifier: 'v', returnTo: '/app/' }));
    expect(writes).toEqual([]);
    expect(await sign.finish(cookies[0])).toEqual({ state: 's0', verifier: 'v', returnTo: '/app/', expiresAt: now.at + 600_000 });
    expect(writes).toEqual([{ key: expect.stringMatching(/^login-used:[A-Za-z0-9_-]{43}$/), ttlMs: 600_000 }]);
    expect(writes[0].key.includes('s0')).toBe(false);
    expect(await sign.finish(cookies[0])).toBeUndefined();
    expect(await sign.finish(cookies[999])).toMatchObject({ state: 's999', verifier: 'v' });
    now.at += 600_001;
    expect(await sign.finish(cookies[1])).toBeUndefined();
    const forged = Buffer.from(cookies[2], 'base64url');
    forged[forged.length - 1] ^= 1;
    expect(await sign.finish(forged.toString('base64url'))).toBeUndefined();
    expect(await sign.finish('made-up')).toBeUndefined();
  });

  it('are sealed: the cookie shows no state, verifier or return path; one sealed just before a rotation still opens, one under an unknown secret does not', async () => {
    const cookie = logins(memoryStore(10), [OLD_SECRET]).begin({ state: 'the-state', verifier: 'the-verifier', returnTo: '/app/secret-path' });
    const raw = Buffer.from(cookie, 'base64url').toString('latin1');
    expect(['the-state', 'the-verifier', 'secret-path'].filter((text) => cookie.includes(text) || raw.includes(text))).toEqual([]);
    expect(await logins(memoryStore(10), [SECRET, OLD_SECRET]).finish(cookie)).toMatchObject({ state: 'the-state', returnTo: '/app/secret-path' });
    expect(await logins(memoryStore(10), [SECRET]).finish(cookie)).toBeUndefined();
  });

  it('fit a browser cookie with the longest returnTo (4 KB with name and attributes)', () => {
    const cookie = logins().begin({ state: 'x'.repeat(43), verifier: 'y'.repeat(43), returnTo: `/${'a'.repeat(MAX_RETURN_TO - 1)}` });
    expect(`__Host-isc-gw-login=${cookie}; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax`.length).toBeLessThanOrEqual(4_000);
  });
});

describe('sessions', () => {
  it('are stored sealed under an HMAC of the id: the store never sees the id, a token or a name', async () => {
    const entries = new Map<string, string>();
    const store: KeyValueStore = { ...memoryStore(10), create: async (key, value) => Boolean(entries.set(key, value)) };
    const sessions = sessionsWith(scriptedClient([]), {}, store);
    const { id } = await sessions.create(tokens(1));
    const [[key, value]] = [...entries];
    expect(key).toMatch(/^session:[A-Za-z0-9_-]{43}$/);
    expect([
      key.includes(id),
      value.includes(id),
      value.includes(tokens(1).accessToken),
      value.includes('refresh-1'),
      Buffer.from(value, 'base64url').toString().includes('ada'),
    ]).toEqual([false, false, false, false, false]);
  });

  it('end after the idle timeout or the maximum age, and when ended', async () => {
    const sessions = sessionsWith(scriptedClient([]), { idleTimeoutMs: 60, maxAgeMs: 10_000 });
    const { id } = await sessions.create(tokens(1));
    expect((await sessions.load(id))?.user).toEqual({ id: 'id-1', name: 'ada.admin' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await sessions.load(id)).toBeUndefined();
    const aged = sessionsWith(scriptedClient([]), { idleTimeoutMs: 10_000, maxAgeMs: 60 });
    const second = await aged.create(tokens(2));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await aged.load(second.id)).toBeUndefined();
    const third = await aged.create(tokens(3));
    await aged.end(third.id);
    expect(await aged.load(third.id)).toBeUndefined();
  });

  it('open under an earlier secret after rotation, and are sealed again under the new one', async () => {
    const store = memoryStore(10);
    const before = sessionsWith(scriptedClient([]), { secrets: [OLD_SECRET] }, store);
    const { id } = await before.create(tokens(1));
    const after = sessionsWith(scriptedClient([]), { secrets: [SECRET, OLD_SECRET] }, store);
    expect((await after.load(id))?.user.name).toBe('ada.admin');
    // Moved: the new secret alone now opens it, the old alone no longer does.
    expect((await sessionsWith(scriptedClient([]), { secrets: [SECRET] }, store).load(id))?.user.name).toBe('ada.admin');
    expect(await sessionsWith(scriptedClient([]), { secrets: [OLD_SECRET] }, store).load(id)).toBeUndefined();
    // Without the earlier secret, an old session is simply unknown.
    const other = await before.create(tokens(2));
    expect(await sessionsWith(scriptedClient([]), { secrets: [SECRET] }, store).load(other.id)).toBeUndefined();
  });
});

describe('refresh', () => {
  async function credentialOf(sessions: Sessions, set: TokenSet) {
    const { id } = await sessions.create(set);
    return { id, credential: sessions.credential(id, (await sessions.load(id))!) };
  }
  const timed = (client: SignInClient) => sessionsWith(client, { idleTimeoutMs: 3_600_000, maxAgeMs: 3_600_000 }, memoryStore(100), clock.now);

  it('refreshes ahead of expiry (a minute, or a quarter of a short lifetime), once for many concurrent calls, keeping the refresh token ISC did not replace', async () => {
    const client = scriptedClient([withoutRefreshToken(tokens(2)), tokens(3)]);
    const sessions = timed(client);
    const { id, credential } = await credentialOf(sessions, tokens(1, 600_000));
    clock.at += 530_000; // 70 s left: not yet
    expect(await credential.accessToken()).toBe(tokens(1).accessToken);
    clock.at += 20_000; // 50 s left: due
    const seen = await Promise.all(Array.from({ length: 20 }, () => credential.accessToken()));
    expect(client.refreshes).toBe(1);
    expect(new Set(seen)).toEqual(new Set([tokens(2).accessToken]));
    expect(await credential.accessToken()).toBe(tokens(2).accessToken);
    expect((await sessions.load(id))?.refreshToken).toBe('refresh-1');
  });

  it('keeps the session when ISC fails the refresh (5xx): the current token serves until it expires, and it retries a few seconds later', async () => {
    const client = scriptedClient([gatewayError('UPSTREAM_ERROR', 'ISC token endpoint answered 503'), tokens(2)]);
    const sessions = timed(client);
    const { id, credential } = await credentialOf(sessions, tokens(1, 600_000));
    clock.at += 550_000;
    expect(await credential.accessToken()).toBe(tokens(1).accessToken);
    expect(client.refreshes).toBe(1);
    expect(await credential.accessToken()).toBe(tokens(1).accessToken);
    expect(client.refreshes).toBe(1);
    clock.at += 6_000;
    expect(await credential.accessToken()).toBe(tokens(2).accessToken);
    expect(client.refreshes).toBe(2);
    expect(await sessions.load(id)).toBeDefined();
  });

  it('ends the session when ISC refuses the refresh token: UNAUTHENTICATED, and the session is gone', async () => {
    const client = scriptedClient([new SignInRefused('invalid_grant')]);
    const sessions = timed(client);
    const { id, credential } = await credentialOf(sessions, tokens(1, 600_000));
    clock.at += 550_000;
    await expect(credential.accessToken()).rejects.toEqual(code('UNAUTHENTICATED'));
    expect(await sessions.load(id)).toBeUndefined();
  });

  it('renews a token ISC refused (401) even before its expiry; a failed renewal does not hand the refused token back', async () => {
    const client = scriptedClient([tokens(2), gatewayError('UPSTREAM_ERROR', 'ISC token endpoint answered 503')]);
    const sessions = timed(client);
    const { credential } = await credentialOf(sessions, tokens(1));
    expect(await credential.renew(tokens(1).accessToken)).toBe(tokens(2).accessToken);
    await expect(credential.renew(tokens(2).accessToken)).rejects.toEqual(code('UPSTREAM_ERROR'));
    expect(client.refreshes).toBe(2);
  });

  it('without a refresh token, a session ends when its token expires', async () => {
    const sessions = timed(scriptedClient([]));
    const { credential } = await credentialOf(sessions, withoutRefreshToken(tokens(1)));
    clock.at += 590_000;
    expect(await credential.accessToken()).toBe(tokens(1).accessToken);
    clock.at += 20_000;
    await expect(credential.accessToken()).rejects.toEqual(code('UNAUTHENTICATED'));
  });
});

describe('the sign-in client', () => {
  it('sends the code with its client secret to the token endpoint only: a redirect is not followed, a refusal ends, a 5xx is a passing error', async () => {
    const elsewhere = await startFakeUpstream(() => undefined);
    const statuses = [307, 400, 503, 200];
    const isc = await startFakeUpstream(() => undefined, {
      token: (_req, res) => {
        const status = statuses.shift()!;
        if (status === 307) return void res.writeHead(307, { location: `${elsewhere.url}/steal` }).end();
        if (status === 200)
          return void res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ access_token: 'a'.repeat(30), expires_in: 749, refresh_token: 'r' }));
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
      },
    });
    try {
      const client = createSignInClient({
        clientId: 'login-client',
        clientSecret: 'login-client-secret-value',
        authorizeUrl: 'https://acme.login.sailpoint.com/oauth/authorize',
        tokenUrl: `${isc.url}/oauth/token`,
        redirectUri: 'https://gw.example.com/auth/callback',
        scopes: 'sp:scopes:all',
        http: got.extend({ timeout: { request: 5_000 } }),
        timeoutMs: 5_000,
      });
      await expect(client.exchangeCode('code-1', 'verifier-1')).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_ERROR', httpStatus: 307 } });
      expect(elsewhere.hits).toEqual([]);
      await expect(client.exchangeCode('code-2', undefined)).rejects.toBeInstanceOf(SignInRefused);
      await expect(client.refresh('r')).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_ERROR', httpStatus: 503 } });
      expect(await client.refresh('r')).toEqual({ accessToken: 'a'.repeat(30), expiresInMs: 749_000, refreshToken: 'r' });
      expect(isc.tokenHits.map((hit) => Object.fromEntries(new URLSearchParams(hit.body)))).toEqual([
        {
          grant_type: 'authorization_code',
          code: 'code-1',
          redirect_uri: 'https://gw.example.com/auth/callback',
          code_verifier: 'verifier-1',
          client_id: 'login-client',
          client_secret: 'login-client-secret-value',
        },
        {
          grant_type: 'authorization_code',
          code: 'code-2',
          redirect_uri: 'https://gw.example.com/auth/callback',
          client_id: 'login-client',
          client_secret: 'login-client-secret-value',
        },
        { grant_type: 'refresh_token', refresh_token: 'r', client_id: 'login-client', client_secret: 'login-client-secret-value' },
        { grant_type: 'refresh_token', refresh_token: 'r', client_id: 'login-client', client_secret: 'login-client-secret-value' },
      ]);
      const authorize = new URL(client.authorizeUrl('state-1', 'verifier-1'));
      expect(Object.fromEntries(authorize.searchParams)).toEqual({
        response_type: 'code',
        client_id: 'login-client',
        redirect_uri: 'https://gw.example.com/auth/callback',
        state: 'state-1',
        scope: 'sp:scopes:all',
        code_challenge: pkceChallenge('verifier-1'),
        code_challenge_method: 'S256',
      });
    } finally {
      await isc.close();
      await elsewhere.close();
    }
  });
});
