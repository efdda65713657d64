import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import type { RunningGateway } from '../../src/gateway.js';
import { gatewayAgainst } from '../support/gateway.js';
import { recordingLogger } from '../support/recording-logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

/**
 * A rolling switch of layouts: one replica still on `v2024`, the other already on per-resource
 * paths, one Redis, one tenant. ISC may count the two layouts as two API versions; the gateway's
 * budget, its pauses and its keys must stay one.
 */
describeWith(REDIS_SERVER, 'a rolling switch between path layouts keeps one budget (real Redis)', () => {
  const KEY = 'layout-switch-key';
  const LIMIT = 4;
  let redis: TestRedis;
  let raw: Redis;
  let tenant: DemoTenant;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
    tenant = await startDemoTenant({ recordRequests: true });
    const env = {
      SAIL_API_KEYS: KEY,
      SAIL_REDIS_URL: redis.url,
      SAIL_REPLICAS: '2',
      // A long window: every call of the test falls in it, however slow the machine.
      SAIL_RATE_LIMIT: String(LIMIT),
      SAIL_RATE_WINDOW_MS: '600000',
      SAIL_RATE_LIMIT_WAIT_MS: '0',
    };
    for (const layout of ['v2024', 'per-resource'])
      gateways.push(await gatewayAgainst(tenant, { ...env, SAIL_API_PATHS: layout }, recordingLogger().logger));
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await tenant.close();
    raw.disconnect();
    await redis.stop();
  });

  async function read(gateway: RunningGateway, scriptName: string): Promise<string | undefined> {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query: `{ connector(scriptName: "${scriptName}") { scriptName } }` }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    return body.errors?.[0]?.extensions?.code;
  }

  it('the two replicas together make at most the limit of calls in a window, each in its own layout', async () => {
    const listed = await fetch(`${tenant.url}/v2024/connectors?limit=1`, { headers: { authorization: `Bearer ${tenant.issueToken()}` } });
    const scriptName = ((await listed.json()) as { scriptName: string }[])[0].scriptName;
    tenant.clearRequests();
    const outcomes: (string | undefined)[] = [];
    for (let i = 0; i < 2 * LIMIT; i++) outcomes.push(await read(gateways[i % 2], scriptName));
    const api = tenant.requests.map((r) => r.path);
    expect(api).toHaveLength(LIMIT);
    expect(api.filter((p) => p === `/v2024/connectors/${scriptName}`)).toHaveLength(LIMIT / 2);
    expect(api.filter((p) => p === `/connectors/v1/${scriptName}`)).toHaveLength(LIMIT / 2);
    expect(outcomes.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(undefined));
    expect(outcomes.slice(LIMIT)).toEqual(Array(LIMIT).fill('RATE_LIMITED'));
  });

  it('keys keep the names 0.4.0 gave them (host + /v2024) whatever the layout: a rolling upgrade from 0.4.0 keeps one budget too', async () => {
    const scope040 = `t-${createHash('sha256').update(`${tenant.url}/v2024`).digest('hex').slice(0, 16)}`;
    const rateKeys = await raw.keys('isc-gw:*rate:client:*');
    expect(rateKeys.length).toBeGreaterThan(0);
    for (const key of rateKeys) expect(key.startsWith(`isc-gw:${scope040}:rate:client:`)).toBe(true);
  });
});

describeWith(REDIS_SERVER, 'a pause one replica meets holds the replica on the other layout (real Redis)', () => {
  it("a 429 with Retry-After met on v2024 paths: the per-resource replica's next read is refused without a call", async () => {
    const redis = await startRedis();
    const tenant = await startDemoTenant({ recordRequests: true });
    const env = { SAIL_API_KEYS: 'pause-key', SAIL_REDIS_URL: redis.url, SAIL_RATE_LIMIT_WAIT_MS: '0', SAIL_RETRY_ATTEMPTS: '1' };
    const onV2024 = await gatewayAgainst(tenant, { ...env, SAIL_API_PATHS: 'v2024' }, recordingLogger().logger);
    const perResource = await gatewayAgainst(tenant, { ...env, SAIL_API_PATHS: 'per-resource' }, recordingLogger().logger);
    const ask = async (gateway: RunningGateway) => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'pause-key' },
        body: JSON.stringify({ query: '{ connectors(limit: 1) { items { scriptName } } }' }),
        signal: AbortSignal.timeout(15_000),
      });
      return ((await response.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
    };
    try {
      tenant.setFaults({ rate429: 1, retryAfterSeconds: 600 });
      expect(await ask(onV2024)).toBe('RATE_LIMITED');
      tenant.setFaults({});
      expect(tenant.requests.map((r) => r.path)).toEqual(['/v2024/connectors']);
      expect(await ask(perResource)).toBe('RATE_LIMITED');
      expect(tenant.requests.map((r) => r.path)).toEqual(['/v2024/connectors']); // no call during the pause
    } finally {
      await Promise.all([onV2024.close(), perResource.close()]);
      await tenant.close();
      await redis.stop();
    }
  });
});
