import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningGateway } from '../../src/gateway.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { gatewayAgainst } from '../support/gateway.js';

/**
 * `SAIL_API_PREFIX=/`: the year-versioned paths served at the host's root, as by Prism on
 * SailPoint's v2024 specification or a proxy that adds the prefix itself.
 */
describe('SAIL_API_PATHS=v2024 with SAIL_API_PREFIX=/', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  const rawUrls: string[] = [];
  beforeAll(async () => {
    upstream = await startFakeUpstream((req, res) => {
      rawUrls.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    gateway = await gatewayAgainst(
      { url: upstream.url, clientId: 'root-prefix-client', clientSecret: 'root-prefix-secret' },
      { SAIL_API_PATHS: 'v2024', SAIL_API_PREFIX: '/', SAIL_API_KEYS: 'root-prefix-key' },
    );
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('calls /connectors, with no empty segment before it', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'root-prefix-key' },
      body: JSON.stringify({ query: '{ connectors(limit: 1) { items { scriptName } } }' }),
      signal: AbortSignal.timeout(15_000),
    });
    expect(((await response.json()) as { data: unknown }).data).toEqual({ connectors: { items: [] } });
    expect(rawUrls).toEqual(['/connectors?limit=2&offset=0']);
  });
});
