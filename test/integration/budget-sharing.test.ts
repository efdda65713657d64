import { afterEach, describe, expect, it } from '@jest/globals';
import { bearer, startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway.js';
import { metricSum } from '../support/metrics.js';
import { recordingLogger } from '../support/recording-logger.js';
import { madeUpJwt } from '../support/tokens.js';

/**
 * Reads shared across operations (coalescing), the operator's cache domains, and freshness the
 * caller can see and override: the real server over loopback against the demo tenant, whose added
 * latency holds ISC answers open so that operations sent together are in flight together.
 */
const LIST = '{ connectors(limit: 3) { items { scriptName name } } }';
const LIST_CALL = {
  method: 'GET',
  path: '/connectors/v1',
  query: { limit: '4', offset: '0' },
  headers: { accept: 'application/json', authorization: bearer },
  body: '',
};
/** Long enough that operations started together are in flight together on a loaded machine. */
const HELD_MS = 1_500;
const CUSTOMIZER = 'query($id: ID!) { connectorCustomizer(id: $id) { id name } }';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (at most `ms`) until `done()` holds. */
async function until(done: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await sleep(20);
}

const cacheHits = (r: GraphQLResponse) =>
  r.extensions?.cache?.hits as { route: string; ageSeconds: number; stale: boolean; reason?: string }[] | undefined;

/** Read as another caller: the gateway's own caller's cache stays empty (a list it read would answer reads of the apps it holds). */
async function firstIds(gateway: TestGateway, count: number): Promise<string[]> {
  const r = await gateway.gql(`{ allSourceApps(limit: ${count}) { items { id } } }`, undefined, {
    authorization: `Bearer ${gateway.tenant.issueToken()}`,
  });
  expect(r.errors).toBeUndefined();
  return r.data!.allSourceApps.items.map((a: { id: string }) => a.id);
}

const byIds = (ids: readonly string[]) => `{ ${ids.map((id, i) => `a${i}: sourceApp(id: ${JSON.stringify(id)}) { id name }`).join(' ')} }`;
const filterOf = (ids: readonly string[]) => `id in (${ids.map((id) => JSON.stringify(id)).join(',')})`;

describe('identical reads in flight share one ISC call (coalescing)', () => {
  it('ten identical operations at once make one call; the other nine are counted and logged as coalesced', async () => {
    const log = recordingLogger();
    gw = await startTestGateway({}, { logger: log.logger });
    gw.tenant.setFaults({ latencyMs: HELD_MS });
    const answers = await Promise.all(Array.from({ length: 10 }, () => gw!.gql(LIST)));
    for (const a of answers) {
      expect(a.errors).toBeUndefined();
      expect(a.data).toEqual(answers[0].data);
    }
    expect(answers[0].data!.connectors.items).toHaveLength(3);
    expect(gw.calls()).toEqual([LIST_CALL]);
    expect(await metricSum(gw.url, 'isc_gateway_coalesced_calls_total', 'route="connectors"')).toBe(9);
    // The first operation's line lists the ISC attempt; the nine others' say they shared it.
    await until(() => log.records.filter((r) => r.msg === 'graphql operation').length === 10);
    const listed = log.records.filter((r) => r.msg === 'graphql operation').map((r) => r.fields!.upstream as Record<string, unknown>[]);
    const entry = (extra: Record<string, unknown>) => [{ method: 'GET', route: 'connectors', status: 200, durationMs: expect.any(Number), ...extra }];
    expect(listed.filter((u) => u[0].coalesced === undefined)).toEqual([entry({ cached: undefined, coalesced: undefined })]);
    expect(listed.filter((u) => u[0].coalesced === true)).toEqual(Array.from({ length: 9 }, () => entry({ cached: undefined, coalesced: true })));
  });

  it('switched off (SAIL_COALESCE=off), each operation makes its own call', async () => {
    gw = await startTestGateway({ SAIL_COALESCE: 'off' });
    gw.tenant.setFaults({ latencyMs: HELD_MS });
    const answers = await Promise.all(Array.from({ length: 10 }, () => gw!.gql(LIST)));
    for (const a of answers) expect(a.errors).toBeUndefined();
    expect(gw.calls()).toEqual(Array.from({ length: 10 }, () => LIST_CALL));
    expect(await metricSum(gw.url, 'isc_gateway_coalesced_calls_total')).toBe(0);
  });

  it('never merges callers with different tokens: each token gets its own call', async () => {
    gw = await startTestGateway();
    const tokens = [gw.tenant.issueToken(), gw.tenant.issueToken()];
    gw.tenant.setFaults({ latencyMs: HELD_MS });
    const answers = await Promise.all(
      tokens.flatMap((t) => Array.from({ length: 3 }, () => gw!.gql(LIST, undefined, { authorization: `Bearer ${t}` }))),
    );
    for (const a of answers) expect(a.errors).toBeUndefined();
    const sent = gw.calls().map((c) => c.headers.authorization);
    expect(sent.sort()).toEqual(tokens.map((t) => `Bearer ${t}`).sort());
    expect(await metricSum(gw.url, 'isc_gateway_coalesced_calls_total')).toBe(4);
  });

  it("a read that starts after a write's answer makes its own call instead of joining one in flight from before the write", async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on' });
    // Listed as another caller: a list the gateway's own caller read would answer its reads of the customizer.
    const list = await gw.gql('{ connectorCustomizers(limit: 1) { items { id } } }', undefined, {
      authorization: `Bearer ${gw.tenant.issueToken()}`,
    });
    const id = list.data!.connectorCustomizers.items[0].id as string;
    gw.reset();

    gw.tenant.setFaults({ latencyMs: 4 * HELD_MS });
    let beforeDone = false;
    const before = Promise.all([gw.gql(CUSTOMIZER, { id }), gw.gql(CUSTOMIZER, { id })]).finally(() => (beforeDone = true));
    await until(() => gw!.calls().length === 1);
    gw.tenant.setFaults({ latencyMs: 0 });
    const renamed = await gw.gql('mutation($id: ID!) { updateConnectorCustomizer(id: $id, input: { name: "renamed" }) { name } }', { id });
    expect(renamed.errors).toBeUndefined();

    const after = await gw.gql(CUSTOMIZER, { id });
    expect(beforeDone).toBe(false); // answered while the read from before the write is still in flight
    expect(after.data).toEqual({ connectorCustomizer: { id, name: 'renamed' } });
    expect(cacheHits(after)).toBeUndefined();
    const answered = await before;
    for (const a of answered) expect(a.errors).toBeUndefined();
    const detail = {
      method: 'GET',
      path: `/connector-customizers/v1/${id}`,
      query: {},
      headers: { accept: 'application/json', authorization: bearer },
      body: '',
    };
    expect(gw.calls().map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /connector-customizers/v1/${id}`,
      `PUT /connector-customizers/v1/${id}`,
      `GET /connector-customizers/v1/${id}`,
    ]);
    expect(gw.calls()[2]).toEqual(detail);
    // The answer read before the write was stored under the old stamp: the next read gets the one read after it.
    const again = await gw.gql(CUSTOMIZER, { id });
    expect(again.data).toEqual(after.data);
    expect(gw.calls()).toHaveLength(3);
  });
});

describe('writes that changed nothing leave the cache alone', () => {
  it('a write with a made-up token, which ISC refuses, drops no cache entry (anyone could send one)', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on' });
    const scriptName = (await gw.gql(LIST)).data!.connectors.items[0].scriptName as string;
    const refused = await gw.gql(
      'mutation($s: ID!) { updateConnector(scriptName: $s, input: { applicationXml: "<x/>" }) { name } }',
      { s: scriptName },
      { authorization: `Bearer ${madeUpJwt()}` },
    );
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', httpStatus: 401 });
    const again = await gw.gql(LIST);
    expect(cacheHits(again)).toEqual([{ route: 'GET connectors', ageSeconds: expect.any(Number), stale: false }]);
    expect(gw.calls().map((c) => `${c.method} ${c.path}`)).toEqual(['GET /connectors/v1', `PATCH /connectors/v1/${scriptName}`]);
  });
});

describe('cache domains chosen by the operator', () => {
  it('source apps (SAIL_RESPONSE_CACHE_DOMAINS=source-apps): batched lookups are served from and stored into per-id entries; a write drops only its app', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'source-apps' });
    const ids = await firstIds(gw, 5);
    gw.reset();
    const lookup = (list: readonly string[]) => ({
      method: 'GET',
      path: '/source-apps/v1/all',
      query: { filters: filterOf(list), limit: String(list.length) },
      headers: { accept: 'application/json', authorization: bearer, 'x-sailpoint-experimental': 'true' },
      body: '',
    });

    const three = await gw.gql(byIds(ids.slice(0, 3)));
    expect(three.errors).toBeUndefined();
    expect(gw.calls()).toEqual([lookup(ids.slice(0, 3))]);

    const five = await gw.gql(byIds(ids));
    expect(five.errors).toBeUndefined();
    expect(Object.values(five.data!).map((a: any) => a.id)).toEqual(ids);
    expect(five.data!.a0).toEqual(three.data!.a0);
    expect(gw.calls()).toEqual([lookup(ids.slice(0, 3)), lookup(ids.slice(3))]);
    expect(cacheHits(five)).toEqual([0, 1, 2].map(() => ({ route: 'GET source-apps/all', ageSeconds: 0, stale: false })));

    const one = await gw.gql(byIds([ids[4]]));
    expect(one.data!.a0).toEqual(five.data!.a4);
    expect(gw.calls()).toHaveLength(2);

    const patched = await gw.gql('mutation($id: ID!) { updateSourceApp(id: $id, input: { description: "changed" }) { id } }', { id: ids[1] });
    expect(patched.errors).toBeUndefined();
    gw.reset();
    await gw.gql(byIds(ids.slice(0, 3)));
    expect(gw.calls()).toEqual([lookup([ids[1]])]);

    // Connectors are not in the list: not cached.
    await gw.gql(LIST);
    await gw.gql(LIST);
    expect(gw.calls()).toHaveLength(3);
  });

  it('each domain with its own TTL (oauth-clients:1); an unknown domain refuses to start', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'oauth-clients:1,connectors' });
    const clients = '{ oauthClients { id name } }';
    await gw.gql(clients);
    const second = await gw.gql(clients);
    expect(cacheHits(second)).toEqual([{ route: 'GET oauth-clients', ageSeconds: 0, stale: false }]);
    expect(gw.calls()).toHaveLength(1);
    await sleep(1_500); // past its 1 s TTL (no stale grace by default): fetched again
    await gw.gql(clients);
    expect(gw.calls().map((c) => `${c.method} ${c.path}`)).toEqual(['GET /oauth-clients/v1', 'GET /oauth-clients/v1']);
    // Connectors keep the default TTL (60 s).
    await gw.gql(LIST);
    await gw.gql(LIST);
    expect(gw.calls()).toHaveLength(3);

    await expect(startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'identities' })).rejects.toThrow(
      /SAIL_RESPONSE_CACHE_DOMAINS: "identities" is not a domain \(connectors, connector-customizers, source-apps, oauth-clients, user-apps\)/,
    );
    await expect(startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'connectors:0' })).rejects.toThrow(
      /SAIL_RESPONSE_CACHE_DOMAINS: "connectors:0"/,
    );
  });
});

describe('freshness the caller can see and choose', () => {
  it('extensions.cache reports each answer served from the cache with its route and age; Cache-Control: no-cache bypasses the cache but still shares reads in flight', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on' });
    const first = await gw.gql(LIST);
    expect(cacheHits(first)).toBeUndefined();
    await sleep(1_100);
    const second = await gw.gql(LIST);
    expect(second.data).toEqual(first.data);
    expect(cacheHits(second)).toEqual([{ route: 'GET connectors', ageSeconds: expect.any(Number), stale: false }]);
    expect(cacheHits(second)![0].ageSeconds).toBeGreaterThanOrEqual(1);
    expect(gw.calls()).toEqual([LIST_CALL]);

    gw.tenant.setFaults({ latencyMs: HELD_MS });
    const fresh = await Promise.all(Array.from({ length: 3 }, () => gw!.gql(LIST, undefined, { 'cache-control': 'no-cache' })));
    for (const a of fresh) expect(cacheHits(a)).toBeUndefined();
    expect(gw.calls()).toEqual([LIST_CALL, LIST_CALL]);
    gw.tenant.setFaults({ latencyMs: 0 });
    // The fresh answer was stored: the next read is served from it, younger than the first entry.
    const third = await gw.gql(LIST);
    expect(cacheHits(third)).toEqual([{ route: 'GET connectors', ageSeconds: 0, stale: false }]);
    expect(gw.calls()).toHaveLength(2);
  });

  it("stale-while-revalidate: past the TTL, within the grace, the entry answers at once and one background refresh runs; a bearer's entry is fetched instead", async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'connectors:1', SAIL_RESPONSE_CACHE_STALE_MS: '60000' });
    const token = gw.tenant.issueToken();
    const asBearer = { authorization: `Bearer ${token}` };
    await gw.gql(LIST);
    await gw.gql(LIST, undefined, asBearer);
    expect(gw.calls()).toHaveLength(2);
    await sleep(1_300);

    gw.tenant.setFaults({ latencyMs: 2 * HELD_MS });
    const stale = await Promise.all(Array.from({ length: 5 }, () => gw!.gql(LIST)));
    for (const a of stale) {
      expect(a.errors).toBeUndefined();
      expect(cacheHits(a)).toEqual([{ route: 'GET connectors', ageSeconds: expect.any(Number), stale: true, reason: 'revalidating' }]);
      expect(cacheHits(a)![0].ageSeconds).toBeGreaterThanOrEqual(1);
    }
    // Not held by ISC's answer: all five were in while ISC still held the refresh (2 × HELD_MS).
    await until(() => gw!.calls().length === 3);
    expect(gw.calls()).toEqual([LIST_CALL, LIST_CALL, LIST_CALL]);
    expect(gw.tenant.requests[2].status).toBeUndefined();
    expect(await metricSum(gw.url, 'isc_gateway_response_cache_stale_hits_total')).toBe(5);

    // The bearer's entry is past its TTL too: its request fetches it (a refresh must not outlive the request).
    const bearerRead = await gw.gql(LIST, undefined, asBearer);
    expect(cacheHits(bearerRead)).toBeUndefined();
    expect(gw.calls()).toHaveLength(4);
    expect(gw.calls()[3].headers.authorization).toBe(`Bearer ${token}`);

    // Once the background refresh is in, the gateway's entry is fresh again.
    gw.tenant.setFaults({ latencyMs: 0 });
    let refreshed: GraphQLResponse | undefined;
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      refreshed = await gw.gql(LIST);
      if (cacheHits(refreshed)?.[0].stale === false) break;
      await sleep(100);
    }
    expect(cacheHits(refreshed!)).toEqual([{ route: 'GET connectors', ageSeconds: 0, stale: false }]);
    expect(gw.calls()).toHaveLength(4);
  });
});
