import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { bearer, describeCall, gatewayAgainst } from '../support/gateway.js';
import { startFakeUpstream, type FakeHit, type FakeUpstream } from '../support/fake-upstream.js';
import { metricSum } from '../support/metrics.js';
import { recordingLogger, type LogRecord } from '../support/recording-logger.js';

async function gql(url: string, query: string, headers: Record<string, string> = {}): Promise<{ data?: any; errors?: any[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(15_000),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

describe("the default layout: ISC's per-resource paths, on the built-in demo tenant", () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    // No SAIL_API_PATHS: what a fresh clone's `npm start` does.
    gateway = await startGateway(loadConfig({ SAIL_PORT: '0', SAIL_HOST: '127.0.0.1' }), recordingLogger().logger, {
      recordDemoTenantRequests: true,
    });
  });
  afterAll(() => gateway.close());

  it('calls /{collection}/v1/… with identifiers encoded, the experimental header on source apps, and answers', async () => {
    const tenant = gateway.demoTenant!;
    const r = await gql(
      gateway.url,
      '{ connector(scriptName: "a/b") { scriptName } sourceApps(limit: 2) { items { id } } connectorCustomizers(limit: 1) { items { id } } }',
    );
    expect(r.data.sourceApps.items).toHaveLength(2);
    expect(r.data.connectorCustomizers.items).toHaveLength(1);
    expect(r.data.connector).toBeNull(); // no such connector: ISC's 404
    const calls = tenant.requests.map(describeCall).sort((a, b) => a.path.localeCompare(b.path));
    expect(calls).toEqual([
      {
        method: 'GET',
        path: '/connector-customizers/v1',
        query: { limit: '2', offset: '0' },
        headers: { authorization: bearer, accept: 'application/json' },
        body: '',
      },
      { method: 'GET', path: '/connectors/v1/a%2Fb', query: {}, headers: { authorization: bearer, accept: 'application/json' }, body: '' },
      {
        method: 'GET',
        path: '/source-apps/v1',
        query: { limit: '3', offset: '0' }, // one more than asked, to tell whether there are more
        headers: { authorization: bearer, accept: 'application/json', 'x-sailpoint-experimental': 'true' },
        body: '',
      },
    ]);
  });
});

describe('X-Deprecated: true from ISC', () => {
  const API_KEY = 'deprecation-test-key';
  const ask = (gateway: RunningGateway, query: string) => gql(gateway.url, query, { 'x-api-key': API_KEY });
  /** A stand-in for ISC that marks its connector list deprecated (every answer an empty list). */
  const answerMarking = (deprecated: (hit: FakeHit) => boolean) => (_req: http.IncomingMessage, res: http.ServerResponse, hit: FakeHit) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(deprecated(hit) && { 'x-deprecated': 'true' }) }).end('[]');
  };

  async function gatewayOn(upstream: FakeUpstream, env: Record<string, string>): Promise<{ gateway: RunningGateway; records: LogRecord[] }> {
    const { logger, records } = recordingLogger();
    const gateway = await gatewayAgainst(
      { url: upstream.url, clientId: 'deprecation-client', clientSecret: 'deprecation-secret' },
      { SAIL_API_KEYS: API_KEY, ...env },
      logger,
    );
    return { gateway, records };
  }
  const deprecationWarnings = (records: LogRecord[]) => records.filter((r) => r.msg.startsWith('ISC marks a route deprecated'));

  describe('in the v2024 layout', () => {
    let upstream: FakeUpstream;
    let gateway: RunningGateway;
    let records: LogRecord[];
    beforeAll(async () => {
      upstream = await startFakeUpstream(answerMarking((hit) => hit.path === '/v2024/connectors'));
      ({ gateway, records } = await gatewayOn(upstream, { SAIL_API_PATHS: 'v2024' }));
    });
    afterAll(async () => {
      await gateway.close();
      await upstream.close();
    });

    it('one warning per route however often it answers (route, layout, what to do), a metric, and a /readyz entry while still ready', async () => {
      for (let i = 0; i < 2; i++) expect((await ask(gateway, '{ connectors(limit: 1) { items { scriptName } } }')).errors).toBeUndefined();
      expect((await ask(gateway, '{ connectorCustomizers(limit: 1) { items { id } } }')).errors).toBeUndefined();
      expect(upstream.hits.map((h) => h.path)).toEqual(['/v2024/connectors', '/v2024/connectors', '/v2024/connector-customizers']);

      expect(deprecationWarnings(records)).toEqual([
        {
          level: 'warn',
          msg: "ISC marks a route deprecated (X-Deprecated: true): switch to ISC's per-resource paths: unset SAIL_API_PREFIX and set SAIL_API_PATHS=per-resource (docs/production.md)",
          fields: { method: 'GET', route: 'connectors', layout: 'v2024' },
        },
      ]);
      expect(await metricSum(gateway.url, 'isc_gateway_upstream_deprecated_total', 'method="GET",route="connectors",layout="v2024"')).toBe(2);
      expect(await metricSum(gateway.url, 'isc_gateway_upstream_deprecated_total')).toBe(2);

      const readyz = await fetch(gateway.url.replace('/graphql', '/readyz'), { signal: AbortSignal.timeout(10_000) });
      expect(readyz.status).toBe(200);
      const body = (await readyz.json()) as { ready: boolean; checks: Record<string, string> };
      expect(body.ready).toBe(true);
      expect(body.checks.upstream).toBe('ok');
      expect(body.checks.deprecated).toBe(
        "ISC marks a route deprecated (X-Deprecated: true) in the v2024 layout: GET connectors; switch to ISC's per-resource paths: unset SAIL_API_PREFIX and set SAIL_API_PATHS=per-resource (docs/production.md)",
      );
      expect(deprecationWarnings(records)).toHaveLength(1); // the probe's own call was not deprecated
    });
  });

  describe('in the per-resource layout', () => {
    it("names the route and points to SailPoint's changelog; a gateway that saw none lists none in /readyz", async () => {
      const upstream = await startFakeUpstream(answerMarking((hit) => hit.path.startsWith('/oauth-clients/v1')));
      const { gateway, records } = await gatewayOn(upstream, { SAIL_API_PATHS: 'per-resource' });
      try {
        const readyz = async () =>
          (await (await fetch(gateway.url.replace('/graphql', '/readyz'), { signal: AbortSignal.timeout(10_000) })).json()) as any;
        expect((await readyz()).checks).not.toHaveProperty('deprecated');
        expect((await ask(gateway, '{ oauthClients { id } }')).errors).toBeUndefined();
        expect(upstream.hits.map((h) => h.path)).toEqual(['/connector-customizers/v1', '/oauth-clients/v1']);
        expect(deprecationWarnings(records).map((r) => [r.msg, r.fields])).toEqual([
          [
            "ISC marks a route deprecated (X-Deprecated: true): see SailPoint's API changelog for the route's successor, and report it to the gateway's maintainers",
            { method: 'GET', route: 'oauth-clients', layout: 'per-resource' },
          ],
        ]);
        expect((await readyz()).checks.deprecated).toMatch(
          /^ISC marks a route deprecated \(X-Deprecated: true\) in the per-resource layout: GET oauth-clients; /,
        );
      } finally {
        await gateway.close();
        await upstream.close();
      }
    });
  });
});
