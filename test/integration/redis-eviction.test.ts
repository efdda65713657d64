import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { redisStore } from '../../src/auth/session/store.js';
import { loadConfig } from '../../src/config/index.js';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { ROUTE_TEMPLATES } from '../../src/domains.js';
import { localWriteClock, routeWords } from '../../src/isc/write-clock.js';
import { createResponseCache, responseCacheKey } from '../../src/isc/response-cache.js';
import { connectScaleOut, type ScaleOut } from '../../src/isc/scale-out/index.js';
import { createTokenProvider, type IssuedToken } from '../../src/isc/token-provider.js';
import { bearer, describeCall, gatewayAgainst } from '../support/gateway.js';
import { recordingLogger } from '../support/recording-logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';
import { maxInWindow } from '../support/windows.js';
import { isApiPath } from '../support/demo-tenant-api.js';

/**
 * Issue 25, part 7: the state replicas share (rate ledger, pauses, sessions, locks, the write
 * clock, the token) never depends on which keys Redis evicts first. Cache entries go to a Redis of
 * their own (`SAIL_REDIS_CACHE_URL`), which may evict; the state's Redis is told to never evict,
 * and the gateway warns when it may.
 */
describeWith(REDIS_SERVER, 'Redis under memory pressure (real Redis)', () => {
  const words = routeWords(ROUTE_TEMPLATES);
  const started: TestRedis[] = [];
  const connected: ScaleOut[] = [];
  const clients: Redis[] = [];

  async function redisServer(settings: Record<string, string | string[]> = {}): Promise<{ server: TestRedis; client: Redis }> {
    const server = await startRedis({ settings });
    started.push(server);
    const client = new Redis(server.url);
    clients.push(client);
    return { server, client };
  }

  /** The scale-out parts of one replica, against a fake token endpoint. */
  async function replica(env: Record<string, string>, logger = recordingLogger().logger): Promise<ScaleOut> {
    const config = loadConfig({ SAIL_RESPONSE_CACHE: 'on', SAIL_REDIS_PREFIX: 'evict:', SAIL_REPLICAS: '2', ...env });
    const exchange = async (): Promise<IssuedToken> => ({ accessToken: `token-${'t'.repeat(24)}`, expiresIn: 600 });
    const domains = { connectors: 60_000 };
    const scaleOut = await connectScaleOut(config, logger, {
      baseUrl: 'http://isc.test',
      exchange,
      tokenUrl: 'http://isc.test/oauth/token',
      clientId: 'evict-client',
      clientSecret: 'secret-of-evict-client',
      cacheSecret: 'secret-of-evict-client',
      localTokens: createTokenProvider(exchange),
      localCache: createResponseCache({ domains, staleMs: 0, maxEntries: 100, maxBytes: 1_000_000 }),
      cacheDomains: domains,
      localClock: localWriteClock(words),
      words,
    });
    connected.push(scaleOut);
    return scaleOut;
  }

  const evictedKeys = async (client: Redis): Promise<number> => Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))?.[1] ?? 0);

  afterEach(async () => {
    await Promise.all(connected.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(started.map((s) => s.stop()));
  });

  it('a cache Redis that evicts takes nothing but cache entries: ledger, pause, session, lock, clock and token survive, and the budget holds', async () => {
    const state = await redisServer(); // noeviction, Redis's default
    const cache = await redisServer({ maxmemory: '4mb', 'maxmemory-policy': 'allkeys-lru' });
    const scaleOut = await replica({
      SAIL_REDIS_URL: state.server.url,
      SAIL_REDIS_CACHE_URL: cache.server.url,
      SAIL_RATE_LIMIT: '10',
      SAIL_RATE_WINDOW_MS: '10000',
    });

    // State of every kind, on the state Redis.
    await scaleOut.tokens.getToken();
    const sessions = redisStore(scaleOut.store);
    await sessions.create('session:evict-test', 'sealed-session', 3_600_000);
    expect(await sessions.lock('session-refresh:evict-test', 60_000)).toBeDefined();
    const planned: number[] = [];
    const reserve = async (n: number) => {
      for (let i = 0; i < n; i++) planned.push(Date.now() + (await scaleOut.ledger.reserve('client:evict', Number.POSITIVE_INFINITY)).waitMs);
    };
    await reserve(10); // the whole budget of this window
    scaleOut.ledger.pauseUntil('client:paused', Date.now() + 120_000);
    await scaleOut.clock.advance('connectors/ad');
    const stamp = await scaleOut.clock.stamp('connectors/ad'); // the first read creates the clock's epoch
    const stateKeys = async () => (await state.client.keys('evict:*')).sort();
    for (let i = 0; i < 100 && !(await stateKeys()).some((k) => k.includes(':rate-pause:')); i++) await new Promise((r) => setTimeout(r, 20)); // the pause is written asynchronously
    const before = await stateKeys();
    for (const kind of [
      ':token:',
      ':rate:client:evict',
      ':rate-pause:client:paused',
      ':fr:epoch',
      ':fr:list:connectors',
      ':fr:res:connectors/ad',
      'session:evict-test',
      'session-refresh:evict-test',
    ]) {
      expect({ kind, present: before.some((k) => k.includes(kind)) }).toEqual({ kind, present: true });
    }

    // Fill the cache until its Redis evicts (4 MB of 10 KB answers: a few hundred; bounded).
    const body = 'x'.repeat(10_000);
    let stored = 0;
    while ((await evictedKeys(cache.client)) === 0 && stored < 3_000) {
      for (let i = 0; i < 20; i++, stored++) {
        const url = `connectors/filler-${stored}`;
        await scaleOut.cache!.set(
          responseCacheKey(stamp, 'client:c', url, 'application/json'),
          { status: 200, headers: {}, body, bytes: body.length, storedAt: Date.now() },
          60_000,
        );
      }
    }
    expect(await evictedKeys(cache.client)).toBeGreaterThan(0);
    expect(await evictedKeys(state.client)).toBe(0);

    // Every state key is still there, the state Redis holds no cache entry, the cache Redis nothing else.
    expect(await stateKeys()).toEqual(before);
    expect(before.filter((k) => k.includes(':rc:'))).toEqual([]);
    const cacheKeys = await cache.client.keys('*');
    expect(cacheKeys.length).toBeGreaterThan(0);
    expect(cacheKeys.filter((k) => !/^evict:t-[0-9a-f]{16}:rc:/.test(k))).toEqual([]);
    expect(await sessions.get('session:evict-test')).toBe('sealed-session');

    // The budget: the next 10 starts come a window after the first 10, never in the same 10 s.
    await reserve(10);
    expect(maxInWindow(planned, 10_000)).toBeLessThanOrEqual(10);
    expect(planned.slice(10).every((t) => t - planned[0] >= 10_000)).toBe(true);
  });

  it('warns once when the state Redis may evict, and not when it never does', async () => {
    const evicting = await redisServer({ maxmemory: '64mb', 'maxmemory-policy': 'volatile-ttl' });
    const safe = await redisServer();
    const warned = recordingLogger();
    await replica({ SAIL_REDIS_URL: evicting.server.url }, warned.logger);
    const quiet = recordingLogger();
    await replica({ SAIL_REDIS_URL: safe.server.url }, quiet.logger);
    const evictionWarnings = (records: typeof warned.records) => records.filter((r) => r.level === 'warn' && /may evict/.test(r.msg));
    expect(evictionWarnings(warned.records)).toEqual([
      expect.objectContaining({
        msg: expect.stringContaining('maxmemory-policy noeviction'),
        fields: expect.objectContaining({ maxmemoryPolicy: 'volatile-ttl' }),
      }),
    ]);
    expect(evictionWarnings(quiet.records)).toEqual([]);
  });

  it('a Redis that refuses CONFIG (managed Redis) is no obstacle: one line saying so, and the parts work', async () => {
    const managed = await redisServer({ 'rename-command': ['CONFIG', ''] });
    const { logger, records } = recordingLogger();
    const scaleOut = await replica({ SAIL_REDIS_URL: managed.server.url }, logger);
    expect(records.filter((r) => /eviction policy/.test(r.msg))).toEqual([expect.objectContaining({ level: 'info' })]);
    expect(records.filter((r) => r.level === 'warn')).toEqual([]);
    expect(await scaleOut.ledger.reserve('client:managed', 0)).toEqual({ waitMs: 0, start: expect.any(Number), member: expect.any(String) });
  });

  it("the cache's own Redis is reported by /readyz and isc_gateway_cache_redis_up; down, the replica is still ready", async () => {
    const state = await redisServer();
    const cache = await redisServer();
    const tenant = await startDemoTenant();
    const gateway = await gatewayAgainst(tenant, {
      SAIL_API_KEYS: 'cache-redis-key',
      SAIL_REDIS_URL: state.server.url,
      SAIL_REDIS_CACHE_URL: cache.server.url,
      SAIL_RESPONSE_CACHE: 'on',
      SAIL_READINESS_INTERVAL_MS: '100',
    });
    const origin = new URL(gateway.url).origin;
    const get = async (path: string) => fetch(`${origin}${path}`, { signal: AbortSignal.timeout(10_000) });
    const cacheUp = async () => /^isc_gateway_cache_redis_up (\d)$/m.exec(await (await get('/metrics')).text())?.[1];
    try {
      expect(await (await get('/readyz')).json()).toMatchObject({ ready: true, checks: { redis: 'ok', cacheRedis: 'ok' } });
      expect(await cacheUp()).toBe('1');
      clients.splice(clients.indexOf(cache.client), 1);
      await cache.client.quit(); // this test's own client, so that only the gateway's keeps reconnecting
      await cache.server.kill();
      // The connection notices the loss on its own schedule: ask until it has (bounded).
      for (let i = 0; i < 100 && (await cacheUp()) !== '0'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await cacheUp()).toBe('0');
      await new Promise((resolve) => setTimeout(resolve, 150)); // past SAIL_READINESS_INTERVAL_MS: a new probe
      const ready = await get('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, checks: { redis: 'ok', cacheRedis: 'unreachable: caching in this process' } });
    } finally {
      await gateway.close();
      await tenant.close();
    }
  });

  describe('one Redis that never evicts, full', () => {
    let tenant: DemoTenant;
    beforeAll(async () => {
      tenant = await startDemoTenant({ recordRequests: true });
    });
    afterAll(async () => {
      await tenant.close();
    });

    it('a cache write it refuses (OOM) is a miss, never an error to the caller', async () => {
      const full = await redisServer({ 'maxmemory-policy': 'noeviction' });
      const gateway = await gatewayAgainst(tenant, {
        SAIL_API_KEYS: 'oom-test-key',
        SAIL_REDIS_URL: full.server.url,
        SAIL_RESPONSE_CACHE: 'on',
        SAIL_RATE_LIMIT: '100000',
        SAIL_RATE_WINDOW_MS: '1000',
      });
      try {
        const read = async (limit: number) => {
          const response = await fetch(gateway.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': 'oom-test-key' },
            body: JSON.stringify({ query: `{ connectors(limit: ${limit}) { items { scriptName } } }` }),
            signal: AbortSignal.timeout(15_000),
          });
          const body = (await response.json()) as { data?: any; errors?: unknown[]; extensions?: { cache?: unknown } };
          return { errors: body.errors, items: body.data?.connectors.items.length, cache: body.extensions?.cache };
        };
        // Before Redis is full, answers are kept there.
        expect(await read(2)).toEqual({ errors: undefined, items: 2, cache: undefined });
        expect(await read(2)).toEqual({
          errors: undefined,
          items: 2,
          cache: { hits: [expect.objectContaining({ route: 'GET connectors', stale: false })] },
        });

        // Someone else's data fills it: its memory limit is then set to half of what it holds, so it refuses every write.
        for (let i = 0; i < 40; i++) await full.client.set(`other-app:${i}`, 'y'.repeat(50_000));
        const used = Number(/used_memory:(\d+)/.exec(await full.client.info('memory'))?.[1]);
        await full.client.config('SET', 'maxmemory', String(Math.floor(used / 2)));
        expect(String(await full.client.set('other-app:more', 'y').catch((error: unknown) => error))).toMatch(/OOM/);

        tenant.clearRequests();
        expect(await read(3)).toEqual({ errors: undefined, items: 3, cache: undefined });
        expect(await read(3)).toEqual({ errors: undefined, items: 3, cache: undefined }); // not kept: asked of ISC again
        const call = {
          method: 'GET',
          path: '/connectors/v1',
          query: { limit: '4', offset: '0' },
          headers: { accept: 'application/json', authorization: bearer },
          body: '',
        };
        expect(tenant.requests.filter((r) => isApiPath(r.path)).map(describeCall)).toEqual([call, call]);
      } finally {
        await gateway.close();
      }
    });
  });
});
