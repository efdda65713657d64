import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import type { RunningGateway } from '../../src/gateway.js';
import { gatewayAgainst } from '../support/gateway.js';

/**
 * A call may wait for a rate slot longer than the token it started with lives. The bearer is read
 * after the wait, so a token that expired in the queue is never sent: no 401, no renewal, no
 * second slot. (Before, the token was taken before the wait; with ISC's 749 s tokens that took a
 * long queue, and it made a replicas test under load answer UNAUTHENTICATED.)
 */
const TOKEN_LIFETIME_S = 4;
/** One call per 2 s: the eighth distinct call waits about 14 s, three and a half token lifetimes. */
const GATEWAY_LIMIT = { SAIL_RATE_LIMIT: '1', SAIL_RATE_WINDOW_MS: '2000', SAIL_RATE_LIMIT_WAIT_MS: '60000', SAIL_OPERATION_TIMEOUT_MS: '60000' };
const OPERATIONS = 8;
const KEY = 'token-in-queue-test-key';

describe('a token that expires while its call waits for a rate slot', () => {
  let tenant: DemoTenant;
  let gateway: RunningGateway;
  beforeAll(async () => {
    tenant = await startDemoTenant({ recordRequests: true, tokenLifetimeSeconds: TOKEN_LIFETIME_S });
    gateway = await gatewayAgainst(tenant, { SAIL_COALESCE: 'off', SAIL_API_KEYS: KEY, ...GATEWAY_LIMIT });
  });
  afterAll(async () => {
    await gateway?.close();
    await tenant?.close();
  });

  it('is not sent: every queued call carries the token current after its wait, and each operation gets its one accepted call', async () => {
    // Distinct GETs (limit n asks ISC for n + 1), so nothing is shared and each takes a slot of its own.
    const answers = await Promise.all(
      Array.from({ length: OPERATIONS }, (_, i) =>
        fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEY },
          body: JSON.stringify({ query: `{ connectors(limit: ${i + 1}) { items { scriptName } } }` }),
          signal: AbortSignal.timeout(60_000),
        }).then((r) => r.json() as Promise<{ data?: { connectors: { items: unknown[] } }; errors?: unknown[] }>),
      ),
    );
    expect(answers.map((a) => [a.errors, a.data?.connectors.items.length])).toEqual(Array.from({ length: OPERATIONS }, (_, i) => [undefined, i + 1]));
    // Each operation's call was accepted once. Sent with the token it started with, the calls
    // after the first lifetime (five of them) would each cost a 401 and a renewal; a token read
    // after the wait can only expire on its way in the last 400 ms of its life, while the next one
    // is being fetched — on a loaded machine, at most once in this run.
    const { apiByStatus } = tenant.stats();
    expect(apiByStatus['200']).toBe(OPERATIONS);
    expect(apiByStatus['401'] ?? 0).toBeLessThanOrEqual(1);
    expect(Object.keys(apiByStatus).filter((status) => status !== '200' && status !== '401')).toEqual([]);
  });
});
