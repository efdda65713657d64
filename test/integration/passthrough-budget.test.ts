import http from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway.js';
import { metricSum } from '../support/metrics.js';
import { madeUpJwt } from '../support/tokens.js';
import { maxInWindow } from '../support/windows.js';

/**
 * Pass-through bearer tokens and ISC's budget (issue 27, items 1 and 2): the real server over
 * loopback against the demo tenant, counting the requests the tenant received.
 */
const LIST = '{ connectors(limit: 3) { items { scriptName name } } }';
const aliases = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: connector(scriptName: "s${i}") { name }`).join(' ')} }`;

/**
 * The rate window of the pool tests, and the span in which arrivals at the tenant are counted: the
 * governor counts starts, the tenant arrivals, which a loaded machine delays unevenly (by hundreds
 * of ms while 20 operations of 300 aliases are parsed), so arrivals are counted in a shorter span.
 */
const WINDOW_MS = 2_000;
const ARRIVAL_WINDOW_MS = 1_400;

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const codes = (r: GraphQLResponse) => [...new Set((r.errors ?? []).map((e) => e.extensions?.code))];

/** One GraphQL operation sent from the loopback address `localAddress` (127.0.0.x): another client address to the gateway. */
function gqlFrom(url: string, localAddress: string, query: string, headers: Record<string, string>): Promise<GraphQLResponse> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const req = http.request(
      url,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<GraphQLResponse, 'status' | 'headers'>;
          resolve({ ...parsed, status: res.statusCode ?? 0, headers: new Headers() });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('one budget per OAuth client for pass-through tokens', () => {
  it('two tokens of one client share one budget (extensions.rateLimit counts both) while their cached answers stay apart', async () => {
    gw = await startTestGateway({ SAIL_RATE_LIMIT: '50', SAIL_RATE_WINDOW_MS: '60000', SAIL_RESPONSE_CACHE: 'on' });
    const [a, b] = [gw.tenant.issueToken(), gw.tenant.issueToken()];
    const first = await gw.gql(LIST, undefined, auth(a)); // verifies a: its call is charged to the client
    const second = await gw.gql(LIST, undefined, auth(b)); // b's own answer, not a's cached one; verifies b
    const third = await gw.gql('{ connectorCustomizers(limit: 2) { items { id } } }', undefined, auth(a));
    for (const r of [first, second, third]) expect(r.errors).toBeUndefined();
    // Each token got its own call: no answer crossed between the two users of one client.
    expect(gw.calls().map((c) => c.headers.authorization)).toEqual([`Bearer ${a}`, `Bearer ${b}`, `Bearer ${a}`]);
    expect(second.extensions?.cache).toBeUndefined();
    // One ledger: after 3 calls of the client's two tokens, 47 of 50 remain (per token it would be 48).
    expect(third.extensions?.rateLimit).toMatchObject({ limit: 50, remaining: 47 });
    // Cached answers stay per token: each token's repeat is a hit of its own entry, with no call.
    gw.reset();
    for (const token of [a, b]) expect((await gw.gql(LIST, undefined, auth(token))).extensions?.cache?.hits).toHaveLength(1);
    expect(gw.calls()).toEqual([]);
    expect(await metricSum(gw.url, 'isc_gateway_passthrough_tokens_without_client_total')).toBe(0);
  });

  it("a new token's first operation runs whole under its client's budget: one verification call, then the rest, never refused for being new", async () => {
    gw = await startTestGateway({ SAIL_UNVERIFIED_RATE_LIMIT: '1', SAIL_UNVERIFIED_MAX_CONCURRENCY: '1' });
    const r = await gw.gql(aliases(30), undefined, auth(gw.tenant.issueToken()));
    expect(r.errors).toBeUndefined();
    expect(Object.keys(r.data!)).toHaveLength(30);
    expect(gw.calls()).toHaveLength(30);
  });
});

describe('made-up tokens are contained', () => {
  it('a malformed or expired bearer is refused UNAUTHENTICATED and costs no call and no token request', async () => {
    gw = await startTestGateway();
    const tokenRequests = gw.tenant.tokenRequests.length;
    for (const token of ['made-up', 'a.b.c', madeUpJwt({ exp: Math.floor(Date.now() / 1000) - 60 })]) {
      const r = await gw.gql(LIST, undefined, auth(token));
      expect({ token, status: r.status, codes: codes(r) }).toEqual({ token, status: 401, codes: ['UNAUTHENTICATED'] });
    }
    expect(gw.calls()).toEqual([]);
    expect(gw.tenant.tokenRequests.length).toBe(tokenRequests);
  });

  it('20 made-up tokens × 300 aliases in parallel: one call per JWT-shaped token, within the unverified budget per window; a keyed query beside them waits for nothing', async () => {
    gw = await startTestGateway({ SAIL_UNVERIFIED_RATE_LIMIT: '4', SAIL_RATE_WINDOW_MS: String(WINDOW_MS), SAIL_OPERATION_TIMEOUT_MS: '25000' });
    gw.tenant.setFaults({ latencyMs: 100 });
    const junk = [
      ...Array.from({ length: 10 }, (_, i) => `not-a-jwt-${i}`),
      ...Array.from({ length: 10 }, (_, i) => madeUpJwt({ client_id: i % 2 ? gw!.tenant.clientId : `made-up-${i}`, jti: `j${i}` })),
    ];
    const flood = junk.map((token) => gw!.gql(aliases(300), undefined, auth(token)));
    const keyed = await gw.gql(LIST);
    const answers = await Promise.all(flood);
    expect(keyed.errors).toBeUndefined();
    for (const r of answers) expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    const junkCalls = gw.tenant.requests.filter(
      (r) => r.headers.authorization !== undefined && junk.some((t) => r.headers.authorization === `Bearer ${t}`),
    );
    // One verification call per JWT-shaped token (refused: the other 299 fields make none), none for the rest.
    expect(junkCalls.map((c) => c.status)).toEqual(Array.from({ length: 10 }, () => 401));
    expect(
      maxInWindow(
        junkCalls.map((c) => c.at),
        ARRIVAL_WINDOW_MS,
      ),
    ).toBeLessThanOrEqual(4);
    expect(await metricSum(gw.url, 'isc_gateway_governor_waits_total')).toBe(0);
    // Refused tokens are remembered: asking again costs nothing.
    gw.reset();
    expect(codes(await gw.gql(LIST, undefined, auth(junk[15])))).toEqual(['UNAUTHENTICATED']);
    expect(gw.calls()).toEqual([]);
  });

  it('with the unverified pool saturated by junk from one address, a new valid token from another address is verified within a few windows', async () => {
    gw = await startTestGateway({
      SAIL_UNVERIFIED_RATE_LIMIT: '3',
      SAIL_UNVERIFIED_MAX_CONCURRENCY: '2',
      SAIL_RATE_WINDOW_MS: String(WINDOW_MS),
      SAIL_OPERATION_TIMEOUT_MS: '25000',
    });
    gw.tenant.setFaults({ latencyMs: 50 });
    const junk = Array.from({ length: 15 }, (_, i) => madeUpJwt({ jti: `flood-${i}` }));
    const flood = junk.map((token) => gqlFrom(gw!.url, '127.0.0.1', aliases(2), auth(token)));
    // Let the flood fill the pool's queue first.
    while (gw.tenant.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const valid = gw.tenant.issueToken();
    const r = await gqlFrom(gw.url, '127.0.0.2', LIST, auth(valid));
    expect(r.errors).toBeUndefined();
    const order = gw.tenant.requests.map((c) => c.headers.authorization);
    const junkBefore = order.indexOf(`Bearer ${valid}`);
    // 15 junk verifications queued ahead; fairness per address lets the valid one in among the first few windows' calls.
    expect(junkBefore).toBeGreaterThanOrEqual(3);
    expect(junkBefore).toBeLessThanOrEqual(2 * 3);
    await Promise.all(flood);
    const junkTimes = gw.tenant.requests.filter((c) => c.headers.authorization !== `Bearer ${valid}`).map((c) => c.at);
    expect(maxInWindow(junkTimes, ARRIVAL_WINDOW_MS)).toBeLessThanOrEqual(3);
  });

  it('behind a reverse proxy (SAIL_TRUSTED_PROXY_HOPS=1), fairness goes by the address the proxy forwarded, not its own', async () => {
    gw = await startTestGateway({
      SAIL_TRUSTED_PROXY_HOPS: '1',
      SAIL_UNVERIFIED_RATE_LIMIT: '3',
      SAIL_UNVERIFIED_MAX_CONCURRENCY: '2',
      SAIL_RATE_WINDOW_MS: String(WINDOW_MS),
      SAIL_OPERATION_TIMEOUT_MS: '25000',
    });
    gw.tenant.setFaults({ latencyMs: 50 });
    // Every request comes from the proxy's address; the flood's forwarded address is one caller,
    // whatever it claims further left.
    const junk = Array.from({ length: 15 }, (_, i) => madeUpJwt({ jti: `proxied-flood-${i}` }));
    const flood = junk.map((token, i) =>
      gqlFrom(gw!.url, '127.0.0.1', aliases(2), { ...auth(token), 'x-forwarded-for': `10.9.${i}.1, 203.0.113.7` }),
    );
    while (gw.tenant.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const valid = gw.tenant.issueToken();
    const r = await gqlFrom(gw.url, '127.0.0.1', LIST, { ...auth(valid), 'x-forwarded-for': '198.51.100.9' });
    expect(r.errors).toBeUndefined();
    const junkBefore = gw.tenant.requests.map((c) => c.headers.authorization).indexOf(`Bearer ${valid}`);
    expect(junkBefore).toBeGreaterThanOrEqual(3);
    expect(junkBefore).toBeLessThanOrEqual(2 * 3);
    await Promise.all(flood);
  });
});
