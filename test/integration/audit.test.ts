import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { OAUTH_CLIENT_SEED } from '../../src/demo-tenant/seed/oauth-clients.js';
import { createLogger } from '../../src/log/logger.js';
import { captureOutput } from '../support/output.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

/**
 * Audit records and the per-operation log line, through the real server over loopback against the
 * demo tenant: what the log says is compared with what the tenant received.
 */
const CUSTOMIZER = 'a81d4f27-5c3e-4b9a-8e62-0f7b3d19c5a4';
const DOOMED_CUSTOMIZER = '96d0b3e7-4f25-4c1a-8b9e-3c7f5a2d1e08';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_TIME = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const sha16 = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 16);

type LogRecord = Record<string, unknown>;

interface Logged<T> {
  answer: GraphQLResponse<T>;
  records: LogRecord[];
  /** Everything written to stdout and stderr. */
  text: string;
  audit: LogRecord[];
  operation: LogRecord | undefined;
}

/** Everything the gateways of this file log, at debug level. */
const output = captureOutput();
const logger = createLogger({ level: 'debug', output: output.streams });

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({}, { logger });
});
afterAll(() => gw?.close());
afterEach(() => gw.tenant.setFaults({}));

/** Runs one operation, capturing what the gateway logs meanwhile. */
async function logged<T = Record<string, any>>(
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
  on: TestGateway = gw,
): Promise<Logged<T>> {
  on.reset();
  output.written.length = 0;
  const answer = await on.gql<T>(query, variables, headers);
  await new Promise((resolve) => setImmediate(resolve)); // the operation's line is written just after its answer
  const text = output.text();
  const records = output.records() as LogRecord[];
  return { answer, records, text, audit: records.filter((r) => r.audit === true), operation: records.find((r) => r.msg === 'graphql operation') };
}

/** The tenant's recorded requests as method, path and status. */
const received = (on: TestGateway = gw) => on.tenant.requests.map((r) => ({ method: r.method, path: r.path, status: r.status }));
/** The operation line's calls without their durations (checked separately). */
const listed = (operation: LogRecord | undefined) =>
  (operation?.upstream as { method: string; route: string; status?: number; durationMs: number }[]).map(({ method, route, status }) => ({
    method,
    route,
    status,
  }));

describe('audit records', () => {
  it('a successful update: one record with the caller-given request id, and the operation line lists the one PUT', async () => {
    const { answer, audit, operation } = await logged(
      'mutation Rename($id: ID!) { updateConnectorCustomizer(id: $id, input: { name: "workday-leaver-normalizer" }) { id name } }',
      { id: CUSTOMIZER },
      { 'x-request-id': 'audit-it-update-1' },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.headers.get('x-request-id')).toBe('audit-it-update-1');
    expect(audit).toEqual([
      {
        time: ISO_TIME,
        level: 'info',
        msg: 'audit',
        audit: true,
        requestId: 'audit-it-update-1',
        principal: 'demo',
        operation: 'updateConnectorCustomizer',
        operationName: 'Rename',
        targetId: CUSTOMIZER,
        outcome: 'success',
      },
    ]);
    expect(received()).toEqual([{ method: 'PUT', path: `/connector-customizers/v1/${CUSTOMIZER}`, status: 200 }]);
    expect(operation).toMatchObject({
      level: 'info',
      requestId: 'audit-it-update-1',
      operationName: 'Rename',
      operationType: 'mutation',
      status: 200,
      upstreamCalls: 1,
      upstream: [{ method: 'PUT', route: 'connector-customizers/{id}', status: 200, durationMs: expect.any(Number) }],
    });
    expect(operation?.upstreamTotalMs).toBe(operation?.upstreamMaxMs);
  });

  it('a create: the target is the id in the answer, and the new OAuth client secret appears nowhere in the output', async () => {
    const { answer, audit, text } = await logged<{ createOAuthClient: { id: string; secret: string } }>(
      'mutation NewClient($i: CreateOAuthClientInput!) { createOAuthClient(input: $i) { id secret } }',
      {
        i: {
          name: 'Audit Job',
          description: 'audit test',
          accessTokenValiditySeconds: 900,
          grantTypes: ['CLIENT_CREDENTIALS'],
          accessType: 'ONLINE',
          enabled: true,
        },
      },
    );
    expect(answer.errors).toBeUndefined();
    const { id, secret } = answer.data!.createOAuthClient;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(received()).toEqual([{ method: 'POST', path: '/oauth-clients/v1', status: 200 }]);
    expect(audit).toEqual([
      expect.objectContaining({ operation: 'createOAuthClient', operationName: 'NewClient', targetId: id, outcome: 'success', principal: 'demo' }),
    ]);
    expect(text).not.toContain(secret);
    expect(text.length).toBeGreaterThan(200); // the capture saw the lines
  });

  it('a delete and a create in one request: one record each, in order, with the same request id', async () => {
    const { answer, audit } = await logged<{ created: { id: string } }>(
      `mutation Swap($id: ID!) { removed: deleteConnectorCustomizer(id: $id) created: createConnectorCustomizer(input: { name: "audit-replacement" }) { id } }`,
      { id: DOOMED_CUSTOMIZER },
    );
    expect(answer.errors).toBeUndefined();
    expect(received().map((r) => `${r.method} ${r.path}`)).toEqual([
      `DELETE /connector-customizers/v1/${DOOMED_CUSTOMIZER}`,
      'POST /connector-customizers/v1',
    ]);
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toMatch(UUID);
    expect(audit).toEqual([
      expect.objectContaining({
        requestId,
        operation: 'deleteConnectorCustomizer',
        operationName: 'Swap',
        targetId: DOOMED_CUSTOMIZER,
        outcome: 'success',
      }),
      expect.objectContaining({
        requestId,
        operation: 'createConnectorCustomizer',
        operationName: 'Swap',
        targetId: answer.data!.created.id,
        outcome: 'success',
      }),
    ]);
  });

  it('a refused mutation: failure with BAD_USER_INPUT, and no ISC call made or listed', async () => {
    const id = OAUTH_CLIENT_SEED[0].id;
    const { answer, audit, operation } = await logged('mutation Nothing($id: ID!) { updateOAuthClient(id: $id) { id } }', { id });
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(received()).toEqual([]);
    expect(audit).toEqual([
      expect.objectContaining({ operation: 'updateOAuthClient', targetId: id, outcome: 'failure', errorCode: 'BAD_USER_INPUT' }),
    ]);
    expect(operation).toMatchObject({ upstreamCalls: 0, errors: [{ code: 'BAD_USER_INPUT', path: 'updateOAuthClient' }] });
    expect(operation).not.toHaveProperty('upstream');
  });

  it('an ISC error: failure with UPSTREAM_ERROR; the failed call is logged by route template, as the tenant received it', async () => {
    const id = OAUTH_CLIENT_SEED[1].id;
    gw.tenant.setFaults({ rate500: 1 });
    const { answer, audit, operation, records } = await logged('mutation Remove($id: ID!) { deleteOAuthClient(id: $id) }', { id });
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', httpStatus: 500 });
    expect(received()).toEqual([{ method: 'DELETE', path: `/oauth-clients/v1/${id}`, status: 500 }]);
    expect(audit).toEqual([
      expect.objectContaining({ operation: 'deleteOAuthClient', targetId: id, outcome: 'failure', errorCode: 'UPSTREAM_ERROR' }),
    ]);
    expect(listed(operation)).toEqual([{ method: 'DELETE', route: 'oauth-clients/{id}', status: 500 }]);
    const failed = records.find((r) => r.msg === 'ISC call failed');
    expect(failed).toMatchObject({ level: 'warn', method: 'DELETE', route: 'oauth-clients/{id}', httpStatus: 500, code: 'UPSTREAM_ERROR' });
    expect(JSON.stringify(failed)).not.toContain(id);
  });

  it('names a pass-through caller by a hash of its token, never the token', async () => {
    const token = gw.tenant.issueToken();
    const { answer, audit, text } = await logged(
      'mutation($id: ID!) { updateConnectorCustomizer(id: $id, input: { name: "renamed-by-bearer" }) { id } }',
      { id: CUSTOMIZER },
      { authorization: `Bearer ${token}` },
    );
    expect(answer.errors).toBeUndefined();
    expect(gw.tenant.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(audit).toEqual([expect.objectContaining({ principal: `bearer:${sha16(token)}`, outcome: 'success' })]);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
  });

  it('names an API-key caller by a hash of its key (a tenant reached by URL, where keys are required)', async () => {
    const key = `audit-key-${sha16(String(Date.now()))}`;
    const keyed = await startTestGateway({ SAIL_API_KEYS: key }, { externalTenant: true, logger });
    try {
      const { answer, audit, text } = await logged(
        'mutation($id: ID!) { deleteConnectorCustomizer(id: $id) }',
        { id: '5b0e93c4-27fa-4e18-b6d1-9c8a4f2e7d63' },
        { 'x-api-key': key },
        keyed,
      );
      expect(answer.errors).toBeUndefined();
      expect(audit).toEqual([
        expect.objectContaining({ principal: `key:${sha16(key)}`, operation: 'deleteConnectorCustomizer', outcome: 'success' }),
      ]);
      expect(text).not.toContain(key);
    } finally {
      await keyed.close();
    }
  });

  it('writes no audit record for a query', async () => {
    const { audit, operation } = await logged('{ connectorCustomizers(limit: 1) { items { id } } }');
    expect(operation).toBeDefined();
    expect(audit).toEqual([]);
  });
});

describe('the operation line', () => {
  it('carries a generated request id when the caller gave none or an unusable one, the same as the response header', async () => {
    for (const headers of [{}, { 'x-request-id': 'not a sane id; with spaces' }] as Record<string, string>[]) {
      const { answer, operation } = await logged('{ connectorCustomizers(limit: 1) { items { id } } }', undefined, headers);
      const requestId = answer.headers.get('x-request-id');
      expect(requestId).toMatch(UUID);
      expect(operation?.requestId).toBe(requestId);
    }
  });

  it('lists every ISC call the operation made, by route template, as the tenant received them', async () => {
    const { answer, operation, text } = await logged(
      'query Files { connector(scriptName: "active-directory-angularsc") { name files { sourceConfig correlationConfig } } }',
    );
    expect(answer.errors).toBeUndefined();
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    expect(received().sort(byPath)).toEqual([
      { method: 'GET', path: '/connectors/v1/active-directory-angularsc', status: 200 },
      { method: 'GET', path: '/connectors/v1/active-directory-angularsc/correlation-config', status: 200 },
      { method: 'GET', path: '/connectors/v1/active-directory-angularsc/source-config', status: 200 },
    ]);
    const byRoute = (a: { route: string }, b: { route: string }) => a.route.localeCompare(b.route);
    expect(listed(operation).sort(byRoute)).toEqual([
      { method: 'GET', route: 'connectors/{scriptName}', status: 200 },
      { method: 'GET', route: 'connectors/{scriptName}/correlation-config', status: 200 },
      { method: 'GET', route: 'connectors/{scriptName}/source-config', status: 200 },
    ]);
    const durations = (operation?.upstream as { durationMs: number }[]).map((c) => c.durationMs);
    expect(durations.every(Number.isInteger)).toBe(true);
    expect(operation).toMatchObject({ operationName: 'Files', operationType: 'query', upstreamCalls: 3, upstreamMaxMs: Math.max(...durations) });
    // Neither the document, the identifiers nor the answer.
    expect(text).not.toContain('active-directory-angularsc');
    expect(text).not.toContain('sourceConfig');
  });
});
