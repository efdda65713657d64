import { afterEach, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import type { RateLimitSettings } from '../../src/demo-tenant/rate-limits.js';
import { perResource } from '../support/demo-tenant-api.js';

/**
 * The demo tenant's ISC limits: per OAuth client, per route, and ISC's route-specific backoff
 * scaled by the window. The tenant's time is a clock the tests move by hand, so windows and
 * lockouts of minutes are counted, never waited for. Calls go over loopback HTTP.
 */

const T0 = 1_000_000_000_000; // a multiple of every window used: intervals start on it
let now = T0;
let tenant: DemoTenant | undefined;
afterEach(async () => {
  await tenant?.close();
  tenant = undefined;
});

interface Tenant {
  demo: DemoTenant;
  /** The demo client's token (`demo-client`) and a signed-in user's (`demo-login-client`): two OAuth clients. */
  tokens: { client: string; user: string };
}

async function start(rateLimit: RateLimitSettings): Promise<Tenant> {
  now = T0;
  const demo = await startDemoTenant({ faults: { rateLimit }, clock: () => now });
  tenant = demo;
  return { demo, tokens: { client: demo.issueToken(), user: demo.issueToken({ user: 'ada.admin' }) } };
}

/** One GET: its status and Retry-After (null when none). */
async function get(demo: DemoTenant, token: string, path = '/connector-customizers'): Promise<[number, number | null]> {
  const response = await fetch(`${demo.url}${perResource(path)}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5_000),
  });
  await response.arrayBuffer();
  const retryAfter = response.headers.get('retry-after');
  return [response.status, retryAfter === null ? null : Number(retryAfter)];
}

/** `count` GETs one after the other. */
async function gets(demo: DemoTenant, token: string, count: number, path?: string): Promise<[number, number | null][]> {
  const answers: [number, number | null][] = [];
  for (let i = 0; i < count; i++) answers.push(await get(demo, token, path));
  return answers;
}

const OK: [number, null] = [200, null];

describe('ISC route-specific backoff, scaled by the window (SAIL_DEMO_TENANT_BACKOFF)', () => {
  it.each([
    [1_000, [6, 30, 60, 120, 120]],
    [10_000, [60, 300, 600, 1_200, 1_200]],
  ])('with a %i ms window, 3 violated intervals within 12 windows lock out for %j s, a call during the lockout climbing a tier', async (W, tiers) => {
    const { demo, tokens } = await start({ limit: 2, windowMs: W, backoff: true });
    // Three violations in one interval count as one.
    const windowSeconds = W / 1000;
    expect(await gets(demo, tokens.client, 5)).toEqual([OK, OK, [429, windowSeconds], [429, windowSeconds], [429, windowSeconds]]);
    now = T0 + W;
    expect(await gets(demo, tokens.client, 3)).toEqual([OK, OK, [429, windowSeconds]]);
    expect(demo.stats().backoffsEntered).toBe(0);
    now = T0 + 2 * W;
    const entered = await gets(demo, tokens.client, 3);
    expect(entered).toEqual([OK, OK, [429, tiers[0]]]);
    expect(demo.stats().backoffsEntered).toBe(1);

    // Each call while locked out climbs to the next tier (the last one stays), counted from that call.
    const climbs: number[] = [];
    for (let i = 1; i < tiers.length; i++) {
      now += 1_000;
      climbs.push((await get(demo, tokens.client))[1]!);
    }
    expect(climbs).toEqual(tiers.slice(1));
    now += tiers[tiers.length - 1] * 1_000 - 1; // the last lockout's final ms
    expect(await get(demo, tokens.client)).toEqual([429, tiers[tiers.length - 1]]);
    now += tiers[tiers.length - 1] * 1_000; // the lockout that call started is over
    expect(await gets(demo, tokens.client, 2)).toEqual([OK, OK]);
    expect(demo.stats().backoffsEntered).toBe(1); // climbs enter no new backoff
  });

  it('counts only violations within the last 12 windows', async () => {
    const W = 1_000;
    const { demo, tokens } = await start({ limit: 1, windowMs: W, backoff: true });
    const violate = async (at: number) => {
      now = at;
      return gets(demo, tokens.client, 2);
    };
    expect(await violate(T0)).toEqual([OK, [429, 1]]);
    expect(await violate(T0 + 5 * W)).toEqual([OK, [429, 1]]);
    // The first violation is exactly 12 windows old: two violated intervals remain.
    expect(await violate(T0 + 12 * W)).toEqual([OK, [429, 1]]);
    expect(await violate(T0 + 13 * W)).toEqual([OK, [429, 6]]);
    expect(demo.stats().backoffsEntered).toBe(1);
  });

  it('locks out only the route and the client that violated; the lockout ends on time', async () => {
    const W = 1_000;
    const { demo, tokens } = await start({ limit: 1, windowMs: W, backoff: true });
    for (const i of [0, 1, 2]) {
      now = T0 + i * W;
      await gets(demo, tokens.client, 2);
    }
    const entered = now;
    now = entered + W; // a fresh window: the client's limit lets one call pass
    expect(await get(demo, tokens.client, '/connectors')).toEqual(OK);
    expect(await get(demo, tokens.user)).toEqual(OK);
    now = entered + 6 * W - 1;
    expect(await get(demo, tokens.client)).toEqual([429, 30]);
    now = entered + 6 * W - 1 + 30 * W;
    expect(await get(demo, tokens.client)).toEqual(OK);
  });

  it('remembers the last tier for 360 windows after a lockout ends: the next backoff starts a tier higher, later at the first', async () => {
    const W = 1_000;
    const { demo, tokens } = await start({ limit: 1, windowMs: W, backoff: true });
    /** Violates in 3 consecutive intervals from `from`; the last answer (the backoff's, if entered). */
    const threeViolations = async (from: number) => {
      let last: [number, number | null] = OK;
      for (const i of [0, 1, 2]) {
        now = from + i * W;
        const answers = await gets(demo, tokens.client, 2);
        expect(answers[0]).toEqual(OK);
        last = answers[1];
      }
      return last;
    };
    expect(await threeViolations(T0)).toEqual([429, 6]); // locked until T0 + 8 W
    const firstEnd = T0 + 2 * W + 6 * W;
    expect(await threeViolations(firstEnd)).toEqual([429, 30]); // entered at firstEnd + 2 W
    const secondEnd = firstEnd + 2 * W + 30 * W;
    // Entered 1 window before the memory of the second lockout ends: the tier after it.
    expect(await threeViolations(secondEnd + 357 * W)).toEqual([429, 60]);
    const thirdEnd = secondEnd + 359 * W + 60 * W;
    // Entered exactly 360 windows after the third lockout ended: forgotten, the first tier again.
    expect(await threeViolations(thirdEnd + 358 * W)).toEqual([429, 6]);
    expect(demo.stats()).toMatchObject({ backoffsEntered: 4, backoffsEnteredByClient: { 'demo-client': 4 } });
  });

  it('is off unless asked for: violations only ever get the window’s Retry-After', async () => {
    const W = 1_000;
    const { demo, tokens } = await start({ limit: 1, windowMs: W });
    const answers: [number, number | null][] = [];
    for (let i = 0; i < 5; i++) {
      now = T0 + i * W;
      answers.push(...(await gets(demo, tokens.client, 2)));
    }
    expect(answers).toEqual(Array.from({ length: 5 }, () => [OK, [429, 1]]).flat());
    expect(demo.stats().backoffsEntered).toBe(0);
  });
});

describe('lower limits per route (SAIL_DEMO_TENANT_ROUTE_LIMITS)', () => {
  it('limits each client on each named route apart, other routes (a by-id read included) not at all', async () => {
    const W = 10_000;
    const { demo, tokens } = await start({ windowMs: W, routeLimits: { 'GET /connectors': 2, 'GET /oauth-clients': 1 } });
    expect(await gets(demo, tokens.client, 3, '/connectors')).toEqual([OK, OK, [429, 10]]);
    now = T0 + 2_500;
    expect(await gets(demo, tokens.client, 2, '/oauth-clients')).toEqual([OK, [429, 10]]);
    expect(await get(demo, tokens.client, '/connectors')).toEqual([429, 8]); // the first call leaves the window at T0 + W
    expect(await gets(demo, tokens.client, 6, '/connector-customizers')).toEqual(Array(6).fill(OK));
    // Another OAuth client has its own count on the same route.
    expect(await gets(demo, tokens.user, 3, '/connectors')).toEqual([OK, OK, [429, 10]]);
    expect(await gets(demo, tokens.client, 3, '/connectors/no-such-connector')).toEqual(Array(3).fill([404, null])); // another route
    now = T0 + W;
    expect(await gets(demo, tokens.client, 3, '/connectors')).toEqual([OK, OK, [429, 10]]);
    expect(demo.stats().apiByRoute['GET /connectors']).toEqual({ '200': 6, '429': 4 });
  });

  it('applies with the limit over every route: a refused call counts in neither', async () => {
    const { demo, tokens } = await start({ limit: 3, windowMs: 1_000, routeLimits: { 'GET /connectors': 1 } });
    expect(await gets(demo, tokens.client, 2, '/connectors')).toEqual([OK, [429, 1]]);
    expect(await gets(demo, tokens.client, 3)).toEqual([OK, OK, [429, 1]]);
  });

  it('enters the backoff on the route whose limit was exceeded', async () => {
    const W = 1_000;
    const { demo, tokens } = await start({ windowMs: W, routeLimits: { 'GET /connectors': 1 }, backoff: true });
    const answers: [number, number | null][] = [];
    for (const i of [0, 1, 2]) {
      now = T0 + i * W;
      answers.push(...(await gets(demo, tokens.client, 2, '/connectors')));
    }
    expect(answers).toEqual([OK, [429, 1], OK, [429, 1], OK, [429, 6]]);
    expect(await gets(demo, tokens.client, 3)).toEqual([OK, OK, OK]);
  });

  it('refuses a route the tenant lacks, at start and when switched', async () => {
    await expect(startDemoTenant({ faults: { rateLimit: { windowMs: 1_000, routeLimits: { 'GET /nowhere': 1 } } } })).rejects.toThrow(
      /No such route to limit \(SAIL_DEMO_TENANT_ROUTE_LIMITS\): GET \/nowhere; the routes are .*GET \/source-apps\/:id/,
    );
    const { demo } = await start({ windowMs: 1_000 });
    expect(() => demo.setFaults({ rateLimit: { windowMs: 1_000, routeLimits: { 'get /source-apps': 1 } } })).toThrow('No such route to limit');
  });
});

describe('/__demo/stats', () => {
  it('counts backoffs entered and 429s by OAuth client, kept across setFaults', async () => {
    const W = 1_000;
    const rateLimit = { limit: 1, windowMs: W, backoff: true };
    const { demo, tokens } = await start(rateLimit);
    for (const i of [0, 1, 2]) {
      now = T0 + i * W;
      await gets(demo, tokens.client, 2);
      await gets(demo, tokens.user, 3); // 2 violations a window for the user's client
    }
    await gets(demo, tokens.client, 2); // climbs: 429s, not backoffs entered
    demo.setFaults({ rateLimit });
    now = T0 + 3 * W;
    expect(await gets(demo, tokens.client, 2)).toEqual([OK, [429, 1]]); // setFaults started the accounting afresh
    const stats = demo.stats();
    expect(stats).toMatchObject({
      rateLimit,
      backoffsEntered: 2,
      backoffsEnteredByClient: { 'demo-client': 1, 'demo-login-client': 1 },
      api429ByClient: { 'demo-client': 6, 'demo-login-client': 6 },
      apiByStatus: { '200': 7, '429': 12 },
    });
    expect(Object.keys(stats.api429ByClient)).toEqual(['demo-client', 'demo-login-client']);
  });
});
