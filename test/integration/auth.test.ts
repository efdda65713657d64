import { afterEach, describe, expect, it } from '@jest/globals';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { code } from '../support/errors.js';

const QUERY = '{ connectors(limit: 1) { items { scriptName } } }';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('client credentials', () => {
  it('fetches one token for many concurrent operations and reuses it', async () => {
    gw = await startTestGateway();
    const results = await Promise.all(Array.from({ length: 30 }, () => gw!.gql(QUERY)));
    for (const r of results) expect(r.errors).toBeUndefined();
    await gw.gql(QUERY);
    expect(gw.tenant.tokenRequests).toHaveLength(1);
    const tokenCall = gw.tenant.tokenRequests[0];
    expect(tokenCall.method).toBe('POST');
    expect(tokenCall.path).toBe('/oauth/token');
    expect(Object.fromEntries(new URLSearchParams(tokenCall.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: gw.tenant.clientId,
      client_secret: gw.tenant.clientSecret,
    });
  });

  it('on a 401 drops the token, fetches a new one and retries once', async () => {
    gw = await startTestGateway();
    await gw.gql(QUERY);
    gw.tenant.expireAllTokens();
    gw.reset();
    const r = await gw.gql(QUERY);
    expect(r.errors).toBeUndefined();
    expect(gw.tenant.tokenRequests).toHaveLength(1);
    const calls = gw.calls();
    expect(calls).toHaveLength(2);
    expect(calls[0].headers.authorization).not.toBe(calls[1].headers.authorization);
  });

  it('bad client credentials answer UNAUTHENTICATED, with one token request and no API call', async () => {
    gw = await startTestGateway({ SAIL_API_KEYS: 'key-1' }, { externalTenant: { clientSecret: 'wrong' } });
    const r = await gw.gql(QUERY, undefined, { 'x-api-key': 'key-1' });
    expect(r.errors).toEqual([code('UNAUTHENTICATED')]);
    expect(JSON.stringify(r)).not.toContain('wrong');
    expect(gw.tenant.tokenRequests).toHaveLength(1);
    expect(gw.calls()).toEqual([]);
  });
});

describe('pass-through', () => {
  it('forwards the caller bearer instead of the gateway token', async () => {
    gw = await startTestGateway();
    const token = gw.tenant.issueToken();
    const r = await gw.gql(QUERY, undefined, { authorization: `Bearer ${token}` });
    expect(r.errors).toBeUndefined();
    expect(gw.calls().map((c) => c.headers.authorization)).toEqual([`Bearer ${token}`]);
    expect(gw.tenant.tokenRequests).toHaveLength(0);
  });

  it('an expired caller bearer answers UNAUTHENTICATED without a retry or a gateway token', async () => {
    gw = await startTestGateway();
    const token = gw.tenant.issueToken();
    gw.tenant.expireAllTokens();
    const r = await gw.gql(QUERY, undefined, { authorization: `Bearer ${token}` });
    expect(r.errors).toEqual([code('UNAUTHENTICATED')]);
    expect(r.errors![0].extensions).toMatchObject({ httpStatus: 401 });
    expect(gw.calls()).toHaveLength(1);
    expect(gw.tenant.tokenRequests).toHaveLength(0);
  });

  it('never reuses a caller bearer for another caller', async () => {
    gw = await startTestGateway();
    const token = gw.tenant.issueToken();
    await gw.gql(QUERY, undefined, { authorization: `Bearer ${token}` });
    gw.reset();
    await gw.gql(QUERY);
    expect(gw.calls()[0].headers.authorization).not.toBe(`Bearer ${token}`);
  });

  it('passthrough mode refuses requests without a bearer', async () => {
    gw = await startTestGateway({ SAIL_AUTH_MODE: 'passthrough' });
    const r = await gw.gql(QUERY);
    expect(r.status).toBe(401);
    expect(r.errors).toEqual([code('UNAUTHENTICATED')]);
    expect(gw.calls()).toEqual([]);
  });
});

describe('inbound protection', () => {
  it('a real tenant needs an API key for the client credentials: no key, no upstream call', async () => {
    gw = await startTestGateway({ SAIL_API_KEYS: 'key-1,key-2' }, { externalTenant: true });
    for (const headers of [{}, { 'x-api-key': 'nope' }] as Record<string, string>[]) {
      const r = await gw.gql(QUERY, undefined, headers);
      expect(r.status).toBe(401);
      expect(r.errors).toEqual([code('UNAUTHENTICATED')]);
    }
    expect(gw.calls()).toEqual([]);
    expect(gw.tenant.tokenRequests).toEqual([]);
    const ok = await gw.gql(QUERY, undefined, { 'x-api-key': 'key-2' });
    expect(ok.errors).toBeUndefined();
  });

  it('CORS: only listed origins get allow headers', async () => {
    gw = await startTestGateway({ SAIL_CORS_ORIGINS: 'https://app.example.com' });
    const preflight = (origin: string) =>
      fetch(gw!.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const denied = await preflight('https://evil.example.net');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    expect(denied.headers.get('access-control-allow-methods')).toBeNull();
    const allowed = await preflight('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('content-type');
  });

  it('serves liveness on /healthz', async () => {
    gw = await startTestGateway();
    const r = await fetch(gw.url.replace('/graphql', '/healthz'));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });
});
