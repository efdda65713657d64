import { afterEach, describe, expect, it } from '@jest/globals';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { metricSum, metricUntil } from '../support/metrics.js';
import { maxInWindow } from '../support/windows.js';
import { code } from '../support/errors.js';

/**
 * Fault tests over loopback: the demo tenant injects faults, the gateway must keep serving with
 * clear errors. Each prints its figures (also reported on the issue).
 */
const LIST = '{ connectors(limit: 1) { items { scriptName } } }';

let gw: TestGateway | undefined;

/** Coalescing off: these tests count each operation's own ISC attempts (coalescing has its own tests). */
const startFaultGateway = (env: Record<string, string> = {}) => startTestGateway({ SAIL_COALESCE: 'off', ...env });
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/** Runs `total` operations with `concurrency` in flight. */
async function load<T>(total: number, concurrency: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await run(i);
      }
    }),
  );
  return results;
}

function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`[figures] ${name}: ${JSON.stringify(figures)}\n`);
}

describe('429s and 503s', () => {
  // The 429s come from ISC's limit (200 per 1 s, below the gateway's 400), as ISC sends them: a 429
  // that comes with fewer calls ahead than the gateway's limit teaches the gateway a lower one.
  // (How many depends on the machine's speed: backoff.test.ts counts them exactly.)
  it('serves 1,000 operations through 429s of a tenant limiting lower and 5% 503s with no failure, under the rate limit', async () => {
    gw = await startFaultGateway({
      SAIL_RATE_LIMIT: '400',
      SAIL_RATE_WINDOW_MS: '1000',
      SAIL_RATE_LIMIT_WAIT_MS: '20000',
      SAIL_RETRY_BASE_DELAY_MS: '5',
      SAIL_RETRY_ATTEMPTS: '6',
    });
    gw.tenant.setFaults({ rateLimit: { limit: 200, windowMs: 1000 }, rate503: 0.05, seed: 7 });
    const started = Date.now();
    const results = await load(1000, 20, () => gw!.gql(LIST));
    const failed = results.filter((r) => r.errors !== undefined);
    const calls = gw.tenant.requests;
    const figures = {
      operations: results.length,
      failed: failed.length,
      upstreamCalls: calls.length,
      refused429: calls.filter((c) => c.status === 429).length,
      injected503: calls.filter((c) => c.status === 503).length,
      maxCallsInAnySecond: maxInWindow(
        calls.map((c) => c.at),
        1000,
      ),
      // The governor plans 400 starts per 1.1 s (its margin); arrivals measured over 0.9 s leave the
      // 0.2 s between plan and arrival to scheduling, which a loaded machine stretches.
      maxCallsIn900ms: maxInWindow(
        calls.map((c) => c.at),
        900,
      ),
      seconds: (Date.now() - started) / 1000,
    };
    report('429/503 storm', figures);
    expect(failed).toEqual([]);
    expect(figures.maxCallsIn900ms).toBeLessThanOrEqual(400);
    expect(figures.upstreamCalls).toBeGreaterThan(1000);
    // 22 s on a 2-core machine with two CPU burners; the bound only catches a hang.
  }, 120_000);

  it('honours Retry-After, and answers RATE_LIMITED with retryAfter once the wait budget is spent', async () => {
    gw = await startFaultGateway({ SAIL_RATE_LIMIT_WAIT_MS: '1500' });
    gw.tenant.setFaults({ rate429: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    const r = await gw.gql(LIST);
    report('Retry-After 1 s, wait budget 1.5 s', { answeredInMs: Date.now() - started });
    expect(r.errors).toEqual([code('RATE_LIMITED')]);
    expect(r.errors![0].extensions).toMatchObject({ httpStatus: 429, retryAfter: 1 });
    const times = gw.tenant.requests.map((c) => c.at);
    expect(times).toHaveLength(2); // the first try and one retry after Retry-After; the next wait would exceed 1.5 s
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(990);
    // One wait entered, for the first 429; after the second the budget left (0.5 s) was short of
    // Retry-After, so the answer came without waiting again.
    expect(await metricSum(gw.url, 'isc_gateway_upstream_retries_total')).toBe(1);
    expect(await metricSum(gw.url, 'isc_gateway_upstream_retries_total', 'reason="429"')).toBe(1);
    // The response tells the frontend how much budget is left.
    expect(r).toHaveProperty('status', 200);
  });

  it('reports the budget left in the response extensions', async () => {
    gw = await startFaultGateway({ SAIL_RATE_LIMIT: '50', SAIL_RATE_WINDOW_MS: '10000' });
    const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: LIST }) });
    const body = (await response.json()) as { extensions?: { rateLimit?: { limit: number; remaining: number; resetInMs: number } } };
    expect(body.extensions?.rateLimit).toEqual({ limit: 50, remaining: 49, resetInMs: expect.any(Number) });
    // The one call made leaves the window (10 s plus the governor's 550 ms margin) at most that long
    // from now: a value the gateway computed, which time passing can only lower.
    const untilSlotFrees = body.extensions!.rateLimit!.resetInMs;
    expect(untilSlotFrees).toBeGreaterThan(0);
    expect(untilSlotFrees).toBeLessThanOrEqual(10_550);
  });
});

describe('rate governor', () => {
  it('paces a fan-out of 41 calls at 10 per 1 s: no 429 from an upstream enforcing 20 per 1 s', async () => {
    // Half the upstream's limit: on a loaded machine calls started in one window can arrive in the
    // next, and only a whole window's worth arriving late could then reach the upstream's limit.
    gw = await startFaultGateway({ SAIL_RATE_LIMIT: '10', SAIL_RATE_WINDOW_MS: '1000', SAIL_OPERATION_TIMEOUT_MS: '20000' });
    gw.tenant.setFaults({ rateLimit: { limit: 20, windowMs: 1000 } });
    const started = Date.now();
    const r = await gw.gql('{ connectors(limit: 40) { items { scriptName fileUpload } } }');
    const seconds = (Date.now() - started) / 1000;
    const calls = gw.tenant.requests;
    const figures = {
      upstreamCalls: calls.length,
      upstream429: calls.filter((c) => c.status === 429).length,
      maxIn1s: maxInWindow(
        calls.map((c) => c.at),
        1000,
      ),
      seconds,
    };
    report('pacing 10 per 1 s', figures);
    expect(r.errors).toBeUndefined();
    expect(r.data!.connectors.items).toHaveLength(40);
    expect(figures.upstreamCalls).toBe(41);
    expect(figures.upstream429).toBe(0);
    expect(figures.maxIn1s).toBeLessThanOrEqual(20);
    expect(seconds).toBeGreaterThanOrEqual(4); // 41 calls need four further windows
  }, 30_000);

  it('paces a query that fans out to 176 GETs instead of letting ISC reject them', async () => {
    // The gateway is set well under ISC's limit: ISC counts arrivals, and on a loaded machine calls
    // started in one window can arrive bunched with the next window's.
    gw = await startFaultGateway({ SAIL_RATE_LIMIT: '50', SAIL_RATE_WINDOW_MS: '1000', SAIL_OPERATION_TIMEOUT_MS: '20000' });
    gw.tenant.setFaults({ rateLimit: { limit: 100, windowMs: 1000 } });
    const locales = ['en', 'de', 'fr', 'ja'];
    const query = `{ ${locales.map((l) => `${l.replace('-', '')}: connectors(limit: 43, locale: "${l}") { items { fileUpload } }`).join(' ')} }`;
    const started = Date.now();
    const r = await gw.gql(query);
    const calls = gw.tenant.requests;
    const figures = {
      upstreamCalls: calls.length,
      upstream429: calls.filter((c) => c.status === 429).length,
      maxIn1s: maxInWindow(
        calls.map((c) => c.at),
        1000,
      ),
      seconds: (Date.now() - started) / 1000,
    };
    report('fan-out of 176 at 50 per 1 s against 100 per 1 s', figures);
    expect(r.errors).toBeUndefined();
    expect(figures.upstreamCalls).toBe(4 + 4 * 43);
    expect(figures.upstream429).toBe(0);
    expect(figures.maxIn1s).toBeLessThanOrEqual(100);
  }, 30_000);

  it('refuses at once with RATE_LIMITED when the queue is full', async () => {
    gw = await startFaultGateway({
      SAIL_RATE_LIMIT: '1',
      SAIL_RATE_WINDOW_MS: '60000',
      SAIL_RATE_MAX_QUEUE: '2',
      // Long enough for both queued calls to have a slot before their deadline (about 1 and 2
      // minutes away): they wait in the queue instead of being refused for want of a slot.
      SAIL_OPERATION_TIMEOUT_MS: '600000',
    });
    await gw.gql(LIST); // uses the only slot of the window
    let settled = 0;
    const pending = Promise.allSettled([gw.gql(LIST), gw.gql(LIST)].map((p) => p.finally(() => settled++)));
    expect(await metricUntil(gw.url, 'isc_gateway_governor_queued_calls', '', (n) => n === 2)).toBe(2);
    const r = await gw.gql(LIST);
    expect(r.errors).toEqual([code('RATE_LIMITED')]);
    expect(r.errors![0].message).toBe("The gateway's queue for this ISC client is full (2 waiting calls)");
    // Refused without waiting: the two ahead of it still wait for their slot (a minute away), it
    // was never queued, and it made no call.
    expect(settled).toBe(0);
    expect(await metricSum(gw.url, 'isc_gateway_governor_queued_calls')).toBe(2);
    expect(await metricSum(gw.url, 'isc_gateway_governor_refusals_total')).toBe(1);
    expect(gw.tenant.requests).toHaveLength(1);
    await gw.gateway.shutdown(0); // no grace: the two still queued are cut with the server
    gw = undefined;
    await pending;
  });
});

describe('retries', () => {
  it('retries an idempotent GET after a 503 and a dropped connection', async () => {
    // 30 % of calls fail: ten attempts make an operation that fails them all a 1-in-170,000 event
    // (six attempts failed one of fifty operations in a CI run).
    gw = await startFaultGateway({ SAIL_RETRY_BASE_DELAY_MS: '5', SAIL_RETRY_ATTEMPTS: '10', SAIL_BREAKER_ERROR_PERCENT: '100' });
    gw.tenant.setFaults({ rate503: 0.2, dropRate: 0.1, seed: 3 });
    const results = await load(50, 5, () => gw!.gql(LIST));
    expect(results.filter((r) => r.errors)).toEqual([]);
    expect(gw.tenant.requests.length).toBeGreaterThan(50);
  });

  it('never retries a POST on 503, but does on 429', async () => {
    gw = await startFaultGateway({ SAIL_RETRY_BASE_DELAY_MS: '5' });
    const create = 'mutation { createCustomConnector(input: { name: "Retry Probe", className: "x.Y" }) { scriptName } }';
    gw.tenant.setFaults({ rate503: 1 });
    const r = await gw.gql(create);
    expect(r.errors).toEqual([code('UPSTREAM_ERROR')]);
    expect(gw.tenant.requests.filter((c) => c.method === 'POST')).toHaveLength(1);

    gw.reset();
    gw.tenant.setFaults({ rate429: 0.5, retryAfterSeconds: 0.01, seed: 2 });
    const again = await gw.gql(create);
    expect(again.errors).toBeUndefined();
    const posts = gw.tenant.requests.filter((c) => c.method === 'POST');
    expect(posts.every((c, i) => (i < posts.length - 1 ? c.status === 429 : c.status === 200))).toBe(true);
  });

  it('a write whose outcome cannot be known says so and is not retried', async () => {
    gw = await startFaultGateway({ SAIL_RETRY_BASE_DELAY_MS: '5' });
    gw.tenant.setFaults({ dropRate: 1 });
    const r = await gw.gql('mutation { createCustomConnector(input: { name: "Lost Answer", className: "x.Y" }) { scriptName } }');
    expect(r.errors).toEqual([code('UPSTREAM_OUTCOME_UNKNOWN')]);
    expect(gw.tenant.requests).toHaveLength(1);
  });

  it('retries a JSON Patch of replace/test ops, not one with add', async () => {
    gw = await startFaultGateway({ SAIL_RETRY_BASE_DELAY_MS: '5', SAIL_RETRY_ATTEMPTS: '3' });
    const scriptName = (await gw.gql('{ connectors(limit: 1) { items { scriptName } } }')).data!.connectors.items[0].scriptName;
    gw.tenant.setFaults({ rate503: 1 });
    gw.reset();
    await gw.gql('mutation($s: ID!) { updateConnector(scriptName: $s, input: { applicationXml: "<a/>" }) { name } }', { s: scriptName });
    expect(gw.tenant.requests).toHaveLength(3);
    gw.reset();
    await gw.gql('mutation($s: ID!) { updateConnector(scriptName: $s, patch: [{ op: add, path: "/connectorMetadata", value: {} }]) { name } }', {
      s: scriptName,
    });
    expect(gw.tenant.requests).toHaveLength(1);
  });
});

describe('deadlines and the circuit breaker', () => {
  it('answers within the operation deadline when ISC hangs, with an error on the missing field', async () => {
    gw = await startFaultGateway({ SAIL_OPERATION_TIMEOUT_MS: '800', SAIL_UPSTREAM_TIMEOUT_MS: '30000' });
    gw.tenant.setFaults({ hangRate: 1 });
    const started = Date.now();
    const r = await gw.gql('{ connectors(limit: 1) { items { scriptName } } }');
    const elapsed = Date.now() - started;
    report('hung upstream', { deadlineMs: 800, answeredInMs: elapsed });
    // The upstream timeout (30 s) is beyond the client's 20 s abort: only the deadline can answer.
    expect(r.errors).toEqual([code('DEADLINE_EXCEEDED')]);
    expect(r.errors![0].message).toContain(`while waiting for ISC at ${gw.tenant.url}`);
    // One call, still unanswered when the answer came, and no retry after the deadline.
    expect(gw.tenant.requests.map((c) => c.status)).toEqual([undefined]);
    expect(await metricSum(gw.url, 'isc_gateway_upstream_retries_total')).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(750); // at the deadline, not before (load only makes it later)
  });

  it('keeps what it has: fields answered before the deadline stay in the answer', async () => {
    gw = await startFaultGateway({ SAIL_OPERATION_TIMEOUT_MS: '1000' });
    const [a, b] = (await gw.gql('{ connectors(limit: 2) { items { scriptName } } }')).data!.connectors.items;
    gw.tenant.setFaults({ hangRate: 0 });
    // The first read answers; then every later call hangs.
    const r = await gw.gql(`query { a: connector(scriptName: "${a.scriptName}") { name } }`);
    expect(r.errors).toBeUndefined();
    gw.tenant.setFaults({ hangRate: 1 });
    const partial = await gw.gql(`query { c: connectors(limit: 1) { items { scriptName } } b: connector(scriptName: "${b.scriptName}") { name } }`);
    expect(partial.errors?.length).toBe(2);
    expect(partial.errors!.every((e) => e.extensions?.code === 'DEADLINE_EXCEEDED')).toBe(true);
  });

  it('fails fast with UPSTREAM_UNAVAILABLE after repeated failures, and recovers on its own', async () => {
    gw = await startFaultGateway({
      SAIL_BREAKER_VOLUME: '5',
      // Open for 3 s: far longer than the two refused operations below take even on a loaded
      // machine, so the breaker is still open for them (a trial call would reach ISC).
      SAIL_BREAKER_RESET_MS: '3000',
      SAIL_RETRY_ATTEMPTS: '1',
      SAIL_READINESS_INTERVAL_MS: '200',
    });
    gw.tenant.setFaults({ rate500: 1 });
    for (let i = 0; i < 6; i++) await gw.gql(LIST);
    expect(await metricSum(gw.url, 'isc_gateway_circuit_breaker_state', 'state="open"')).toBe(1);
    gw.reset();
    const refusedBefore = await metricSum(gw.url, 'isc_gateway_upstream_requests_total', 'status="EOPENBREAKER"');
    const r = await gw.gql(LIST);
    expect(r.errors).toEqual([code('UPSTREAM_UNAVAILABLE')]);
    // Refused at once: one attempt, refused by the open circuit (nothing sent), no retry, no timeout.
    expect(gw.tenant.requests).toHaveLength(0);
    expect((await metricSum(gw.url, 'isc_gateway_upstream_requests_total', 'status="EOPENBREAKER"')) - refusedBefore).toBe(1);
    expect(await metricSum(gw.url, 'isc_gateway_upstream_retries_total')).toBe(0);
    const ready = await fetch(gw.url.replace('/graphql', '/readyz'));
    expect(ready.status).toBe(503);

    gw.tenant.setFaults({});
    // After SAIL_BREAKER_RESET_MS the breaker lets one trial call through.
    expect(await metricUntil(gw.url, 'isc_gateway_circuit_breaker_state', 'state="half-open"', (v) => v === 1)).toBe(1);
    const recovered = await gw.gql(LIST);
    expect(recovered.errors).toBeUndefined();
    expect((await fetch(gw.url.replace('/graphql', '/readyz'))).status).toBe(200);
  });
});

describe('token lifetime under load', () => {
  it('3 s tokens under continuous load for 20 s: no failed operation, about one token per lifetime', async () => {
    gw = await startFaultGateway();
    gw.tenant.setTokenLifetime(3);
    const until = Date.now() + 20_000;
    let operations = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < until) {
          const r = await gw!.gql(LIST);
          operations++;
          if (r.errors) failed++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
    );
    const figures = {
      operations,
      failed,
      tokenRequests: gw.tenant.tokenRequests.length,
      upstream401: gw.tenant.requests.filter((c) => c.status === 401).length,
    };
    report('3 s tokens for 20 s', figures);
    expect(failed).toBe(0);
    expect(figures.tokenRequests).toBeGreaterThanOrEqual(6);
    expect(figures.tokenRequests).toBeLessThanOrEqual(9);
  }, 40_000);
});
