import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log/logger.js';
import { postGraphQL } from '../support/child-gateway.js';
import { startConnectProxy, type TestProxy } from '../support/connect-proxy.js';
import { captureText } from '../support/output.js';

/**
 * Log scan: a realistic session through the real gateway — token fetch, pass-through bearers, API
 * keys, a 401 and token refresh, failed upstream calls, an OAuth client created (its secret is in
 * the create answer), refused requests, a wrong client secret, an outbound proxy with a password —
 * with the logger at debug level while everything written to stdout, stderr and the console is
 * captured. None of the secrets and tokens of the session may appear in that output, nor in any
 * error message the gateway answered.
 */
const hex = () => randomBytes(12).toString('hex');
const CLIENT_ID = 'scan-client';
const CLIENT_SECRET = `scan-client-secret-${hex()}`;
const WRONG_SECRET = `scan-wrong-secret-${hex()}`;
const API_KEY = `scan-api-key-${hex()}`;
const PROXY_USER = 'scan-proxy-user';
const PROXY_PASS = `scan-proxy-pass-${hex()}`;

const LIST = '{ connectors(limit: 2) { items { scriptName } } }';
const CREATE = `mutation($i: CreateOAuthClientInput!) { createOAuthClient(input: $i) { id secret name } }`;

type Answer = Awaited<ReturnType<typeof postGraphQL>>;

/** Everything the gateway's logger writes (its stdout and stderr) and the console prints during the session. */
const captured = captureText();
const answers: Answer[] = [];
let tenant: DemoTenant;
let proxy: TestProxy;
let gateway: RunningGateway;
let createdSecret = '';
const passTokens: string[] = [];

/** The gateway's logger, at debug level, writing into `captured`; console output is collected too. */
const logger = createLogger({ level: 'debug', output: captured.streams });

async function session(): Promise<void> {
  const gql = async (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => {
    const answer = await postGraphQL(gateway.url, query, variables, headers);
    answers.push(answer);
    return answer;
  };
  const withKey = { 'x-api-key': API_KEY };

  // Token fetch (through the proxy, with its password) and API-key traffic.
  expect((await gql(LIST, undefined, withKey)).errors).toBeUndefined();
  // A caller's own bearer, passed through.
  passTokens.push(tenant.issueToken());
  expect((await gql(LIST, undefined, { authorization: `Bearer ${passTokens[0]}` })).errors).toBeUndefined();
  // Every token expires: the caller's bearer is refused by ISC (401), the gateway refreshes its own.
  passTokens.push(tenant.issueToken());
  tenant.expireAllTokens();
  expect((await gql(LIST, undefined, { authorization: `Bearer ${passTokens[1]}` })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect((await gql(LIST, undefined, withKey)).errors).toBeUndefined();
  // Failed upstream calls: a 500 (not retried) and 503s (retried, then given up).
  tenant.setFaults({ rate500: 1 });
  expect((await gql(LIST, undefined, withKey)).errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
  tenant.setFaults({ rate503: 1 });
  passTokens.push(tenant.issueToken());
  expect((await gql(LIST, undefined, { authorization: `Bearer ${passTokens[2]}` })).errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
  tenant.setFaults({});
  // An OAuth client created: its one-time secret is in this answer only.
  const created = await gql(
    CREATE,
    {
      i: {
        name: 'Log Scan Client',
        description: 'log scan',
        accessTokenValiditySeconds: 900,
        grantTypes: ['CLIENT_CREDENTIALS'],
        accessType: 'ONLINE',
        enabled: true,
      },
    },
    withKey,
  );
  expect(created.errors).toBeUndefined();
  const client = (created.data as { createOAuthClient: { id: string; secret: string } }).createOAuthClient;
  createdSecret = client.secret;
  expect(createdSecret).toMatch(/^[0-9a-f]{64}$/);
  expect((await gql('query($id: ID!) { oauthClient(id: $id) { id name } }', { id: client.id }, withKey)).errors).toBeUndefined();
  expect((await gql('mutation($id: ID!) { deleteOAuthClient(id: $id) }', { id: client.id }, withKey)).errors).toBeUndefined();
  // Refused and invalid requests, with credentials in odd places.
  expect((await gql(LIST, undefined, { 'x-api-key': `${API_KEY}-wrong` })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect((await gql('{ nope }', undefined, withKey)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  const odd = await gql('query($id: ID!) { oauthClient(id: $id) { id } }', { id: `${CLIENT_SECRET}` }, withKey);
  expect(odd.errors ?? odd.data).toBeTruthy();
  const readyz = await fetch(gateway.url.replace(/\/graphql$/, '/readyz'), { signal: AbortSignal.timeout(10_000) });
  expect(readyz.status).toBe(200);
  await readyz.text();

  // A second gateway with a wrong client secret: the token request is refused.
  const wrong = await startGateway(
    loadConfig({
      SAIL_PORT: '0',
      SAIL_HOST: '127.0.0.1',
      SAIL_BASE_URL: tenant.url,
      SAIL_CLIENT_ID: CLIENT_ID,
      SAIL_CLIENT_SECRET: WRONG_SECRET,
      SAIL_API_KEYS: API_KEY,
    }),
    logger,
  );
  try {
    const refused = await postGraphQL(wrong.url, LIST, undefined, withKey);
    answers.push(refused);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  } finally {
    await wrong.close();
  }
}

beforeAll(async () => {
  tenant = await startDemoTenant({ recordRequests: true, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  proxy = await startConnectProxy();
  // Console output is collected only: at debug level the session would flood the test output.
  captured.spyOnConsole();
  try {
    gateway = await startGateway(
      loadConfig({
        SAIL_PORT: '0',
        SAIL_HOST: '127.0.0.1',
        SAIL_RATE_LIMIT: '100000',
        SAIL_RATE_WINDOW_MS: '1000',
        SAIL_RETRY_ATTEMPTS: '2',
        SAIL_RETRY_BASE_DELAY_MS: '5',
        SAIL_BREAKER_VOLUME: '1000',
        SAIL_BASE_URL: tenant.url,
        SAIL_CLIENT_ID: CLIENT_ID,
        SAIL_CLIENT_SECRET: CLIENT_SECRET,
        SAIL_API_KEYS: `${API_KEY},second-key-${hex()}`,
        HTTP_PROXY: `http://${PROXY_USER}:${PROXY_PASS}@127.0.0.1:${proxy.port}`,
      }),
      logger,
    );
    await session();
    // Careless code: a log call handed headers, a form body, an answer and an error carrying them.
    const token = passTokens[0];
    logger.error('careless log line', {
      headers: { authorization: `Bearer ${token}`, 'x-api-key': API_KEY, cookie: `session=${token}` },
      body: `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`,
      answer: { id: 'x', secret: createdSecret },
      note: `retrying with ${token} via http://${PROXY_USER}:${PROXY_PASS}@proxy`,
      error: new Error(`call failed for key ${API_KEY}`),
    });
  } finally {
    jest.restoreAllMocks();
  }
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await proxy?.close();
  await tenant?.close();
});

describe('log scan', () => {
  /** Every secret of the session, in the forms it could leak in. */
  function secrets(): Map<string, string> {
    const tokens = new Set(passTokens);
    for (const request of tenant.requests) {
      const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
      if (match) tokens.add(match[1]);
    }
    const found = new Map<string, string>([
      ['client secret', CLIENT_SECRET],
      ['wrong client secret', WRONG_SECRET],
      ['API key', API_KEY],
      ['proxy password', PROXY_PASS],
      ['proxy credentials (Basic)', Buffer.from(`${PROXY_USER}:${PROXY_PASS}`).toString('base64')],
      ['client credentials (Basic)', Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')],
      ['created OAuth client secret', createdSecret],
    ]);
    let i = 0;
    for (const token of tokens) {
      found.set(`access token ${++i}`, token);
      found.set(`access token ${i} (signature)`, token.split('.')[2]);
    }
    return found;
  }

  it('the session produced the log lines a scan must look at (the capture works)', () => {
    const lines = captured.records();
    expect(lines.find((l) => l.msg === 'ISC calls go through an outbound proxy')).toMatchObject({ proxy: `http://127.0.0.1:${proxy.port}` });
    expect(lines.filter((l) => l.msg === 'ISC token issued').length).toBeGreaterThanOrEqual(2); // the first and the refreshed one
    expect(lines.find((l) => l.msg === 'ISC call failed' && l.httpStatus === 500)).toMatchObject({
      level: 'warn',
      method: 'GET',
      route: 'connectors',
      code: 'UPSTREAM_ERROR',
      trackingId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(lines.find((l) => l.msg === 'ISC call failed' && l.httpStatus === 503)).toMatchObject({ credential: 'bearer' });
    expect(lines.find((l) => l.msg === 'ISC token request failed')).toMatchObject({ code: 'UNAUTHENTICATED', httpStatus: 401 });
    expect(lines.find((l) => l.msg === 'careless log line')).toMatchObject({
      headers: { authorization: '[REDACTED]', 'x-api-key': '[REDACTED]', cookie: '[REDACTED]' },
      answer: { id: 'x', secret: '[REDACTED]' },
    });
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1); // the proxy with a password was in use
    expect(proxy.proxyAuthorizations.length).toBeGreaterThanOrEqual(1);
  });

  it('finds no token or secret in anything written to stdout, stderr or the console', () => {
    const text = captured.chunks.join('');
    const all = secrets();
    expect(all.size).toBeGreaterThanOrEqual(7 + 2 * 4); // at least 4 distinct access tokens
    const leaks = [...all].filter(([, value]) => value && text.includes(value)).map(([name]) => name);
    process.stdout.write(
      `[figures] log scan: ${JSON.stringify({ lines: captured.records().length, bytes: text.length, secretsChecked: all.size, gatewayAnswers: answers.length, leaks: leaks.length })}\n`,
    );
    expect(leaks).toEqual([]);
  });

  it('finds no token or secret in any error message the gateway answered', () => {
    const errors = JSON.stringify(answers.map((a) => a.errors ?? []));
    expect(errors.length).toBeGreaterThan(100);
    const leaks = [...secrets()].filter(([, value]) => value && errors.includes(value)).map(([name]) => name);
    expect(leaks).toEqual([]);
  });
});
