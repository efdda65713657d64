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
const TOKEN_LIFETIME_S = 1;
/** Two calls per 1.5 s: the eighth distinct call waits about 4.5 s, several token lifetimes. */
const GATEWAY_LIMIT = { SAIL_RATE_LIMIT: '2', SAIL_RATE_WINDOW_MS: '1500', SAIL_RATE_LIMIT_WAIT_MS: '60000', SAIL_OPERATION_TIMEOUT_MS: '60000' };
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

  it('is never sent: every queued call carries a live token and ISC answers no 401', async () => {
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
    const api = tenant.requests.filter((r) => !r.path.startsWith('/oauth'));
    expect(api.map((r) => r.status)).toEqual(Array.from({ length: OPERATIONS }, () => 200));
    expect(tenant.stats().apiByStatus).toEqual({ '200': OPERATIONS });
  });
});
