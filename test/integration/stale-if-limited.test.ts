import { afterEach, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import type { RunningGateway } from '../../src/gateway.js';
import { code } from '../support/errors.js';
import { bearer, gatewayAgainst, startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway.js';
import { metricSum } from '../support/metrics.js';
import { recordingLogger } from '../support/recording-logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

/**
 * Issue 27 item 4, answers while limited: while an ISC client is paused by a 429 (or its call
 * comes back RATE_LIMITED), a cached entry past its TTL but within
 * SAIL_RESPONSE_CACHE_STALE_IF_LIMITED_MS answers with no ISC call, marked `reason: 'rate-limited'`
 * in `extensions.cache` and counted by reason in the stale-hits metric; past the bound, or after a
 * write the operation could have seen, the read answers RATE_LIMITED instead.
 */

const LIST = '{ connectors(limit: 2) { items { scriptName name } } }';
const LIST_CALL = {
  method: 'GET',
  path: '/connectors/v1',
  query: { limit: '3', offset: '0' },
  headers: { authorization: bearer, accept: 'application/json' },
  body: '',
};
/** Not in the cached domains below: its call meets the tenant's 429 and pauses the client. */
const UNCACHED = '{ connectorCustomizers(limit: 1) { items { id } } }';
const DETAIL = 'query($s: ID!) { connector(scriptName: $s) { scriptName name } }';
/** Connectors cached for 1 s (the shortest TTL), source apps too (their lookups by id are kept per id). */
const CACHED = { SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'connectors:1,source-apps:1', SAIL_COALESCE: 'off' };
const TTL_MS = 1_000;
/** ISC's highest backoff tier: far longer than any operation, so every read during it is refused or answered stale. */
const LOCKOUT = { rate429: 1, retryAfterSeconds: 1_200 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cacheHits = (r: GraphQLResponse) =>
  r.extensions?.cache?.hits as { route: string; ageSeconds: number; stale: boolean; reason?: string }[] | undefined;
const staleAnswers = (gw: TestGateway, reason: string) => metricSum(gw.url, 'isc_gateway_response_cache_stale_hits_total', `reason="${reason}"`);

/** ISC answers 429 with a 1,200 s Retry-After to one uncached read: the client is paused, for every caller of it. */
async function lockOut(gw: TestGateway, headers?: Record<string, string>): Promise<void> {
  gw.tenant.setFaults(LOCKOUT);
  const refused = await gw.gql(UNCACHED, undefined, headers);
  expect(refused.errors).toEqual([code('RATE_LIMITED')]);
  gw.tenant.setFaults({});
  gw.reset();
}

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('answers while limited (stale-if-limited)', () => {
  it('during a 1,200 s pause: entries past their TTL answer with reason rate-limited and no ISC call, lookups by id too; uncached reads answer RATE_LIMITED at once; counted by reason', async () => {
    gw = await startTestGateway(CACHED);
    const appIds = ((await gw.gql('{ allSourceApps(limit: 2) { items { id } } }')).data!.allSourceApps.items as { id: string }[]).map((a) => a.id);
    expect(appIds).toHaveLength(2);
    const APPS = `{ ${appIds.map((id, i) => `a${i}: sourceApp(id: "${id}") { id name }`).join(' ')} }`;
    const list = await gw.gql(LIST);
    const apps = await gw.gql(APPS);
    expect([list.errors, apps.errors]).toEqual([undefined, undefined]);
    await sleep(TTL_MS + 200); // past the TTL: no stale-while-revalidate grace (SAIL_RESPONSE_CACHE_STALE_MS=0)
    await lockOut(gw);

    const staleList = await gw.gql(LIST);
    expect(staleList.errors).toBeUndefined();
    expect(staleList.data).toEqual(list.data);
    expect(cacheHits(staleList)).toEqual([{ route: 'GET connectors', ageSeconds: expect.any(Number), stale: true, reason: 'rate-limited' }]);
    expect(cacheHits(staleList)![0].ageSeconds).toBeGreaterThanOrEqual(1);
    expect(staleList.extensions?.rateLimit).toEqual(expect.objectContaining({ remaining: 0 }));
    const staleApps = await gw.gql(APPS);
    expect(staleApps.errors).toBeUndefined();
    expect(staleApps.data).toEqual(apps.data);
    expect(cacheHits(staleApps)!.map((h) => [h.route, h.reason])).toEqual([
      ['GET source-apps/all', 'rate-limited'],
      ['GET source-apps/all', 'rate-limited'],
    ]);
    // One operation, a cached read and an uncached one: the first answers stale, the second RATE_LIMITED (not the whole operation up front).
    const mixed = await gw.gql('{ connectors(limit: 2) { items { scriptName name } } connectorCustomizer(id: "any") { id } }');
    expect(mixed.status).toBe(200);
    expect(mixed.data).toEqual({ connectors: list.data!.connectors, connectorCustomizer: null });
    expect(mixed.errors).toEqual([
      expect.objectContaining({ path: ['connectorCustomizer'], extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) }),
    ]);
    expect(mixed.errors![0].extensions!.retryAfter).toBeGreaterThan(1_100);
    expect(gw.calls()).toEqual([]);
    expect(await staleAnswers(gw, 'rate-limited')).toBe(4);
    expect(await staleAnswers(gw, 'revalidating')).toBe(0);
  });

  it('a call that comes back 429 is answered from the entry it missed: one ISC call, then none while the pause lasts', async () => {
    gw = await startTestGateway(CACHED);
    const list = await gw.gql(LIST);
    await sleep(TTL_MS + 200);
    gw.reset();
    gw.tenant.setFaults(LOCKOUT);
    const first = await gw.gql(LIST);
    expect(first.errors).toBeUndefined();
    expect(first.data).toEqual(list.data);
    expect(cacheHits(first)).toEqual([{ route: 'GET connectors', ageSeconds: expect.any(Number), stale: true, reason: 'rate-limited' }]);
    expect(gw.calls()).toEqual([LIST_CALL]);
    expect(gw.tenant.requests.map((r) => r.status)).toEqual([429]);
    gw.tenant.setFaults({});
    gw.reset();
    const second = await gw.gql(LIST);
    expect(cacheHits(second)![0].reason).toBe('rate-limited');
    expect(gw.calls()).toEqual([]);
    expect(await staleAnswers(gw, 'rate-limited')).toBe(2);
  });

  it("a pass-through bearer's own entry answers while limited, up to TTL + the bound, never another token's; past the bound RATE_LIMITED", async () => {
    // The bound 3 s; the stale-while-revalidate grace (which never serves a bearer) keeps entries in the store far longer.
    gw = await startTestGateway({ ...CACHED, SAIL_RESPONSE_CACHE_STALE_MS: '60000', SAIL_RESPONSE_CACHE_STALE_IF_LIMITED_MS: '3000' });
    const [a, b] = [gw.tenant.issueToken(), gw.tenant.issueToken()].map((token) => ({ authorization: `Bearer ${token}` }));
    const ofA = await gw.gql(LIST, undefined, a);
    expect(ofA.errors).toBeUndefined();
    expect((await gw.gql(UNCACHED, undefined, b)).errors).toBeUndefined(); // b verified: it shares its client's budget (and pause)
    const storedAt = Date.now();
    await sleep(TTL_MS + 200);
    await lockOut(gw, a);

    const staleOfA = await gw.gql(LIST, undefined, a);
    expect(staleOfA.data).toEqual(ofA.data);
    expect(cacheHits(staleOfA)).toEqual([{ route: 'GET connectors', ageSeconds: expect.any(Number), stale: true, reason: 'rate-limited' }]);
    const ofB = await gw.gql(LIST, undefined, b);
    expect(ofB.errors).toEqual([code('RATE_LIMITED')]);
    expect(cacheHits(ofB)).toBeUndefined();
    expect(gw.calls()).toEqual([]);

    await sleep(Math.max(0, storedAt + TTL_MS + 3_000 + 300 - Date.now())); // past TTL + bound (still in the store)
    const tooOld = await gw.gql(LIST, undefined, a);
    expect(tooOld.errors).toEqual([code('RATE_LIMITED')]);
    expect(cacheHits(tooOld)).toBeUndefined();
    expect(gw.calls()).toEqual([]);
    expect(await staleAnswers(gw, 'rate-limited')).toBe(1);
  });

  it('never answers an entry from before a write the caller could have seen: the written connector answers RATE_LIMITED, another one stale', async () => {
    gw = await startTestGateway(CACHED);
    const [written, other] = ((await gw.gql(LIST)).data!.connectors.items as { scriptName: string }[]).map((c) => c.scriptName);
    const before = await gw.gql(DETAIL, { s: written });
    const otherBefore = await gw.gql(DETAIL, { s: other });
    expect([before.errors, otherBefore.errors]).toEqual([undefined, undefined]);
    await sleep(TTL_MS + 200);
    const write = await gw.gql('mutation($s: ID!) { updateConnector(scriptName: $s, input: { applicationXml: "<changed/>" }) { name } }', {
      s: written,
    });
    expect(write.errors).toBeUndefined();
    await lockOut(gw);

    const afterWrite = await gw.gql(DETAIL, { s: written });
    expect(afterWrite.errors).toEqual([code('RATE_LIMITED')]);
    expect(afterWrite.data).toEqual({ connector: null });
    expect(cacheHits(afterWrite)).toBeUndefined();
    const untouched = await gw.gql(DETAIL, { s: other });
    expect(untouched.data).toEqual(otherBefore.data);
    expect(cacheHits(untouched)).toEqual([
      { route: 'GET connectors/{scriptName}', ageSeconds: expect.any(Number), stale: true, reason: 'rate-limited' },
    ]);
    expect(gw.calls()).toEqual([]);
  });

  it('SAIL_RESPONSE_CACHE_STALE_IF_LIMITED_MS=0: a paused client answers RATE_LIMITED up front, as without the cache', async () => {
    gw = await startTestGateway({ ...CACHED, SAIL_RESPONSE_CACHE_STALE_IF_LIMITED_MS: '0' });
    await gw.gql(LIST);
    await sleep(TTL_MS + 200);
    await lockOut(gw);
    const refused = await gw.gql(LIST);
    expect(refused.status).toBe(429);
    expect(refused.errors).toEqual([code('RATE_LIMITED')]);
    expect(gw.calls()).toEqual([]);
  });
});

describeWith(REDIS_SERVER, 'answers while limited, two replicas (real Redis)', () => {
  const KEY = 'stale-if-limited-test-key';
  let redis: TestRedis | undefined;
  let tenant: DemoTenant | undefined;
  const replicas: RunningGateway[] = [];
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.close()));
    await tenant?.close();
    await redis?.stop();
  });

  async function gql(replica: RunningGateway, query: string): Promise<GraphQLResponse> {
    const response = await fetch(replica.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await response.json()) as Omit<GraphQLResponse, 'status' | 'headers'>;
    return { ...body, status: response.status, headers: response.headers };
  }

  it("a pause one replica met: the other's read of a shared entry past its TTL answers stale (reason rate-limited) with no ISC call", async () => {
    redis = await startRedis();
    tenant = await startDemoTenant({ recordRequests: true });
    const settings = { ...CACHED, SAIL_API_KEYS: KEY, SAIL_REDIS_URL: redis.url, SAIL_REDIS_REPLICAS: '2' };
    for (let i = 0; i < 2; i++) replicas.push(await gatewayAgainst(tenant, settings, recordingLogger().logger));
    const [a, b] = replicas;
    const list = await gql(a, LIST); // stored in Redis: both replicas read it
    expect(list.errors).toBeUndefined();
    await sleep(TTL_MS + 200);
    tenant.setFaults(LOCKOUT);
    expect((await gql(a, UNCACHED)).errors).toEqual([code('RATE_LIMITED')]);
    tenant.setFaults({});
    tenant.clearRequests();
    const fromB = await gql(b, LIST);
    expect(fromB.errors).toBeUndefined();
    expect(fromB.data).toEqual(list.data);
    expect(cacheHits(fromB)).toEqual([{ route: 'GET connectors', ageSeconds: expect.any(Number), stale: true, reason: 'rate-limited' }]);
    expect(tenant.requests).toEqual([]);
  });
});
