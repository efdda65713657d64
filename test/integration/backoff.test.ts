import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant, type RecordedRequest } from '../../src/demo-tenant/server.js';
import type { RunningGateway } from '../../src/gateway.js';
import { code } from '../support/errors.js';
import { gatewayAgainst, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { recordingLogger } from '../support/recording-logger.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

/**
 * Issue 27 item 3: never provoke ISC's backoff. A `Retry-After` is obeyed in full (ISC's highest
 * tier, 1,200 s, by default) with no call of that client meanwhile, on any replica, and the
 * operation answers RATE_LIMITED with `retryAfter` at once; a tenant that limits lower than the
 * gateway's setting teaches the gateway its limit after one violated interval.
 */

const LIST = '{ connectors(limit: 1) { items { scriptName } } }';
/** 16 GETs (the list and 15 `fileUpload`s), all at once at the gateway's limit of 20. */
const FAN_OUT = '{ connectors(limit: 15) { items { scriptName fileUpload } } }';
/** 8 GETs: done within two tenant windows, before a learned limit starts growing back (3 windows). */
const SMALL_FAN_OUT = '{ connectors(limit: 7) { items { scriptName fileUpload } } }';
/** The tenant's window: long against the scheduling jitter of a loaded machine. */
const TENANT_WINDOW_MS = 2_000;
const TENANT_LIMIT = 5;
const GATEWAY_LIMIT = { SAIL_RATE_LIMIT: '20', SAIL_RATE_WINDOW_MS: String(TENANT_WINDOW_MS) };
/** Every 429 of the fan-out may wait out its Retry-After within the operation. */
const ROOM_TO_WAIT = { SAIL_RATE_LIMIT_WAIT_MS: '60000', SAIL_OPERATION_TIMEOUT_MS: '19000' };

const report = (label: string, figures: Record<string, unknown>) => process.stdout.write(`[figures] ${label}: ${JSON.stringify(figures)}\n`);

/** ISC's "violated intervals": runs of 429s, a new one starting a whole tenant window after the previous run began. */
function violatedIntervals(requests: readonly RecordedRequest[], windowMs: number): number {
  const refusals = requests
    .filter((r) => r.status === 429)
    .map((r) => r.at)
    .sort((a, b) => a - b);
  let intervals = 0;
  let runStart = Number.NEGATIVE_INFINITY;
  for (const at of refusals) {
    if (at - runStart < windowMs) continue;
    intervals++;
    runStart = at;
  }
  return intervals;
}

describe('a long Retry-After is obeyed in full', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it('1,200 s: RATE_LIMITED with retryAfter 1200 at once, and no ISC call from any later operation', async () => {
    gw = await startTestGateway({ SAIL_COALESCE: 'off' });
    gw.tenant.setFaults({ rate429: 1, retryAfterSeconds: 1_200 });
    const limited = await gw.gql(LIST);
    expect(limited.errors).toEqual([code('RATE_LIMITED')]);
    expect(limited.errors![0].extensions!.retryAfter).toBe(1_200);
    expect(gw.tenant.requests.map((r) => r.status)).toEqual([429]);

    // ISC would answer now; the gateway must still keep away for the rest of the pause.
    gw.tenant.setFaults({});
    gw.reset();
    const later = await Promise.all([LIST, LIST, '{ connectorCustomizers(limit: 5) { items { name } } }'].map((q) => gw!.gql(q)));
    report('Retry-After 1200 s', { laterRetryAfter: later.map((r) => r.errors?.[0]?.extensions?.retryAfter), iscCalls: gw.tenant.requests.length });
    for (const answer of later) {
      expect(answer.errors).toEqual([code('RATE_LIMITED')]);
      // Seconds left of the pause: 1,200 less the few that passed.
      expect(answer.errors![0].extensions!.retryAfter).toBeGreaterThan(1_100);
      expect(answer.extensions?.rateLimit).toEqual(expect.objectContaining({ remaining: 0, resetInMs: expect.any(Number) }));
      expect(answer.extensions!.rateLimit.resetInMs).toBeGreaterThan(1_100_000);
    }
    expect(gw.tenant.requests).toEqual([]);
  });

  it('a scaled pause (3 s, operations of 1 s): every operation during it makes no call, the first one after it makes one', async () => {
    // Operations shorter than the pause: each one meets it and is refused at once instead of waiting.
    // A short window: the limit of 1 the 429 teaches then leaves a slot a quarter second away at
    // most, so the first operation after the pause has most of its second left for ISC's answer.
    gw = await startTestGateway({
      SAIL_COALESCE: 'off',
      SAIL_RATE_LIMIT_WAIT_MS: '0',
      SAIL_OPERATION_TIMEOUT_MS: '1000',
      SAIL_RATE_WINDOW_MS: '250',
    });
    gw.tenant.setFaults({ rate429: 1, retryAfterSeconds: 3 });
    expect((await gw.gql(LIST)).errors).toEqual([code('RATE_LIMITED')]);
    gw.tenant.setFaults({});
    gw.reset();
    let refusedDuringPause = 0;
    let answered: { data?: any } | undefined;
    // The 429 also taught a limit of 1 per window that its call still filled. Polled up to 20 s.
    const until = Date.now() + 20_000;
    while (!answered && Date.now() < until) {
      const r = await gw.gql(LIST);
      if (r.errors === undefined) answered = r;
      else {
        expect(r.errors).toEqual([code('RATE_LIMITED')]);
        expect(gw.tenant.requests).toEqual([]); // refused before any call
        refusedDuringPause++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    report('scaled pause 3 s', { refusedDuringPause, callsAfter: gw.tenant.requests.length });
    expect(answered?.data?.connectors.items).toHaveLength(1);
    expect(refusedDuringPause).toBeGreaterThan(0);
    expect(gw.tenant.requests.map((r) => r.status)).toEqual([200]);
  }, 30_000);
});

describe('a tenant limiting lower than SAIL_RATE_LIMIT', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it('teaches the gateway its limit in one violated interval (two at most on a loaded machine): the learned limit is in extensions.rateLimit', async () => {
    gw = await startTestGateway({ SAIL_COALESCE: 'off', ...GATEWAY_LIMIT, ...ROOM_TO_WAIT });
    gw.tenant.setFaults({ rateLimit: { limit: TENANT_LIMIT, windowMs: TENANT_WINDOW_MS } });
    const r = await gw.gql(FAN_OUT);
    const requests = gw.tenant.requests;
    const figures = {
      iscCalls: requests.length,
      refused429: requests.filter((c) => c.status === 429).length,
      violatedIntervals: violatedIntervals(requests, TENANT_WINDOW_MS),
      limitInForce: r.extensions?.rateLimit?.limit,
    };
    report(`tenant at ${TENANT_LIMIT} per ${TENANT_WINDOW_MS} ms, gateway at 20`, figures);
    expect(r.errors).toBeUndefined();
    expect(r.data!.connectors.items).toHaveLength(15);
    // One violated interval teaches it. A loaded machine may add a second: the gateway counts what
    // ISC accepted by its own window, and a stalled event loop can land two of its windows' calls in
    // one of ISC's; that refusal lowers the limit further (at least 1). Never a third (ISC's backoff).
    expect(figures.violatedIntervals).toBeGreaterThanOrEqual(1);
    expect(figures.violatedIntervals).toBeLessThanOrEqual(2);
    // ISC's limit, or grown back by a call a window once 3 passed quiet (a loaded machine takes longer).
    expect(figures.limitInForce).toBeGreaterThanOrEqual(figures.violatedIntervals === 1 ? TENANT_LIMIT : 1);
    expect(figures.limitInForce).toBeLessThan(2 * TENANT_LIMIT);
    expect(requests.filter((c) => c.status === 200)).toHaveLength(16);
  }, 30_000);
});

/**
 * ISC's backoff counts violated intervals per client and route, each interval one tenant window:
 * the most distinct windows with a 429 that fall within any `spanWindows` windows of each other.
 */
function mostViolatedIntervalsWithin(requests: readonly RecordedRequest[], windowMs: number, spanWindows: number): number {
  const windows = [...new Set(requests.filter((r) => r.status === 429).map((r) => Math.floor(r.at / windowMs)))];
  return Math.max(0, ...windows.map((first) => windows.filter((w) => w >= first && w < first + spanWindows).length));
}

describe('a tenant limiting below SAIL_RATE_LIMIT, with its backoff on', () => {
  const W = 1_000;
  /** ISC's custom lower limit on one route; the gateway's setting is 4 times as many. */
  const ROUTE_LIMIT = 5;
  /** 4 GETs of the one limited route per operation (different pages: nothing to share). */
  const FOUR_PAGES = `{ ${[0, 1, 2, 3].map((i) => `p${i}: connectors(limit: 1, offset: ${i}) { items { scriptName } }`).join(' ')} }`;
  const CALLERS = 3;
  const OPERATIONS_PER_CALLER = 6;
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it('never enters the backoff: 72 calls over about 16 windows, fewer than 3 violated intervals in any 12 windows, every operation answered', async () => {
    gw = await startTestGateway({ SAIL_COALESCE: 'off', SAIL_RATE_LIMIT: '20', SAIL_RATE_WINDOW_MS: String(W), ...ROOM_TO_WAIT });
    gw.tenant.setFaults({ rateLimit: { windowMs: W, routeLimits: { 'GET /connectors': ROUTE_LIMIT }, backoff: true } });
    // A fixed amount of work, not a duration: at the tenant's 5 a window it takes about 16 windows.
    const answers = (
      await Promise.all(
        Array.from({ length: CALLERS }, async () => {
          const own = [];
          for (let i = 0; i < OPERATIONS_PER_CALLER; i++) own.push(await gw!.gql(FOUR_PAGES));
          return own;
        }),
      )
    ).flat();
    const requests = gw.tenant.requests;
    const stats = gw.tenant.stats();
    const figures = {
      iscCalls: requests.length,
      accepted: requests.filter((r) => r.status === 200).length,
      refused429: requests.filter((r) => r.status === 429).length,
      windowsSpanned: Math.floor(requests.at(-1)!.at / W) - Math.floor(requests[0].at / W) + 1,
      mostViolatedIn12Windows: mostViolatedIntervalsWithin(requests, W, 12),
      backoffsEntered: stats.backoffsEntered,
    };
    report(`tenant at ${ROUTE_LIMIT} per ${W} ms on GET /connectors with backoff, gateway at 20`, figures);
    expect(stats.backoffsEntered).toBe(0);
    expect(figures.mostViolatedIn12Windows).toBeLessThan(3);
    // Room to wait out every Retry-After: each operation answers in full, none fails.
    expect(answers.map((a) => a.errors)).toEqual(Array(CALLERS * OPERATIONS_PER_CALLER).fill(undefined));
    for (const answer of answers) expect(Object.keys(answer.data!)).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(figures.accepted).toBe(CALLERS * OPERATIONS_PER_CALLER * 4);
    expect(requests.every((r) => r.method === 'GET' && r.path === '/connectors/v1')).toBe(true);
  }, 60_000);
});

describeWith(REDIS_SERVER, 'two replicas share the pause and the learned limit (real Redis)', () => {
  const KEY = 'backoff-test-key';
  let redis: TestRedis;
  let tenant: DemoTenant;
  const gateways: RunningGateway[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.close()));
    await tenant?.close();
  });

  async function replicas(prefix: string, env: Record<string, string> = {}): Promise<RunningGateway[]> {
    tenant = await startDemoTenant({ recordRequests: true });
    const settings = {
      SAIL_API_KEYS: KEY,
      SAIL_REDIS_URL: redis.url,
      SAIL_REDIS_PREFIX: prefix,
      SAIL_REDIS_REPLICAS: '2',
      SAIL_COALESCE: 'off',
      ...env,
    };
    gateways.push(await gatewayAgainst(tenant, settings, recordingLogger().logger), await gatewayAgainst(tenant, settings, recordingLogger().logger));
    return gateways;
  }

  async function gql(gateway: RunningGateway, query: string): Promise<{ data?: any; errors?: any[]; extensions?: any }> {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(20_000),
    });
    return (await response.json()) as { data?: any; errors?: any[]; extensions?: any };
  }

  it('a 1,200 s Retry-After met by one replica: the other answers RATE_LIMITED with retryAfter and makes no call', async () => {
    const [a, b] = await replicas('pause-shared:');
    tenant.setFaults({ rate429: 1, retryAfterSeconds: 1_200 });
    const limited = await gql(a, LIST);
    expect(limited.errors).toEqual([code('RATE_LIMITED')]);
    expect(limited.errors![0].extensions!.retryAfter).toBe(1_200);
    tenant.setFaults({});
    tenant.clearRequests();
    const other = await gql(b, LIST);
    report('pause shared by two replicas', { otherRetryAfter: other.errors?.[0]?.extensions?.retryAfter, iscCalls: tenant.requests.length });
    expect(other.errors).toEqual([code('RATE_LIMITED')]);
    expect(other.errors![0].extensions.retryAfter).toBeGreaterThan(1_100);
    expect(tenant.requests).toEqual([]);
  });

  it('a limit learned by one replica holds the other: its fan-out meets no 429', async () => {
    const [a, b] = await replicas('learned-shared:', { ...GATEWAY_LIMIT, ...ROOM_TO_WAIT });
    tenant.setFaults({ rateLimit: { limit: TENANT_LIMIT, windowMs: TENANT_WINDOW_MS } });
    const first = await gql(a, SMALL_FAN_OUT);
    expect(first.errors).toBeUndefined();
    // What ISC accepted in its window: 5, or fewer when the tenant's window still held the previous
    // test's call (its windows and the gateway's need not line up).
    const learned = first.extensions.rateLimit.limit as number;
    expect(learned).toBeGreaterThanOrEqual(1);
    expect(learned).toBeLessThanOrEqual(TENANT_LIMIT);
    tenant.clearRequests();
    const second = await gql(b, SMALL_FAN_OUT);
    const figures = {
      secondReplicaCalls: tenant.requests.length,
      secondReplica429: tenant.requests.filter((c) => c.status === 429).length,
      secondLimit: second.extensions?.rateLimit?.limit,
    };
    report('learned limit shared by two replicas', figures);
    expect(second.errors).toBeUndefined();
    expect(figures.secondReplica429).toBe(0);
    expect(figures.secondReplicaCalls).toBe(8);
    expect(figures.secondLimit).toBe(learned);
  }, 60_000);
});
