import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import type { RunningGateway } from '../../src/gateway.js';
import { gatewayAgainst } from '../support/gateway.js';
import { recordingLogger } from '../support/recording-logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';
import { madeUpJwt } from '../support/tokens.js';

/** Two replicas behind one Redis: which pass-through tokens ISC accepted or refused, and the unverified pool, are shared. */
describeWith(REDIS_SERVER, 'pass-through token verdicts shared by replicas (real Redis)', () => {
  const LIST = '{ connectors(limit: 3) { items { name } } }';
  let redis: TestRedis;
  let tenant: DemoTenant;
  const replicas: RunningGateway[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    tenant = await startDemoTenant({ recordRequests: true });
    // One verification call per minute for all replicas together: a second one would wait a minute.
    const env = { SAIL_REDIS_URL: redis.url, SAIL_UNVERIFIED_RATE_LIMIT: '1', SAIL_RATE_WINDOW_MS: '60000', SAIL_OPERATION_TIMEOUT_MS: '3000' };
    for (let i = 0; i < 2; i++) replicas.push(await gatewayAgainst(tenant, env, recordingLogger().logger));
  });
  afterAll(async () => {
    for (const gateway of replicas) await gateway.close();
    await tenant.close();
    await redis.stop();
  });

  async function gql(gateway: RunningGateway, token: string): Promise<{ data?: any; errors?: any[] }> {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: LIST }),
      signal: AbortSignal.timeout(15_000),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  }

  const callsWith = (token: string) => tenant.requests.filter((r) => r.headers.authorization === `Bearer ${token}`).map((r) => r.status);

  it('a token one replica saw accepted needs no verification on the other, and the pool of unverified tokens is one for both', async () => {
    const valid = tenant.issueToken();
    expect((await gql(replicas[0], valid)).errors).toBeUndefined(); // verified: the pool's one slot of the window
    expect((await gql(replicas[1], valid)).errors).toBeUndefined(); // known as verified: charged to its client, no pool slot
    expect(callsWith(valid)).toEqual([200, 200]);
    // The second replica has no pool slot of its own to give a made-up token: no call.
    const junk = madeUpJwt({ client_id: tenant.clientId });
    expect((await gql(replicas[1], junk)).errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(callsWith(junk)).toEqual([]);
  });
});
