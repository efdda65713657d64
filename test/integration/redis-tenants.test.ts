import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import type { RunningGateway } from '../../src/gateway.js';
import { tenantScope } from '../../src/isc/scale-out/index.js';
import { gatewayAgainst } from '../support/gateway.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { recordingLogger } from '../support/recording-logger.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

/**
 * Defects 6 and 8 of the safety issue, with a real Redis: keys shared by replicas are scoped by
 * tenant (two tenants, one Redis, the same client id), and the shared 429 pause is clamped.
 */
describeWith(REDIS_SERVER, 'scale-out keys scoped by tenant (real Redis)', () => {
  const KEY = 'tenant-test-key';
  let redis: TestRedis;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  function gatewayFor(tenant: DemoTenant, env: Record<string, string> = {}): Promise<RunningGateway> {
    return gatewayAgainst(tenant, { SAIL_API_KEYS: KEY, SAIL_REDIS_URL: redis.url, SAIL_RESPONSE_CACHE: 'on', ...env }, recordingLogger().logger);
  }

  async function gql(gateway: RunningGateway, query: string): Promise<{ data?: any; errors?: any[] }> {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(15_000),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  }

  describe('two tenants behind one Redis, with the same client id', () => {
    const tenants: DemoTenant[] = [];
    const gateways: RunningGateway[] = [];
    beforeAll(async () => {
      tenants.push(await startDemoTenant({ recordRequests: true }), await startDemoTenant({ recordRequests: true }));
      expect(tenants[0].clientId).toBe(tenants[1].clientId);
      gateways.push(await gatewayFor(tenants[0]), await gatewayFor(tenants[1]));
    });
    afterAll(async () => {
      await Promise.all(gateways.map((g) => g.close()));
      await Promise.all(tenants.map((t) => t.close()));
    });

    it('never see each other’s cached answers', async () => {
      // Tenant A gets a customizer tenant B does not have, straight at the tenant (no gateway saw the write).
      const created = await fetch(`${tenants[0].url}/connector-customizers/v1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenants[0].issueToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'only-on-tenant-a' }),
      });
      expect(created.status).toBe(201);
      const LIST = '{ connectorCustomizers(limit: 100) { items { name } } }';
      const seenByB = await gql(gateways[1], LIST);
      const seenByA = await gql(gateways[0], LIST);
      const names = (r: { data?: any }) => r.data.connectorCustomizers.items.map((c: { name: string }) => c.name);
      expect(names(seenByB)).not.toContain('only-on-tenant-a');
      expect(names(seenByA)).toContain('only-on-tenant-a');
      expect(tenants[0].requests.filter((r) => r.method === 'GET' && r.path === '/connector-customizers/v1')).toHaveLength(1);
    });

    it('keep their rate ledgers and cache entries under separate tenant-scoped keys', async () => {
      const keys = await client.keys('isc-gw:*');
      const scopes = tenants.map((t) => tenantScope(t.url));
      expect(scopes[0]).not.toBe(scopes[1]);
      for (const scope of scopes) {
        expect(keys.some((k) => k.startsWith(`isc-gw:${scope}:rate:client:`))).toBe(true);
        expect(keys.some((k) => k.startsWith(`isc-gw:${scope}:rc:`))).toBe(true);
      }
      expect(keys.filter((k) => k.startsWith('isc-gw:rate:') || k.startsWith('isc-gw:rc:'))).toEqual([]);
    });
  });

  describe('a 429 asking for a day, shared through Redis', () => {
    it('sets the shared pause key for at most SAIL_MAX_RETRY_AFTER_MS (plus the key’s 1 s of slack)', async () => {
      const tenant = await startDemoTenant({ recordRequests: true });
      const gateway = await gatewayFor(tenant, { SAIL_MAX_RETRY_AFTER_MS: '2000', SAIL_RATE_LIMIT_WAIT_MS: '0', SAIL_REDIS_PREFIX: 'pause:' });
      try {
        tenant.setFaults({ rate429: 1, retryAfterSeconds: 86_400 });
        const limited = await gql(gateway, '{ connectors(limit: 1) { items { scriptName } } }');
        expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
        const pauseKey = `pause:${tenantScope(tenant.url)}:rate-pause:client:${tenant.clientId}`;
        const ttl = await client.pttl(pauseKey);
        process.stdout.write(`[figures] shared pause after Retry-After: 86400 with a 2 s clamp: ${JSON.stringify({ pttlMs: ttl })}\n`);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(3_000);
      } finally {
        await gateway.close();
        await tenant.close();
      }
    });
  });
});
