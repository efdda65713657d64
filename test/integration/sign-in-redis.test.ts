import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import type { RunningGateway } from '../../src/gateway.js';
import { gatewayAgainst } from '../support/gateway.js';
import { recordingLogger } from '../support/recording-logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { approveAs, callback, cookieHeader, gqlAs, grantsOf, signIn, startSignIn } from '../support/sign-in.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

/**
 * Sessions shared by replicas through a real Redis: a sign-in started on one replica finishes on
 * another, any replica serves any session, a session survives a replica's restart and a secret
 * rotation, concurrent operations on two replicas refresh its token once, and Redis holds nothing a
 * reader could use.
 */
describeWith(REDIS_SERVER, 'sessions shared by replicas (real Redis)', () => {
  const PUBLIC_URL = 'http://localhost:4999'; // the load balancer's address; tests call each replica directly
  const VIA_LOAD_BALANCER = { 'x-forwarded-host': 'localhost:4999' }; // what it forwards with each request
  const SECRET = 'the-session-secret-shared-by-replicas-0001';
  const LIST = '{ connectorCustomizers(limit: 1) { items { id } } }';
  let redis: TestRedis;
  let tenant: DemoTenant;
  const replicas: RunningGateway[] = [];

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    SAIL_REDIS_URL: redis.url,
    SAIL_REDIS_PREFIX: 'sign-in-test:',
    SAIL_API_KEYS: 'replica-key',
    SAIL_LOGIN_CLIENT_ID: tenant.login.clientId,
    SAIL_LOGIN_CLIENT_SECRET: tenant.login.clientSecret,
    SAIL_AUTHORIZE_URL: tenant.login.authorizeUrl,
    SAIL_PUBLIC_URL: PUBLIC_URL,
    SAIL_SESSION_SECRET: SECRET,
    SAIL_LOGIN_PKCE: 'on',
    // Both replicas and their callers share this test's event loop: on a loaded 2-core machine a
    // Redis answer can come later than the production default of 500 ms.
    SAIL_REDIS_COMMAND_TIMEOUT_MS: '5000',
    ...extra,
  });
  const replica = async (extra: Record<string, string> = {}) => {
    const started = await gatewayAgainst(tenant, env(extra), recordingLogger().logger);
    replicas.push(started);
    return { gateway: started, base: new URL(started.url).origin };
  };
  const refreshes = () => grantsOf(tenant.tokenRequests).filter((g) => g === 'refresh_token').length;
  const signedIn = async (base: string, session: Record<string, string>) =>
    ((await (await fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader(session) } })).json()) as { signedIn: boolean }).signedIn;
  const logout = (base: string, session: Record<string, string>) =>
    fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie: cookieHeader(session), origin: PUBLIC_URL } });
  /** Session keys in Redis (not their refresh locks), sorted. */
  async function sessionKeys(): Promise<string[]> {
    const client = new Redis(redis.url);
    try {
      return (await client.keys('sign-in-test:session:*')).filter((k) => !k.includes('lock:')).sort();
    } finally {
      client.disconnect();
    }
  }
  /** Until no refresh lock is held: a refresh that has finished, whichever way, has let go of its session's lock. */
  async function refreshesFinished(): Promise<void> {
    const client = new Redis(redis.url);
    try {
      for (let i = 0; i < 200 && (await client.keys('sign-in-test:lock:*')).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await client.keys('sign-in-test:lock:*')).toEqual([]);
    } finally {
      client.disconnect();
    }
  }

  beforeAll(async () => {
    redis = await startRedis();
    tenant = await startDemoTenant({ recordRequests: true });
    tenant.registerRedirectUri(`${PUBLIC_URL}/auth/callback`);
  });
  afterEach(() => tenant.setFaults({})); // releases refresh answers a failed test left held
  afterAll(async () => {
    for (const gateway of replicas) await gateway.close();
    await tenant?.close();
    await redis?.stop();
  });

  it('a sign-in started on one replica finishes on the other; both serve the session; Redis holds only sealed values under HMAC keys', async () => {
    const a = await replica();
    const b = await replica();
    const { session } = await signIn(a.base, 'rita.reader', { finishOn: b.base, headers: VIA_LOAD_BALANCER });
    expect(grantsOf(tenant.tokenRequests).filter((g) => g === 'authorization_code')).toHaveLength(1);
    for (const base of [a.base, b.base]) expect((await gqlAs(base, session, LIST)).body.errors).toBeUndefined();

    const client = new Redis(redis.url);
    try {
      const keys = (await client.keys('sign-in-test:session:*')).filter((k) => !k.includes('lock:'));
      expect(keys).toHaveLength(1);
      const value = (await client.get(keys[0]))!;
      const sessionId = Object.values(session)[0];
      expect([keys[0].includes(sessionId), value.includes(sessionId), value.includes('rita'), value.includes('eyJ')]).toEqual([
        false,
        false,
        false,
        false,
      ]);
      expect(await client.ttl(keys[0])).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });

  it('concurrent operations on two replicas when the token is due: one refresh, every operation served', async () => {
    const a = await replica();
    const b = await replica();
    tenant.setTokenLifetime(2); // due 0.5 s before it expires
    const { session } = await signIn(a.base, 'ada.admin', { headers: VIA_LOAD_BALANCER });
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const before = refreshes();
    const answers = await Promise.all([a.base, b.base].flatMap((base) => Array.from({ length: 10 }, () => gqlAs(base, session, LIST))));
    expect(answers.map((answer) => answer.body.errors)).toEqual(Array(20).fill(undefined));
    expect(refreshes() - before).toBe(1);
    tenant.setTokenLifetime(749);
  }, 20_000);

  it('survives a replica restart, and a secret rotation (the previous secret still opens it)', async () => {
    const a = await replica();
    const { session } = await signIn(a.base, 'ada.admin', { headers: VIA_LOAD_BALANCER });
    await a.gateway.close();
    const restarted = await replica();
    expect((await gqlAs(restarted.base, session, LIST)).body.errors).toBeUndefined();
    const rotated = await replica({ SAIL_SESSION_SECRET: 'a-brand-new-session-secret-after-rotation', SAIL_SESSION_PREVIOUS_SECRETS: SECRET });
    expect((await gqlAs(rotated.base, session, LIST)).body.errors).toBeUndefined();
    const withoutOld = await replica({ SAIL_SESSION_SECRET: 'yet-another-secret-that-knows-nothing-old' });
    expect((await gqlAs(withoutOld.base, session, LIST)).body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('sign-out on one replica while the other refreshes the token: the refresh answers UNAUTHENTICATED and writes nothing back', async () => {
    const a = await replica();
    const b = await replica();
    const earlier = await sessionKeys(); // of the tests before
    const { session } = await signIn(a.base, 'ada.admin', { headers: VIA_LOAD_BALANCER });
    expect(await sessionKeys()).toHaveLength(earlier.length + 1);
    const hold = tenant.holdRefreshes();
    tenant.expireAllTokens(); // ISC answers 401 to the session's token: replica a refreshes it
    const inFlight = gqlAs(a.base, session, LIST);
    await hold.held();
    expect((await logout(b.base, session)).status).toBe(204);
    hold.release();
    const answer = await inFlight;
    expect(answer.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await sessionKeys()).toEqual(earlier);
    expect([await signedIn(a.base, session), await signedIn(b.base, session)]).toEqual([false, false]);
  });

  it("sign-out on one replica while the other's response cache refreshes a stale entry for the session: nothing written back", async () => {
    const cached = { SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_TTL_MS: '1', SAIL_RESPONSE_CACHE_STALE_MS: '600000' };
    const a = await replica(cached);
    const b = await replica(cached);
    const earlier = await sessionKeys(); // of the tests before
    const { session } = await signIn(a.base, 'ada.admin', { headers: VIA_LOAD_BALANCER });
    expect(await sessionKeys()).toHaveLength(earlier.length + 1);
    expect((await gqlAs(a.base, session, LIST)).body.errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 20)); // past the 1 ms TTL, well within the grace
    const hold = tenant.holdRefreshes();
    tenant.expireAllTokens();
    const stale = await gqlAs(a.base, session, LIST); // served stale; its background refresh meets the 401 and refreshes the token
    expect(stale.body.extensions?.cache?.hits?.[0]?.stale).toBe(true);
    await hold.held();
    expect((await logout(b.base, session)).status).toBe(204);
    hold.release();
    await refreshesFinished();
    expect(await sessionKeys()).toEqual(earlier);
    expect([await signedIn(a.base, session), await signedIn(b.base, session)]).toEqual([false, false]);
  });

  it('5,000 anonymous /auth/login (GET and HEAD) during a sign-in: it completes on the other replica, and Redis holds not one key more', async () => {
    const a = await replica({ SAIL_REDIS_URL: `${redis.url}/3` });
    const b = await replica({ SAIL_REDIS_URL: `${redis.url}/3` });
    const started = await startSignIn(a.base, '/app/', {}, VIA_LOAD_BALANCER);
    const client = new Redis(`${redis.url}/3`);
    try {
      const before = await client.dbsize();
      for (let batch = 0; batch < 100; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            fetch(`${[a, b][i % 2].base}/auth/login?returnTo=/app/${i}`, {
              headers: VIA_LOAD_BALANCER,
              method: i % 3 ? 'GET' : 'HEAD',
              redirect: 'manual',
              signal: AbortSignal.timeout(10_000),
            }),
          ),
        );
        expect(answers.filter((answer) => answer.status !== 302)).toEqual([]);
      }
      expect(await client.dbsize()).toBe(before);
      // Approved only now: ISC's code lives 60 s, which 5,000 requests on a loaded machine may outlast.
      const back = await approveAs(started.authorizeUrl, 'rita.reader');
      const done = await callback(b.base, back, started.loginCookie);
      expect({ status: done.status, location: done.headers.get('location') }).toEqual({ status: 303, location: '/app/' });
    } finally {
      client.disconnect();
    }
  }, 120_000);
});
