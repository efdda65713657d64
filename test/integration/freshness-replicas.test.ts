import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { describeCall, gatewayAgainst } from '../support/gateway.js';
import { firstCustomizerId } from '../support/demo-tenant-api.js';
import { recordingLogger } from '../support/recording-logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

/**
 * The freshness promise with every domain cached and coalescing on, across two replicas sharing
 * Redis: no operation that starts after a write's answer was received, by either replica, sees
 * data from before that write. Readers hammer both replicas in four shapes (a resource, a list
 * page, a lookup by id, an admin list) while a writer renames a customizer and an app through the
 * replicas in turn; every read is checked against the writes answered before it started.
 */
describeWith(REDIS_SERVER, 'freshness across two replicas sharing Redis (real Redis)', () => {
  const API_KEY = 'freshness-test-key';
  const WRITES = 12;
  const READERS_PER_REPLICA = 3;
  let redis: TestRedis;
  let tenant: DemoTenant;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    tenant = await startDemoTenant({ recordRequests: true });
    tenant.setFaults({ latencyMs: 30 });
    const env = {
      SAIL_PORT: '0',
      SAIL_HOST: '127.0.0.1',
      SAIL_BASE_URL: tenant.url,
      SAIL_CLIENT_ID: tenant.clientId,
      SAIL_CLIENT_SECRET: tenant.clientSecret,
      SAIL_API_KEYS: API_KEY,
      SAIL_REDIS_URL: redis.url,
      SAIL_REDIS_PREFIX: 'freshness:',
      SAIL_REPLICAS: '2',
      SAIL_RESPONSE_CACHE: 'on',
      SAIL_RESPONSE_CACHE_DOMAINS: 'connectors,connector-customizers,source-apps,oauth-clients',
      SAIL_RESPONSE_CACHE_STALE_MS: '60000',
      SAIL_RATE_LIMIT: '100000',
      SAIL_RATE_WINDOW_MS: '1000',
    };
    for (let i = 0; i < 2; i++) gateways.push(await startGateway(loadConfig(env), recordingLogger().logger));
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await tenant?.close();
    await redis?.stop();
  });

  async function gql(gateway: RunningGateway, query: string, variables?: Record<string, unknown>) {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[]; extensions?: { cache?: { hits: unknown[] } } };
    expect(body.errors).toBeUndefined();
    return body;
  }

  /** `v<n>` written by the n-th write; anything else is the seed value, version 0. */
  const versionOf = (value: unknown): number => Number(/^v(\d+)$/.exec(String(value))?.[1] ?? 0);

  it('no operation starting after a write was answered, on either replica, sees data from before it', async () => {
    const customizerId = (await gql(gateways[0], '{ connectorCustomizers(limit: 1) { items { id } } }')).data.connectorCustomizers.items[0].id;
    const appId = (await gql(gateways[0], '{ allSourceApps(limit: 1) { items { id } } }')).data.allSourceApps.items[0].id;

    const shapes: { name: string; query: string; variables?: Record<string, unknown>; value: (data: any) => unknown }[] = [
      {
        name: 'customizer',
        query: 'query($id: ID!) { connectorCustomizer(id: $id) { name } }',
        variables: { id: customizerId },
        value: (d) => d.connectorCustomizer.name,
      },
      {
        name: 'customizer list',
        query: '{ connectorCustomizers(limit: 50) { items { id name } } }',
        value: (d) => d.connectorCustomizers.items.find((c: { id: string }) => c.id === customizerId)?.name,
      },
      {
        name: 'app by id',
        query: 'query($id: ID!) { sourceApp(id: $id) { description } }',
        variables: { id: appId },
        value: (d) => d.sourceApp.description,
      },
      {
        name: 'app list',
        query: '{ allSourceApps(limit: 50) { items { id description } } }',
        value: (d) => d.allSourceApps.items.find((a: { id: string }) => a.id === appId)?.description,
      },
    ];

    /** When each write's answer was received (index = version). */
    const answeredAt: number[] = [0];
    const reads: { shape: string; replica: number; startedAt: number; version: number; fromCache: boolean }[] = [];
    let writing = true;

    const reader = async (replica: number, offset: number) => {
      for (let n = offset; writing; n++) {
        const shape = shapes[n % shapes.length];
        const startedAt = Date.now();
        const body = await gql(gateways[replica], shape.query, shape.variables);
        const value = shape.value(body.data);
        expect(value).toBeDefined();
        reads.push({ shape: shape.name, replica, startedAt, version: versionOf(value), fromCache: Boolean(body.extensions?.cache) });
      }
    };
    const readers = [0, 1].flatMap((replica) => Array.from({ length: READERS_PER_REPLICA }, (_, i) => reader(replica, i)));

    /** Until every shape was read on both replicas since `from`, and each replica answered one from its cache (at most 10 s). */
    const readsSettled = async (from: number) => {
      const end = Date.now() + 10_000;
      const settled = () => {
        const since = reads.slice(from);
        return [0, 1].every(
          (replica) =>
            shapes.every((shape) => since.some((r) => r.replica === replica && r.shape === shape.name)) &&
            since.some((r) => r.replica === replica && r.fromCache),
        );
      };
      while (!settled() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
    };

    for (let version = 1; version <= WRITES; version++) {
      await readsSettled(reads.length); // the readers have cached and served the current values
      await gql(
        gateways[version % 2],
        `mutation($c: ID!, $a: ID!, $v: String!) {
          updateConnectorCustomizer(id: $c, input: { name: $v }) { name }
          updateSourceApp(id: $a, input: { description: $v }) { description }
        }`,
        { c: customizerId, a: appId, v: `v${version}` },
      );
      answeredAt[version] = Date.now();
    }
    await readsSettled(reads.length);
    writing = false;
    await Promise.all(readers);

    const latestAnsweredBefore = (t: number) => answeredAt.findLastIndex((at) => at <= t);
    const stale = reads.filter((r) => r.version < latestAnsweredBefore(r.startedAt));
    expect(stale).toEqual([]);
    // The check had something to check: many reads, most from the cache, on both replicas, in every shape.
    expect(reads.length).toBeGreaterThan(WRITES * 8);
    for (const replica of [0, 1]) expect(reads.filter((r) => r.replica === replica && r.fromCache).length).toBeGreaterThan(WRITES);
    for (const shape of shapes) expect(reads.filter((r) => r.shape === shape.name && r.version === WRITES).length).toBeGreaterThan(0);
    const upstreamReads = tenant.stats().apiRequests;
    process.stdout.write(
      `[figures] freshness across replicas: ${JSON.stringify({ reads: reads.length, fromCache: reads.filter((r) => r.fromCache).length, writes: WRITES, upstream: upstreamReads })}\n`,
    );
    // Each of the WRITES + 1 rounds waits at most 10 s for the readers: the bound only catches a hang.
  }, 160_000);

  it('a write-clock counter that expired never brings back an answer from before a later write', async () => {
    // Issue 25, defect 3: a counter that expired read as 0 and the next write took it back to 1,
    // the stamp of entries stored before that write: they were served again, as fresh.
    const gateway = await gatewayAgainst(
      tenant,
      {
        SAIL_API_KEYS: API_KEY,
        SAIL_REDIS_URL: redis.url,
        SAIL_REDIS_PREFIX: 'clock-expiry:',
        SAIL_RESPONSE_CACHE: 'on',
        SAIL_RESPONSE_CACHE_DOMAINS: 'connector-customizers',
        SAIL_RATE_LIMIT: '100000',
        SAIL_RATE_WINDOW_MS: '1000',
      },
      recordingLogger().logger,
    );
    const raw = new Redis(redis.url);
    try {
      const id = await firstCustomizerId(tenant);
      const READ = 'query($id: ID!) { connectorCustomizer(id: $id) { name } }';
      const rename = (name: string) =>
        gql(gateway, 'mutation($id: ID!, $n: String!) { updateConnectorCustomizer(id: $id, input: { name: $n }) { name } }', { id, n: name });
      const read = async () => {
        const body = await gql(gateway, READ, { id });
        return { name: body.data.connectorCustomizer.name as string, cache: body.extensions?.cache };
      };
      const detailGets = () => tenant.requests.filter((r) => r.method === 'GET' && r.path === `/connector-customizers/v1/${id}`).map(describeCall);

      await rename('before the second write');
      expect(await read()).toEqual({ name: 'before the second write', cache: undefined });
      // Cached: the next read is a fresh hit.
      expect(await read()).toEqual({
        name: 'before the second write',
        cache: { hits: [{ route: 'GET connector-customizers/{id}', ageSeconds: expect.any(Number), stale: false }] },
      });

      // Nothing wrote this customizer for as long as the counters live: they expire (here by hand).
      const counters = (await raw.keys('clock-expiry:*fr:*')).filter((key) => key.includes('connector-customizers'));
      expect(counters.length).toBeGreaterThan(0);
      await raw.del(...counters);
      expect((await read()).name).toBe('before the second write');

      await rename('after the second write');
      const before = detailGets().length;
      // The writer's next read, and everyone's: the answer after the write, from ISC.
      expect(await read()).toEqual({ name: 'after the second write', cache: undefined });
      expect(detailGets().slice(before)).toEqual([
        {
          method: 'GET',
          path: `/connector-customizers/v1/${id}`,
          query: {},
          headers: expect.objectContaining({ authorization: expect.stringMatching(/^Bearer \S+$/) }),
          body: '',
        },
      ]);
      // Then cached, and fresh.
      expect(await read()).toEqual({
        name: 'after the second write',
        cache: { hits: [{ route: 'GET connector-customizers/{id}', ageSeconds: expect.any(Number), stale: false }] },
      });
    } finally {
      raw.disconnect();
      await gateway.close();
    }
  });

  it('a list read on one replica answers the by-id reads of what it held on the other: 0 ISC calls', async () => {
    const raw = new Redis(redis.url);
    try {
      const entries = async () => (await raw.keys('freshness:*rc:*')).length;
      const before = await entries();
      const ids = (await gql(gateways[0], '{ oauthClients { id } }')).data.oauthClients.map((c: { id: string }) => c.id);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      // The page is stored before its answer; its clients just after it (the answer does not wait for them).
      const end = Date.now() + 10_000;
      while ((await entries()) < before + 1 + ids.length && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await entries()).toBe(before + 1 + ids.length);
      const calls = tenant.requests.length;
      for (const id of ids) {
        const read = await gql(gateways[1], 'query($id: ID!) { oauthClient(id: $id) { id name } }', { id });
        expect(read.data.oauthClient.id).toBe(id);
        expect(read.extensions?.cache?.hits).toEqual([{ route: 'GET oauth-clients/{id}', ageSeconds: expect.any(Number), stale: false }]);
      }
      expect(tenant.requests.slice(calls)).toEqual([]);
    } finally {
      raw.disconnect();
    }
  });
});
