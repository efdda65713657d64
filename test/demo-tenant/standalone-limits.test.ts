import { afterAll, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant, type DemoTenantStats } from '../../src/demo-tenant/server.js';
import { bannerLines, DemoTenantConfigError, loadStandaloneConfig, tenantOptions } from '../../src/demo-tenant/standalone.js';
import { spawnDemoTenant, type DemoTenantProcess } from '../support/demo-tenant-process.js';
import { perResource } from '../support/demo-tenant-api.js';

/**
 * `npm run demo-tenant` reads ISC's limits from its settings: SAIL_DEMO_TENANT_RATE_LIMIT and
 * _RATE_WINDOW_MS (as before), SAIL_DEMO_TENANT_ROUTE_LIMITS and SAIL_DEMO_TENANT_BACKOFF. The
 * tenant started from those settings runs in this process on a clock the test moves, and its
 * `/__demo/stats` is read over HTTP as an operator would.
 */

const LIMITED = {
  SAIL_DEMO_TENANT_RATE_LIMIT: '2',
  SAIL_DEMO_TENANT_RATE_WINDOW_MS: '1000',
  SAIL_DEMO_TENANT_ROUTE_LIMITS: ' get /connectors = 1, POST /oauth-clients=5,',
  SAIL_DEMO_TENANT_BACKOFF: 'on',
};

describe('the standalone demo tenant’s limit settings', () => {
  it('reads the limit, the window, the route limits and the backoff', () => {
    expect(loadStandaloneConfig(LIMITED).rateLimit).toEqual({
      limit: 2,
      windowMs: 1_000,
      routeLimits: { 'GET /connectors': 1, 'POST /oauth-clients': 5 },
      backoff: true,
    });
    expect(loadStandaloneConfig({ SAIL_DEMO_TENANT_ROUTE_LIMITS: 'GET /connectors=3' }).rateLimit).toEqual({
      windowMs: 10_000,
      routeLimits: { 'GET /connectors': 3 },
    });
    expect(loadStandaloneConfig({}).rateLimit).toBeUndefined();
  });

  it.each([
    [{ SAIL_DEMO_TENANT_ROUTE_LIMITS: 'GET /connectors' }, 'SAIL_DEMO_TENANT_ROUTE_LIMITS: "GET /connectors" is not METHOD /route/template=LIMIT'],
    [{ SAIL_DEMO_TENANT_ROUTE_LIMITS: 'GET /connectors=0' }, 'with a LIMIT of at least 1'],
    [{ SAIL_DEMO_TENANT_ROUTE_LIMITS: '/connectors=5' }, '"/connectors=5" is not METHOD /route/template=LIMIT'],
    [{ SAIL_DEMO_TENANT_BACKOFF: 'yes', SAIL_DEMO_TENANT_RATE_LIMIT: '5' }, 'SAIL_DEMO_TENANT_BACKOFF must be on or off (got "yes")'],
    [{ SAIL_DEMO_TENANT_BACKOFF: 'on' }, 'SAIL_DEMO_TENANT_BACKOFF=on needs a limit to exceed'],
  ])('refuses %j', (env, message) => {
    expect(() => loadStandaloneConfig(env)).toThrow(DemoTenantConfigError);
    expect(() => loadStandaloneConfig(env)).toThrow(message);
  });

  it('says in its banner what it limits and how the backoff locks out', () => {
    const tenant = { url: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', login: { clientId: 'l', clientSecret: 's', authorizeUrl: 'u' } };
    const line = (env: Record<string, string>) =>
      bannerLines(tenant, loadStandaloneConfig(env), { apiKey: 'k' }).find((l) => l.startsWith('# token lifetime'));
    expect(line(LIMITED)).toContain(
      'rate limit 2 API calls per 1000 ms per OAuth client (429 + Retry-After beyond); GET /connectors 1 per window per client; POST /oauth-clients 5 per window per client; backoff on: 3 violated intervals within 12000 ms lock the client out of the route for 6, 30, 60, 120 s',
    );
    expect(line({ SAIL_DEMO_TENANT_RATE_LIMIT: '100' })).toContain(
      'rate limit 100 API calls per 10000 ms per OAuth client (429 + Retry-After beyond); backoff off (SAIL_DEMO_TENANT_BACKOFF)',
    );
    expect(line({})).toContain('rate limit off');
  });

  it('enforces them: route limit, backoff, and /__demo/stats counting both', async () => {
    const W = 1_000;
    let now = 1_000_000_000_000;
    const demo: DemoTenant = await startDemoTenant({ ...tenantOptions(loadStandaloneConfig(LIMITED)), clock: () => now });
    try {
      const authorization = `Bearer ${demo.issueToken()}`;
      const status = async (path: string) => {
        const response = await fetch(`${demo.url}${perResource(path)}`, { headers: { authorization }, signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        return `${response.status} ${response.headers.get('retry-after') ?? '-'}`;
      };
      const statuses: string[] = [];
      for (const i of [0, 1, 2]) {
        now += i === 0 ? 0 : W;
        statuses.push(await status('/connectors'), await status('/connectors'));
      }
      statuses.push(await status('/connector-customizers'), await status('/connector-customizers'), await status('/connector-customizers'));
      expect(statuses).toEqual(['200 -', '429 1', '200 -', '429 1', '200 -', '429 6', '200 -', '429 1', '429 1']);
      const stats = (await (await fetch(`${demo.url}/__demo/stats`, { signal: AbortSignal.timeout(5_000) })).json()) as DemoTenantStats;
      expect(stats).toMatchObject({
        rateLimit: { limit: 2, windowMs: W, routeLimits: { 'GET /connectors': 1, 'POST /oauth-clients': 5 }, backoff: true },
        backoffsEntered: 1,
        backoffsEnteredByClient: { [demo.clientId]: 1 },
        api429ByClient: { [demo.clientId]: 5 },
        apiByRoute: { 'GET /connectors': { '200': 3, '429': 3 }, 'GET /connector-customizers': { '200': 1, '429': 2 } },
      });
    } finally {
      await demo.close();
    }
  });
});

describe('npm run demo-tenant with limit settings', () => {
  let started: DemoTenantProcess | undefined;
  afterAll(() => started?.kill());

  it('serves them in /__demo/stats, and refuses a route it lacks as it starts (exit code 1)', async () => {
    started = await spawnDemoTenant(LIMITED);
    expect((await started.stats()).rateLimit).toEqual({
      limit: 2,
      windowMs: 1_000,
      routeLimits: { 'GET /connectors': 1, 'POST /oauth-clients': 5 },
      backoff: true,
    });
    expect(await started.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    await expect(spawnDemoTenant({ SAIL_DEMO_TENANT_ROUTE_LIMITS: 'GET /connector=1' })).rejects.toThrow(
      /exited \(1\)[\s\S]*failed to start: No such route to limit \(SAIL_DEMO_TENANT_ROUTE_LIMITS\): GET \/connector; the routes are GET \/connectors/,
    );
  }, 40_000);
});
