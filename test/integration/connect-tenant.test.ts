import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import type { RunningGateway } from '../../src/gateway.js';
import { postGraphQL, spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { gatewayAgainst, startTestGateway } from '../support/gateway.js';
import { PACKAGE_VERSION } from '../support/package.js';
import { recordingLogger, type LogRecord } from '../support/recording-logger.js';

/**
 * Connecting a real tenant tells the truth: a gateway that can serve nobody says so at start, the
 * 401 names the header to send, and an unreachable or silent ISC is reported with its origin
 * (never a path or secret) and a pointer to SAIL_BASE_URL, a silent token endpoint within its own
 * shorter timeout.
 */
const KEY = 'connect-test-key';
const SECRET = 'a-client-secret-that-must-not-leak';
const QUERY = '{ connectorCustomizers(limit: 1) { items { id } } }';

async function gql(gateway: RunningGateway, headers: Record<string, string> = { 'x-api-key': KEY }) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: QUERY }),
    signal: AbortSignal.timeout(25_000),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] },
  };
}

const apiKeyWarnings = (records: LogRecord[]) => records.filter((r) => r.level === 'warn' && r.msg.includes('SAIL_API_KEYS'));

describe('startup with client credentials and no API key', () => {
  let tenant: DemoTenant;
  beforeAll(async () => {
    tenant = await startDemoTenant({ recordRequests: true });
  });
  afterAll(() => tenant.close());

  it('warns once, naming SAIL_API_KEYS and the X-Api-Key header; a caller without a key gets a 401 that names the header, with no ISC call', async () => {
    const { logger, records } = recordingLogger();
    const gateway = await gatewayAgainst(tenant, {}, logger);
    try {
      expect(apiKeyWarnings(records).map((r) => r.msg)).toEqual([
        "No SAIL_API_KEYS (formerly GATEWAY_API_KEYS) set: every request for the gateway's own ISC credentials is refused with 401. " +
          'Set SAIL_API_KEYS and have callers send a key in the X-Api-Key header. Callers that send their own ISC bearer token in the Authorization header are still served.',
      ]);
      tenant.clearRequests();
      const refused = await gql(gateway, {});
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]).toMatchObject({
        message: 'A valid gateway API key (X-Api-Key header) or an ISC bearer token (Authorization header) is required',
        extensions: { code: 'UNAUTHENTICATED' },
      });
      expect(tenant.requests).toEqual([]);
    } finally {
      await gateway.close();
    }
  });

  it('says nothing when a key is configured, in passthrough mode, or on the loopback demo tenant', async () => {
    for (const env of [{ SAIL_API_KEYS: KEY }, { SAIL_AUTH_MODE: 'passthrough' }] as Record<string, string>[]) {
      const { logger, records } = recordingLogger();
      const gateway = await gatewayAgainst(tenant, env, logger);
      await gateway.close();
      expect({ env, warnings: apiKeyWarnings(records) }).toEqual({ env, warnings: [] });
    }
    const { logger, records } = recordingLogger();
    const demo = await startTestGateway({}, { logger });
    await demo.close();
    expect(apiKeyWarnings(records)).toEqual([]);
  });

  it('in client-credentials mode, the 401 asks for the key only (a bearer would not be used)', async () => {
    const gateway = await gatewayAgainst(tenant, { SAIL_API_KEYS: KEY, SAIL_AUTH_MODE: 'client-credentials' });
    try {
      const refused = await gql(gateway, { authorization: 'Bearer some-user-token' });
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0].message).toBe('A valid gateway API key is required (X-Api-Key header)');
    } finally {
      await gateway.close();
    }
  });
});

describe('an ISC that cannot be reached or does not answer', () => {
  const opened: { close(): Promise<void> | void }[] = [];
  afterAll(async () => {
    for (const thing of opened.reverse()) await thing.close();
  });

  async function against(upstreamUrl: string, env: Record<string, string> = {}): Promise<RunningGateway> {
    const gateway = await gatewayAgainst(
      { url: upstreamUrl, clientId: 'connect-test-client', clientSecret: SECRET },
      { SAIL_API_KEYS: KEY, SAIL_RETRY_BASE_DELAY_MS: '10', ...env },
      recordingLogger().logger,
    );
    opened.push(gateway);
    return gateway;
  }

  function expectNamesOriginOnly(error: { message: string; extensions: Record<string, unknown> } | undefined, origin: string): void {
    expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', origin });
    expect(error?.message).toContain(origin);
    expect(error?.message).toContain('check SAIL_BASE_URL');
    expect([error?.message.includes('/oauth/token'), error?.message.includes('/connector-customizers'), error?.message.includes(SECRET)]).toEqual([
      false,
      false,
      false,
    ]);
  }

  it('a token endpoint that accepts connections but never answers: reported within SAIL_TOKEN_TIMEOUT_MS, not the API timeout', async () => {
    const silent: FakeUpstream = await startFakeUpstream(() => undefined, { token: () => undefined });
    opened.push(silent);
    const gateway = await against(silent.url, {
      SAIL_TOKEN_TIMEOUT_MS: '500',
      SAIL_UPSTREAM_TIMEOUT_MS: '60000',
      SAIL_OPERATION_TIMEOUT_MS: '60000',
    });
    const started = Date.now();
    const { body } = await gql(gateway);
    const elapsedMs = Date.now() - started;
    console.log(`[figures] silent token endpoint: answered after ${elapsedMs} ms with SAIL_TOKEN_TIMEOUT_MS=500 (API timeout 60000)`);
    expectNamesOriginOnly(body.errors?.[0], silent.url);
    expect(body.errors?.[0].message).toBe(
      `ISC token endpoint at ${silent.url} did not answer within 500 ms (SAIL_TOKEN_TIMEOUT_MS): check SAIL_BASE_URL and the network path to it`,
    );
    // The message names the timer that fired: the token request's own 500 ms, not the 60 s API
    // timeout (which would outlast the client's 25 s abort and fail the request above). One token
    // request: the timeout was not retried.
    expect(silent.tokenHits).toHaveLength(1);
    expect(silent.hits).toEqual([]);
  }, 30_000);

  it('a host that refuses connections: the token error names the origin', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(closed.address() as net.AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gateway = await against(origin);
    const { body } = await gql(gateway);
    expectNamesOriginOnly(body.errors?.[0], origin);
    expect(body.errors?.[0].message).toBe(
      `ISC token endpoint at ${origin} could not be reached (ECONNREFUSED): check SAIL_BASE_URL and the network path to it`,
    );
  });

  it('an API that drops every connection: the error names the origin after the retries', async () => {
    const dropping = await startFakeUpstream((_req, res) => void res.destroy());
    opened.push(dropping);
    const gateway = await against(dropping.url);
    const { body } = await gql(gateway);
    expectNamesOriginOnly(body.errors?.[0], dropping.url);
    expect(body.errors?.[0].message).toBe(`ISC at ${dropping.url} could not be reached (ECONNRESET): check SAIL_BASE_URL and the network path to it`);
    expect(dropping.hits.map((h) => h.path)).toEqual(Array(3).fill('/connector-customizers/v1'));
  });

  it('an API that accepts connections but never answers: the deadline error names the origin and SAIL_BASE_URL', async () => {
    const silent = await startFakeUpstream(() => undefined);
    opened.push(silent);
    // The defaults' proportions (an ISC call may take half the operation's time), scaled down.
    const gateway = await against(silent.url, { SAIL_UPSTREAM_TIMEOUT_MS: '1000', SAIL_OPERATION_TIMEOUT_MS: '1500' });
    const { body } = await gql(gateway);
    const error = body.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'DEADLINE_EXCEEDED', origin: silent.url });
    expect(error?.message).toBe(
      `The operation's deadline passed while waiting for ISC at ${silent.url}; this field was not loaded. If ISC never answers, check SAIL_BASE_URL and the network path to it`,
    );
    expect(silent.hits.length).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("a credential without the readiness probe's right: /readyz is still ready (a token was issued and ISC answered), and says so", async () => {
    const forbidding = await startFakeUpstream((_req, res) => {
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ detailCode: '403 Forbidden', trackingId: 't-403', messages: [] }));
    });
    opened.push(forbidding);
    const gateway = await against(forbidding.url);
    const response = await fetch(gateway.url.replace('/graphql', '/readyz'), { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ready: true,
      checks: { token: 'ok', upstream: 'ok (ISC answered 403 to GET /connector-customizers: the credential lacks that right)' },
      version: PACKAGE_VERSION,
    });
    expect(forbidding.hits.map((h) => `${h.path}${h.search}`)).toEqual(['/connector-customizers/v1?limit=1']);
  });
});

describe('a host that answers but is not ISC', () => {
  const opened: { close(): Promise<void> | void }[] = [];
  afterAll(async () => {
    for (const thing of opened.reverse()) await thing.close();
  });

  it.each([501, 404, 405])(
    'a token endpoint answering %i: the error names the origin and says SAIL_BASE_URL must be the API host',
    async (status) => {
      const notIsc = await startFakeUpstream(() => undefined, { token: (_req, res) => void res.writeHead(status).end('<html>sign in</html>') });
      opened.push(notIsc);
      const gateway = await gatewayAgainst(
        { url: notIsc.url, clientId: 'c', clientSecret: SECRET },
        { SAIL_API_KEYS: KEY },
        recordingLogger().logger,
      );
      opened.push(gateway);
      const { body } = await gql(gateway);
      expect(body.errors?.[0]).toMatchObject({
        message: `ISC token endpoint at ${notIsc.url} answered ${status}: is this ISC? check SAIL_BASE_URL: it must be the tenant's API host, https://{tenant}.api.identitynow.com`,
        extensions: { code: 'UPSTREAM_ERROR', httpStatus: status, origin: notIsc.url },
      });
      expect(notIsc.hits).toEqual([]);
    },
  );

  it('a 200 that is not a token (an HTML page): named likewise', async () => {
    const notIsc = await startFakeUpstream(() => undefined, { token: (_req, res) => void res.writeHead(200).end('<html>welcome</html>') });
    opened.push(notIsc);
    const gateway = await gatewayAgainst({ url: notIsc.url, clientId: 'c', clientSecret: SECRET }, { SAIL_API_KEYS: KEY }, recordingLogger().logger);
    opened.push(gateway);
    const { body } = await gql(gateway);
    expect(body.errors?.[0].message).toBe(
      `ISC token endpoint at ${notIsc.url} answered without access_token/expires_in: is this ISC? check SAIL_BASE_URL: it must be the tenant's API host, https://{tenant}.api.identitynow.com`,
    );
  });

  it('refused credentials name the token endpoint and SAIL_BASE_URL too', async () => {
    const tenant = await startDemoTenant();
    opened.push(tenant);
    const gateway = await gatewayAgainst({ ...tenant, clientSecret: 'not-the-secret' }, { SAIL_API_KEYS: KEY }, recordingLogger().logger);
    opened.push(gateway);
    const { body } = await gql(gateway);
    expect(body.errors?.[0]).toMatchObject({
      message: `ISC refused the gateway client credentials (check SAIL_CLIENT_ID and SAIL_CLIENT_SECRET; token endpoint ${tenant.url}, from SAIL_BASE_URL)`,
      extensions: { code: 'UNAUTHENTICATED', httpStatus: 401, origin: tenant.url },
    });
  });
});

describe('npm start checks the credentials once', () => {
  const opened: { close(): Promise<void> | void }[] = [];
  let child: ChildGateway | undefined;
  afterAll(async () => {
    child?.kill();
    for (const thing of opened.reverse()) await thing.close();
  });
  const readyz = (c: ChildGateway) => fetch(c.url.replace('/graphql', '/readyz'), { signal: AbortSignal.timeout(10_000) });
  const isCheck = (r: Record<string, unknown>) => String(r.msg).startsWith('Credentials checked at start');

  it('good credentials: one token request, logged after the ready line, and that token serves the first request', async () => {
    const tenant = await startDemoTenant({ recordRequests: true });
    opened.push(tenant);
    child = await spawnGateway({
      SAIL_BASE_URL: tenant.url,
      SAIL_CLIENT_ID: tenant.clientId,
      SAIL_CLIENT_SECRET: tenant.clientSecret,
      SAIL_API_KEYS: KEY,
    });
    const check = await child.record(isCheck);
    expect(check).toMatchObject({ level: 'info', msg: 'Credentials checked at start: ISC issued a token for SAIL_CLIENT_ID and SAIL_CLIENT_SECRET' });
    const order = child.records().map((r) => r.msg);
    expect(order.indexOf('ISC GraphQL gateway ready')).toBeLessThan(order.indexOf(check.msg));
    const r = await postGraphQL(child.url, QUERY, undefined, { 'x-api-key': KEY });
    expect(r.errors).toBeUndefined();
    expect(tenant.tokenRequests).toHaveLength(1);
    child.kill();
  });

  it('wrong credentials: one warning that says why, one token request, and /readyz makes no other', async () => {
    const tenant = await startDemoTenant({ recordRequests: true });
    opened.push(tenant);
    child = await spawnGateway({ SAIL_BASE_URL: tenant.url, SAIL_CLIENT_ID: tenant.clientId, SAIL_CLIENT_SECRET: 'wrong', SAIL_API_KEYS: KEY });
    const check = await child.record(isCheck);
    expect(check).toMatchObject({
      level: 'warn',
      msg: `Credentials checked at start: ISC issued no token (ISC refused the gateway client credentials (check SAIL_CLIENT_ID and SAIL_CLIENT_SECRET; token endpoint ${tenant.url}, from SAIL_BASE_URL))`,
    });
    expect((await readyz(child)).status).toBe(503);
    expect(tenant.tokenRequests).toHaveLength(1);
    child.kill();
  });

  it('a token endpoint that never answers delays neither the ready line nor /readyz, and is asked once', async () => {
    const silent = await startFakeUpstream(() => undefined, { token: () => undefined });
    opened.push(silent);
    child = await spawnGateway({
      SAIL_BASE_URL: silent.url,
      SAIL_CLIENT_ID: 'c',
      SAIL_CLIENT_SECRET: SECRET,
      SAIL_API_KEYS: KEY,
      SAIL_TOKEN_TIMEOUT_MS: '60000',
      SAIL_READINESS_TIMEOUT_MS: '300',
    });
    const ready = await readyz(child);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, checks: { upstream: 'no answer within 300 ms (SAIL_READINESS_TIMEOUT_MS)' } });
    expect(silent.tokenHits).toHaveLength(1);
    expect(child.records().some(isCheck)).toBe(false); // still waiting for ISC, and nobody waited for it
    child.kill();
  });

  it('pass-through mode has no credentials to check, and asks for no token', async () => {
    const tenant = await startDemoTenant({ recordRequests: true });
    opened.push(tenant);
    child = await spawnGateway({ SAIL_BASE_URL: tenant.url, SAIL_AUTH_MODE: 'passthrough' });
    const line = await child.record((r) => String(r.msg).startsWith('Pass-through mode'));
    expect(line.level).toBe('info');
    expect(tenant.tokenRequests).toEqual([]);
    child.kill();
  });
});
