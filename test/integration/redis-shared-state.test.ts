import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createRateGovernor } from '../../src/isc/governor.js';
import { connectSharedStore, type SharedStore } from '../../src/redis/connection.js';
import { createSharedLedger } from '../../src/isc/scale-out/shared-ledger.js';
import { cacheSealingKey, createSharedResponseCache } from '../../src/isc/scale-out/shared-response-cache.js';
import { sharedWriteClock } from '../../src/isc/scale-out/shared-write-clock.js';
import { localWriteClock, routeWords, type WriteClock } from '../../src/isc/write-clock.js';
import { ROUTE_TEMPLATES } from '../../src/domains.js';
import { createResponseCache, responseCacheKey, type CachedResponse } from '../../src/isc/response-cache.js';
import { createSharedTokenProvider } from '../../src/isc/scale-out/shared-token.js';
import { createTokenProvider, type IssuedToken } from '../../src/isc/token-provider.js';
import { gatewayError } from '../../src/shared/errors.js';
import { firstCustomizerId, isApiPath } from '../support/demo-tenant-api.js';
import { recordingLogger } from '../support/recording-logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { maxInWindow } from '../support/windows.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

describeWith(REDIS_SERVER, 'state shared through Redis (real Redis)', () => {
  /** The demo tenant's well-known secret (never written out literally: the test run's output is scanned for it). */
  const DEMO_SECRET = ['demo', 'secret'].join('-');

  let redis: TestRedis;
  const stores: SharedStore[] = [];
  let prefixNo = 0;

  /**
   * A store per simulated replica, each with its own connection and key prefix per test. These
   * tests are about sharing, not about a slow Redis: a loaded machine can hold a reply past the
   * product's 500 ms command timeout, which would send a replica to its fallback, so the timeout
   * here is one load cannot reach (the outage tests below stop Redis instead).
   */
  async function replicas(n: number, prefix = `t${++prefixNo}:`, logger = recordingLogger().logger): Promise<SharedStore[]> {
    const created = Array.from({ length: n }, () => connectSharedStore({ url: redis.url, prefix, logger, commandTimeoutMs: 20_000 }));
    stores.push(...created);
    await Promise.all(created.map((s) => s.ready(5_000)));
    return created;
  }

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis.stop();
  });

  describe('rate governor shared through Redis', () => {
    it('keeps 4 replicas together at the limit in every window', async () => {
      const shared = await replicas(4);
      const limit = 5;
      // Long windows: the 32 starts are planned up to 12 s ahead, and none leaves the log while
      // they are being reserved, however slowly a loaded machine sends them.
      const windowMs = 2_000;
      const ledgers = shared.map((store) => createSharedLedger({ store, limit, windowMs, replicas: 4 }));
      // Each replica reserves 8 starts at once: 32 starts, 5 per window.
      const reservations = await Promise.all(
        ledgers.flatMap((ledger) => Array.from({ length: 8 }, async () => ledger.reserve('client:x', Number.POSITIVE_INFINITY))),
      );
      expect(reservations.filter((r) => r.refused)).toEqual([]);
      // The starts as Redis recorded them (its clock), not as each replica's clock read them later.
      const raw = new Redis(redis.url);
      let starts: number[];
      try {
        const log = await raw.zrange(`${shared[0].prefix}rate:client:x`, 0, -1, 'WITHSCORES');
        starts = log.filter((_, i) => i % 2 === 1).map(Number);
      } finally {
        raw.disconnect();
      }
      expect(starts).toHaveLength(32);
      expect(maxInWindow(starts, windowMs)).toBeLessThanOrEqual(limit);
      // At the limit, never under it: each start comes exactly one window after the one `limit` places before it.
      expect(starts.slice(limit).map((start, i) => start - starts[i])).toEqual(Array<number>(32 - limit).fill(windowMs));
    });

    it('paces real calls through createRateGovernor and refuses what cannot start before the deadline', async () => {
      const shared = await replicas(2);
      // A 1 s window: the refusal below needs the next slot to be further away than a loaded
      // machine can be late in getting there.
      const windowMs = 1_000;
      const governors = shared.map((store) =>
        createRateGovernor({
          limit: 3,
          windowMs,
          marginMs: 0,
          maxConcurrency: 10,
          maxQueue: 10,
          ledger: createSharedLedger({ store, limit: 3, windowMs, replicas: 2 }),
        }),
      );
      let started = 0;
      await Promise.all(
        [0, 1, 0, 1, 0, 1].map(async (i) => {
          const release = await governors[i].acquire('client:y');
          started++;
          release();
        }),
      );
      expect(started).toBe(6);
      // The starts as Redis planned them (its clock): the second three a whole window after the first.
      const raw = new Redis(redis.url);
      try {
        const log = await raw.zrange(`${shared[0].prefix}rate:client:y`, 0, -1, 'WITHSCORES');
        const starts = log.filter((_, i) => i % 2 === 1).map(Number);
        expect(starts).toHaveLength(6);
        expect(maxInWindow(starts, windowMs)).toBeLessThanOrEqual(3);
        expect(starts.slice(3).map((start, i) => start - starts[i])).toEqual([windowMs, windowMs, windowMs]);
      } finally {
        raw.disconnect();
      }
      expect(governors[0].stats().waits + governors[1].stats().waits).toBe(3); // the second three waited for their window
      // The window is full again for the next second: a call that must start within 50 ms is refused.
      for (let i = 0; i < 3; i++) (await governors[0].acquire('client:y'))();
      await expect(governors[1].acquire('client:y', Date.now() + 50)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
      expect(governors[1].stats().refused).toBe(1);
    });

    it('shares a 429 pause with every replica', async () => {
      const shared = await replicas(2);
      const [a, b] = shared.map((store) => createSharedLedger({ store, limit: 100, windowMs: 1000, replicas: 2 }));
      // A minute: still running when b reserves, however long a loaded machine takes to get there.
      const until = Date.now() + 60_000;
      a.pauseUntil('client:z', until);
      const raw = new Redis(redis.url);
      try {
        // The pause is written asynchronously: wait (bounded) until Redis has it.
        const pauseKey = `${shared[0].prefix}rate-pause:client:z`;
        for (let i = 0; i < 250 && (await raw.get(pauseKey)) === null; i++) await new Promise((resolve) => setTimeout(resolve, 20));
        const pausedUntil = Number(await raw.get(pauseKey));
        expect(pausedUntil).toBeGreaterThanOrEqual(until - 1); // Redis's clock, rounded to the ms
        const reservation = await b.reserve('client:z', Number.POSITIVE_INFINITY);
        // b, which never saw the 429, waits for it: its start is the end of a's pause, exactly.
        expect(reservation.waitMs).toBeGreaterThan(0);
        const log = await raw.zrange(`${shared[0].prefix}rate:client:z`, 0, -1, 'WITHSCORES');
        expect(log.filter((_, i) => i % 2 === 1).map(Number)).toEqual([pausedUntil]);
      } finally {
        raw.disconnect();
      }
    });
  });

  describe('token shared through Redis', () => {
    function counter(lifetimeS: number) {
      let issued = 0;
      const requestToken = async (): Promise<IssuedToken> => {
        issued++;
        await new Promise((resolve) => setTimeout(resolve, 30)); // a token endpoint takes a while
        return { accessToken: `token-${issued}-${'x'.repeat(20)}`, expiresIn: lifetimeS };
      };
      return { requestToken, issued: () => issued };
    }

    const providers = (stores: SharedStore[], requestToken: () => Promise<IssuedToken>) =>
      stores.map((store) =>
        createSharedTokenProvider({
          store,
          requestToken,
          tokenUrl: 'http://isc.test/oauth/token',
          clientId: 'client-1',
          clientSecret: 'secret-of-client-1',
          fallback: createTokenProvider(requestToken),
        }),
      );

    it('4 replicas on a cold cache fetch one token between them, stored encrypted', async () => {
      const shared = await replicas(4);
      const isc = counter(60);
      const tokens = providers(shared, isc.requestToken);
      const got = await Promise.all(Array.from({ length: 40 }, (_, i) => tokens[i % 4].getToken()));
      expect(isc.issued()).toBe(1);
      expect(new Set(got)).toEqual(new Set([got[0]]));

      const raw = new Redis(redis.url);
      try {
        const keys = await raw.keys(`${shared[0].prefix}*`);
        const values = await Promise.all(keys.map((k) => raw.get(k)));
        expect(keys.some((k) => k.includes('token:'))).toBe(true);
        for (const value of values) expect(value ?? '').not.toContain(got[0]);
      } finally {
        raw.disconnect();
      }
    });

    it("a replica whose read came before another's fetch and whose lock came after it reads again, and fetches nothing", async () => {
      const [taker, waiter] = await replicas(2);
      const isc = counter(60);
      // The waiter's reads answer only once the taker has stored its token and freed the lock: the
      // gap between a read that found nothing and a lock that is free again, made deterministic.
      let released!: () => void;
      const takerDone = new Promise<void>((resolve) => (released = resolve));
      const multi = waiter.redis.multi.bind(waiter.redis);
      let held = 1; // hold the first read only
      waiter.redis.multi = ((...args: Parameters<typeof multi>) => {
        const batch = multi(...args);
        if (held-- <= 0) return batch;
        const exec = batch.exec.bind(batch);
        batch.exec = async () => {
          const answer = await exec();
          await takerDone;
          return answer;
        };
        return batch;
      }) as typeof multi;
      const [takerTokens, waiterTokens] = providers([taker, waiter], isc.requestToken);
      const waiting = waiterTokens.getToken(); // reads (nothing yet; held), then tries the lock
      const first = await takerTokens.getToken(); // fetches, stores, frees the lock
      released();
      expect(await waiting).toBe(first);
      expect(isc.issued()).toBe(1);
    });

    it('fetches about one token per lifetime in total, however many replicas ask', async () => {
      const shared = await replicas(4);
      const isc = counter(1); // 1 s tokens
      const tokens = providers(shared, isc.requestToken);
      const started = Date.now();
      const until = started + 3_200;
      let calls = 0;
      while (Date.now() < until) {
        await Promise.all(tokens.map((t) => t.getToken()));
        calls += 4;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(calls).toBeGreaterThan(100);
      // 1 s tokens, stored 5% shorter and refreshed 10% ahead: one per 0.85 s in all (4 or 5 here).
      // Four replicas each on their own would fetch four times that; on a loaded machine a Redis
      // command may time out and let a replica fetch on its own once, so the bound is half of it.
      const lifetimes = Math.ceil((Date.now() - started) / 850);
      expect(isc.issued()).toBeGreaterThanOrEqual(3);
      expect(isc.issued()).toBeLessThan((4 * lifetimes) / 2);
    });

    it('after ISC refuses the token, one replica fetches the next for all', async () => {
      const shared = await replicas(3);
      const isc = counter(60);
      const tokens = providers(shared, isc.requestToken);
      const first = await tokens[0].getToken();
      await Promise.all(tokens.map((t) => t.getToken()));
      expect(isc.issued()).toBe(1);
      tokens[1].invalidate(first);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the delete is asynchronous
      // Replica 1 dropped it; the others still hold it until ISC refuses it to them too.
      const second = await tokens[1].getToken();
      expect(second).not.toBe(first);
      tokens[0].invalidate(first);
      tokens[2].invalidate(first);
      expect(await tokens[0].getToken()).toBe(second);
      expect(await tokens[2].getToken()).toBe(second);
      expect(isc.issued()).toBe(2);
    });

    it("an unreachable token endpoint is ISC's failure, not Redis's: one request, the error passed on", async () => {
      const [store] = await replicas(1);
      let requests = 0;
      const requestToken = async (): Promise<IssuedToken> => {
        requests++;
        throw gatewayError('UPSTREAM_ERROR', 'ISC token endpoint unreachable: ECONNREFUSED');
      };
      const [tokens] = providers([store], requestToken);
      await expect(tokens.getToken()).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_ERROR' } });
      expect(requests).toBe(1);
    });

    it('a fetcher that died holding the lock is replaced by one waiting replica once the lock expires', async () => {
      const shared = await replicas(3);
      const isc = counter(60);
      const raw = new Redis(redis.url);
      try {
        const tokenKey = `${shared[0].prefix}token:${createHash('sha256').update('http://isc.test/oauth/token\u0000client-1').digest('hex').slice(0, 32)}`;
        await raw.set(`${tokenKey}:lock`, 'a-replica-that-died', 'PX', 300);
        const tokens = providers(shared, isc.requestToken);
        const started = Date.now();
        const got = await Promise.all(tokens.map((t) => t.getToken()));
        expect(new Set(got).size).toBe(1);
        expect(isc.issued()).toBe(1);
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      } finally {
        raw.disconnect();
      }
    });

    it('a replica without the client secret cannot read the shared token', async () => {
      const [store] = await replicas(1);
      const isc = counter(60);
      const [owner] = providers([store], isc.requestToken);
      await owner.getToken();
      const other = counter(60);
      const stranger = createSharedTokenProvider({
        store,
        requestToken: other.requestToken,
        tokenUrl: 'http://isc.test/oauth/token',
        clientId: 'client-1',
        clientSecret: 'a-different-secret',
        fallback: createTokenProvider(other.requestToken),
        waitMs: 200,
      });
      await stranger.getToken();
      expect(other.issued()).toBe(1); // it had to fetch its own
    });
  });

  describe('shared write clock and response cache', () => {
    const words = routeWords(ROUTE_TEMPLATES);
    const entry = (body: unknown, bytes = 20): CachedResponse => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-total-count': '7', 'set-cookie': 'x' },
      body,
      bytes,
      storedAt: 1_000,
    });
    const parts = (stores: SharedStore[], secret = 'secret-every-replica-holds') =>
      stores.map((store) => ({
        clock: sharedWriteClock(store, words, localWriteClock(words), { scopeTtlMs: 60_000 }),
        cache: createSharedResponseCache({
          store,
          domains: { connectors: 60_000 },
          staleMs: 0,
          maxEntryBytes: 1_000,
          fallback: createResponseCache({ domains: { connectors: 60_000 }, staleMs: 0, maxEntries: 100, maxBytes: 10_000 }),
          sealingKey: cacheSealingKey(secret, 'http://isc.test/v2024'),
        }),
      }));
    const keyAt = async (clock: WriteClock, url: string) => responseCacheKey(await clock.stamp(url), 'client:c', url, 'application/json');

    it('a write answered on any replica gives every replica new stamps for what it may change, and only that', async () => {
      const shared = await replicas(2);
      const [a, b] = parts(shared);
      const urls = ['connectors?limit=5', 'connectors/ad', 'connectors/ad/source-config', 'connectors/workday'];
      const before = await b.clock.stamps(urls);
      expect(await a.clock.stamps(urls)).toEqual(before);
      expect(before.every((stamp) => stamp.startsWith('e'))).toBe(true);
      await a.clock.advance('connectors/ad');
      const after = await b.clock.stamps(urls);
      expect(urls.filter((_, i) => before[i] !== after[i])).toEqual(['connectors?limit=5', 'connectors/ad', 'connectors/ad/source-config']);
      // Each scope a write moves expires once no entry keyed by it can live: ids written once do not stay in Redis for ever.
      const raw = new Redis(redis.url);
      try {
        const counters = (await raw.keys(`${shared[0].prefix}fr:*`)).filter((k) => !k.endsWith(':epoch')).sort();
        expect(counters).toEqual([`${shared[0].prefix}fr:list:connectors`, `${shared[0].prefix}fr:res:connectors/ad`]);
        for (const key of counters) expect(await raw.pttl(key)).toBeGreaterThan(50_000);
        for (const key of counters) expect(await raw.pttl(key)).toBeLessThanOrEqual(60_000);
      } finally {
        raw.disconnect();
      }
    });

    it('never repeats a stamp: not after a scope expired, nor after the epoch was lost', async () => {
      const shared = await replicas(2);
      const [a, b] = parts(shared);
      const urls = ['connectors?limit=5', 'connectors/ad'];
      const seen = new Set<string>();
      const take = async (clock: WriteClock) => {
        const stamps = await clock.stamps(urls);
        for (const stamp of stamps) {
          expect(seen.has(stamp)).toBe(false);
          seen.add(stamp);
        }
      };
      const raw = new Redis(redis.url);
      try {
        const scopeKeys = async () => (await raw.keys(`${shared[0].prefix}fr:*`)).filter((k) => !k.endsWith(':epoch'));
        await take(a.clock);
        for (let i = 0; i < 3; i++) {
          await a.clock.advance('connectors/ad');
          await take(b.clock);
          // Nothing wrote for as long as the scopes live: they expire (by hand here), and read as before any write…
          await raw.del(...(await scopeKeys()));
          const afterExpiry = await b.clock.stamps(urls);
          expect(afterExpiry.every((stamp) => /:0(\.0)*$/.test(stamp))).toBe(true);
          seen.delete(afterExpiry[0]); // …which only keys entries that expired before the scopes did
          seen.delete(afterExpiry[1]);
        }
        // A Redis restarted empty loses the epoch as well: the next stamps are still new.
        await a.clock.advance('connectors/ad');
        await take(b.clock);
        await raw.del(`${shared[0].prefix}fr:epoch`, ...(await scopeKeys()));
        await take(a.clock);
        expect(await b.clock.stamps(urls)).toEqual(await a.clock.stamps(urls));
      } finally {
        raw.disconnect();
      }
    });

    it('serves what one replica stored to another under the same stamp (paging headers only); a write on any replica puts it out of reach for all', async () => {
      const [a, b] = parts(await replicas(2));
      const detail = await keyAt(a.clock, 'connectors/ad');
      await a.cache.set(detail, entry('ad'), 60_000);
      expect(await b.cache.get(await keyAt(b.clock, 'connectors/ad'))).toEqual({
        status: 200,
        headers: { 'content-type': 'application/json', 'x-total-count': '7' },
        body: 'ad',
        bytes: 20,
        storedAt: 1_000,
      });
      await b.clock.advance('connectors/ad');
      expect(await a.cache.get(await keyAt(a.clock, 'connectors/ad'))).toBeUndefined();
      // An answer read before the write and stored after it lands under the old stamp: nobody reads it.
      await a.cache.set(detail, entry('read before the write'), 60_000);
      expect(await b.cache.get(await keyAt(b.clock, 'connectors/ad'))).toBeUndefined();
      await a.cache.set(await keyAt(a.clock, 'connectors?big'), entry('x', 1_001), 60_000);
      expect(await b.cache.get(await keyAt(b.clock, 'connectors?big'))).toBeUndefined();
    });
  });

  describe('sealed cache entries', () => {
    const words = routeWords(ROUTE_TEMPLATES);
    const cacheOf = (store: SharedStore, secret: string) =>
      createSharedResponseCache({
        store,
        domains: { connectors: 60_000 },
        staleMs: 0,
        maxEntryBytes: 10_000,
        fallback: createResponseCache({ domains: { connectors: 60_000 }, staleMs: 0, maxEntries: 100, maxBytes: 10_000 }),
        sealingKey: cacheSealingKey(secret, 'http://isc.test/v2024'),
      });
    const answer: CachedResponse = {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-total-count': '1' },
      body: [{ id: 'ad-connector-id', name: 'Active Directory of ACME' }],
      bytes: 60,
      storedAt: 1_000,
    };

    it('Redis holds neither the URL, the caller nor the answer in clear; another secret, or a value copied under another key, opens nothing', async () => {
      const [store, other] = await replicas(2);
      const clock = sharedWriteClock(store, words, localWriteClock(words), { scopeTtlMs: 60_000 });
      const url = 'connectors?filters=name eq "Active Directory of ACME"';
      const key = responseCacheKey(await clock.stamp(url), 'client:acme-client-id', url, 'application/json');
      const cache = cacheOf(store, 'secret-every-replica-holds');
      await cache.set(key, answer, 60_000);
      expect(await cacheOf(other, 'secret-every-replica-holds').get(key)).toEqual(answer);

      const raw = new Redis(redis.url);
      try {
        const keys = await raw.keys(`${store.prefix}rc:*`);
        expect(keys).toHaveLength(1);
        const value = (await raw.get(keys[0]))!;
        for (const clear of ['Active Directory', 'ACME', 'ad-connector-id', 'acme-client-id', 'connectors', 'filters', 'x-total-count']) {
          expect({ clear, inKey: keys[0].includes(clear), inValue: value.includes(clear) }).toEqual({ clear, inKey: false, inValue: false });
        }
        // A replica holding another secret: a miss, not an error.
        expect(await cacheOf(other, 'another-secret').get(key)).toBeUndefined();
        // The same sealed value copied under the key of another URL does not open there.
        const otherUrl = 'connectors?limit=1';
        const otherKey = responseCacheKey(await clock.stamp(otherUrl), 'client:acme-client-id', otherUrl, 'application/json');
        await cache.set(otherKey, { ...answer, body: [] }, 60_000);
        const [otherRedisKey] = (await raw.keys(`${store.prefix}rc:*`)).filter((k) => k !== keys[0]);
        await raw.set(otherRedisKey, value, 'PX', 60_000);
        expect(await cache.get(otherKey)).toBeUndefined();
        expect(await cache.get(key)).toEqual(answer);
      } finally {
        raw.disconnect();
      }
    });
  });

  describe('a gateway with no secret its replicas share (passthrough, no sign-in)', () => {
    it('keeps its cache in its own memory, never in Redis, and says so once', async () => {
      const tenant = await startDemoTenant({ recordRequests: true });
      const { logger, records } = recordingLogger();
      const gateway = await startGateway(
        loadConfig({
          SAIL_PORT: '0',
          SAIL_HOST: '127.0.0.1',
          SAIL_BASE_URL: tenant.url,
          SAIL_AUTH_MODE: 'passthrough',
          SAIL_REDIS_URL: redis.url,
          SAIL_REDIS_PREFIX: 'no-secret:',
          SAIL_RESPONSE_CACHE: 'on',
          SAIL_RATE_LIMIT: '100000',
          SAIL_RATE_WINDOW_MS: '1000',
        }),
        logger,
      );
      const raw = new Redis(redis.url);
      try {
        const token = tenant.issueToken();
        const read = async () => {
          const response = await fetch(gateway.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: '{ connectors(limit: 2) { items { scriptName } } }' }),
            signal: AbortSignal.timeout(10_000),
          });
          const body = (await response.json()) as { data?: any; errors?: unknown[]; extensions?: { cache?: unknown } };
          return { errors: body.errors, items: body.data?.connectors.items.length, cached: body.extensions?.cache !== undefined };
        };
        expect(await read()).toEqual({ errors: undefined, items: 2, cached: false });
        expect(await read()).toEqual({ errors: undefined, items: 2, cached: true });
        expect(tenant.requests.filter((r) => r.path === '/connectors/v1')).toHaveLength(1);
        expect(await raw.keys('no-secret:*:rc:*')).toEqual([]);
        expect(records.filter((r) => /response cache stays per process/.test(r.msg))).toEqual([expect.objectContaining({ level: 'warn' })]);
      } finally {
        raw.disconnect();
        await gateway.close();
        await tenant.close();
      }
    });
  });

  describe('Redis unreachable', () => {
    it('degrades to per-process state with a warning, keeps serving, and shares again when Redis is back', async () => {
      const own = await startRedis();
      const { logger, records } = recordingLogger();
      const store = connectSharedStore({ url: own.url, prefix: 'outage:', logger });
      stores.push(store);
      try {
        expect(await store.ready(5_000)).toBe(true);
        // A minute's window: the fallback's starts are still in it when Redis is back, however long
        // the restart takes on a loaded machine.
        const windowMs = 60_000;
        const ledger = createSharedLedger({ store, limit: 8, windowMs, replicas: 4 });
        let issued = 0;
        const requestToken = async (): Promise<IssuedToken> => ({ accessToken: `t${++issued}-${'y'.repeat(20)}`, expiresIn: 60 });
        const tokens = createSharedTokenProvider({
          store,
          requestToken,
          tokenUrl: 'http://isc.test/oauth/token',
          clientId: 'c',
          clientSecret: 's3cret-value',
          fallback: createTokenProvider(requestToken),
        });
        await tokens.getToken();

        await own.kill();
        for (let i = 0; i < 100 && store.available(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(store.available()).toBe(false);
        expect(records.filter((r) => r.level === 'warn' && /Redis unreachable/.test(r.msg))).toHaveLength(1);

        // The rate: this process keeps to 8 / 4 = 2 per window on its own.
        const waits = [];
        for (let i = 0; i < 3; i++) waits.push((await ledger.reserve('client:o', Number.POSITIVE_INFINITY)).waitMs);
        expect(waits[0]).toBe(0);
        expect(waits[1]).toBe(0);
        expect(waits[2]).toBeGreaterThan(windowMs - 1_000); // the third waits for the window
        // The token: still served (the fallback fetches its own).
        expect(await tokens.getToken()).toMatch(/^t\d/);

        await own.restart();
        expect(await store.ready(5_000)).toBe(true);
        for (let i = 0; i < 100 && !store.available(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(records.some((r) => r.level === 'info' && /reachable again/.test(r.msg))).toBe(true);
        // Redis's log again: it was empty, and now holds the fallback's 3 starts (the last reserved
        // a window ahead), so the next start follows that one, in order.
        const next = (await ledger.reserve('client:o', Number.POSITIVE_INFINITY)).waitMs;
        expect(next).toBeGreaterThan(0);
        expect(next).toBeLessThanOrEqual(windowMs);
        const raw = new Redis(own.url);
        try {
          const log = await raw.zrange('outage:rate:client:o', 0, -1, 'WITHSCORES');
          const entries = log.flatMap((member, i) => (i % 2 === 0 ? [{ replayed: member.includes(':r'), at: Number(log[i + 1]) }] : []));
          const replayed = entries.filter((e) => e.replayed).map((e) => e.at);
          expect(replayed).toHaveLength(3);
          expect(entries.filter((e) => !e.replayed).map((e) => e.at)).toEqual([Math.max(...replayed)]);
        } finally {
          raw.disconnect();
        }
        const warnings = records.filter((r) => r.level === 'warn').length;
        await store.close();
        expect(records.filter((r) => r.level === 'warn')).toHaveLength(warnings); // closing is not an outage
      } finally {
        await store.close();
        await own.stop();
      }
    });

    it('keeps every window within the limit when a replica switches to its fallback and back', async () => {
      const own = await startRedis();
      const store = connectSharedStore({ url: own.url, prefix: 'switch:', logger: recordingLogger().logger });
      stores.push(store);
      try {
        expect(await store.ready(5_000)).toBe(true);
        // A minute's window: every start below is planned within one, so none leaves a log while
        // Redis restarts, however long that takes on a loaded machine (nothing waits for them).
        const windowMs = 60_000;
        const ledger = createSharedLedger({ store, limit: 8, windowMs, replicas: 2 });
        const planned: number[] = [];
        const reserve = async (n: number) => {
          for (let i = 0; i < n; i++) planned.push(Date.now() + (await ledger.reserve('client:s', Number.POSITIVE_INFINITY)).waitMs);
        };
        await reserve(8); // the whole shared budget, through Redis
        await own.kill();
        for (let i = 0; i < 100 && store.available(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        await reserve(4); // on the fallback (8 ÷ 2 per window), which knows the 8 above
        // The fallback plans on this process's clock, from the starts as it recorded them: the same
        // clock as `planned` (read right after each answer).
        expect(maxInWindow(planned, windowMs - 20)).toBeLessThanOrEqual(8);

        // And back: the fallback's starts are added to the (fresh) shared log before the next
        // reservation, which Redis then plans after them, on its clock.
        await own.restart();
        expect(await store.ready(5_000)).toBe(true);
        for (let i = 0; i < 100 && !store.available(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        await reserve(8);
        const raw = new Redis(own.url);
        try {
          const log = await raw.zrange('switch:rate:client:s', 0, -1, 'WITHSCORES');
          const entries = log.flatMap((member, i) => (i % 2 === 0 ? [{ replayed: member.includes(':r'), at: Number(log[i + 1]) }] : []));
          expect(entries.filter((e) => e.replayed)).toHaveLength(4);
          expect(entries.filter((e) => !e.replayed)).toHaveLength(8);
          expect(
            maxInWindow(
              entries.map((e) => e.at),
              windowMs,
            ),
          ).toBeLessThanOrEqual(8);
        } finally {
          raw.disconnect();
        }
        // A call whose deadline has passed gets no slot.
        expect(await ledger.reserve('client:s', -1)).toEqual({ waitMs: 0, refused: true });
      } finally {
        await store.close();
        await own.stop();
      }
    });

    it('a gateway whose Redis is down at start serves anyway', async () => {
      const own = await startRedis();
      await own.stop();
      const { logger, records } = recordingLogger();
      const password = 'redis-pw-never-logged';
      const url = `redis://:${password}@127.0.0.1:${own.port}/0?password=${password}`;
      const gateway = await startGateway(loadConfig({ SAIL_PORT: '0', SAIL_HOST: '127.0.0.1', SAIL_REDIS_URL: url, SAIL_REPLICAS: '2' }), logger);
      try {
        const response = await fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ connectorCustomizers(limit: 1) { items { id } } }' }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await response.json()) as { data?: { connectorCustomizers: { items: unknown[] } }; errors?: unknown };
        expect(body.errors).toBeUndefined();
        expect(body.data?.connectorCustomizers.items).toHaveLength(1);
        expect(records.some((r) => r.level === 'warn' && /Redis unreachable/.test(r.msg))).toBe(true);
        const metrics = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'), { signal: AbortSignal.timeout(5_000) })).text();
        expect(metrics).toMatch(/^isc_gateway_redis_up 0$/m);
        // Never the URL's password or anything secret in those lines.
        expect(JSON.stringify(records)).not.toContain(DEMO_SECRET);
        expect(JSON.stringify(records)).not.toContain(password);
      } finally {
        await gateway.close();
      }
    });
  });

  describe('a gateway that fails to start', () => {
    it('closes its Redis connection (nothing keeps an embedding process alive)', async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = (taken.address() as net.AddressInfo).port;
      const raw = new Redis(redis.url);
      try {
        const clients = async () => ((await raw.client('LIST')) as string).split('\n').filter(Boolean).length;
        const before = await clients();
        await expect(
          startGateway(loadConfig({ SAIL_PORT: String(port), SAIL_HOST: '127.0.0.1', SAIL_REDIS_URL: redis.url }), recordingLogger().logger),
        ).rejects.toMatchObject({ code: 'EADDRINUSE' });
        expect(await clients()).toBe(before);
      } finally {
        raw.disconnect();
        await new Promise((resolve) => taken.close(resolve));
      }
    });
  });

  describe('two gateways sharing Redis (response cache)', () => {
    let tenant: DemoTenant;
    const gateways: RunningGateway[] = [];

    beforeAll(async () => {
      tenant = await startDemoTenant({ recordRequests: true });
      const env = {
        SAIL_PORT: '0',
        SAIL_HOST: '127.0.0.1',
        SAIL_BASE_URL: tenant.url,
        SAIL_CLIENT_ID: tenant.clientId,
        SAIL_CLIENT_SECRET: tenant.clientSecret,
        SAIL_API_KEYS: 'replica-test-key',
        SAIL_REDIS_URL: redis.url,
        SAIL_REDIS_PREFIX: 'two-gw:',
        SAIL_RESPONSE_CACHE: 'on',
        SAIL_RATE_LIMIT: '100000',
        SAIL_RATE_WINDOW_MS: '1000',
      };
      gateways.push(await startGateway(loadConfig(env), recordingLogger().logger), await startGateway(loadConfig(env), recordingLogger().logger));
    });

    afterAll(async () => {
      await Promise.all(gateways.map((g) => g.close()));
      await tenant.close();
    });

    const gql = async (gateway: RunningGateway, query: string, variables?: Record<string, unknown>) => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'replica-test-key' },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(10_000),
      });
      return (await response.json()) as { data?: any; errors?: unknown[] };
    };
    const apiCalls = () => tenant.requests.filter((r) => isApiPath(r.path));

    it('one token for both, an entry fetched by one is served by the other, and a write through either drops it', async () => {
      const DETAIL = 'query($id: ID!) { connectorCustomizer(id: $id) { id name } }';
      const id = await firstCustomizerId(tenant);
      const before = apiCalls().length;

      const first = await gql(gateways[0], DETAIL, { id });
      const second = await gql(gateways[1], DETAIL, { id });
      expect(first.data.connectorCustomizer.id).toBe(id);
      expect(second.data).toEqual(first.data);
      expect(apiCalls().length - before).toBe(1);

      const renamed = await gql(
        gateways[1],
        'mutation($id: ID!) { updateConnectorCustomizer(id: $id, input: { name: "Renamed by replica 2" }) { name } }',
        { id },
      );
      expect(renamed.errors).toBeUndefined();
      const third = await gql(gateways[0], DETAIL, { id });
      expect(third.data.connectorCustomizer.name).toBe('Renamed by replica 2');
      expect(apiCalls().length - before).toBe(3); // the write and the fresh read
      expect(tenant.tokenRequests).toHaveLength(1);
      // What Redis holds of those answers: sealed, under hashed keys.
      const raw = new Redis(redis.url);
      try {
        const keys = await raw.keys('two-gw:*:rc:*');
        expect(keys.length).toBeGreaterThanOrEqual(2);
        const values = await Promise.all(keys.map((k) => raw.get(k)));
        for (const text of [...keys, ...values]) {
          expect(text).not.toContain(id);
          expect(text).not.toContain('Renamed by replica 2');
          expect(text).not.toContain('connector-customizers');
        }
      } finally {
        raw.disconnect();
      }
      const metrics = await (await fetch(gateways[0].url.replace(/\/graphql$/, '/metrics'), { signal: AbortSignal.timeout(5_000) })).text();
      expect(metrics).toMatch(/^isc_gateway_redis_up 1$/m);
      expect(metrics).toMatch(/^isc_gateway_response_cache_hits_total \d+$/m);
    });
  });
});
