import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import type { RunningGateway } from '../../src/gateway.js';
import { gatewayAgainst } from '../support/gateway.js';
import { recordingLogger } from '../support/recording-logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { gqlAs, grantsOf, signIn } from '../support/sign-in.js';
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
    ...extra,
  });
  const replica = async (extra: Record<string, string> = {}) => {
    const started = await gatewayAgainst(tenant, env(extra), recordingLogger().logger);
    replicas.push(started);
    return { gateway: started, base: new URL(started.url).origin };
  };
  const refreshes = () => grantsOf(tenant.tokenRequests).filter((g) => g === 'refresh_token').length;

  beforeAll(async () => {
    redis = await startRedis();
    tenant = await startDemoTenant({ recordRequests: true });
    tenant.registerRedirectUri(`${PUBLIC_URL}/auth/callback`);
  });
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
});
