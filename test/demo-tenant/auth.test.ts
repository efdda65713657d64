import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';

let tenant: DemoTenant;

beforeAll(async () => {
  tenant = await startDemoTenant({ recordRequests: true });
});
afterAll(async () => {
  await tenant.close();
});
beforeEach(() => tenant.clearRequests());

const form = (params: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});

const decodePayload = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;

describe('POST /oauth/token', () => {
  it('issues a bearer JWT for a form body', async () => {
    const res = await fetch(
      `${tenant.url}/oauth/token`,
      form({ grant_type: 'client_credentials', client_id: 'demo-client', client_secret: 'demo-secret' }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: 'bearer',
      expires_in: 749,
      scope: 'sp:scopes:all',
      internal: true,
      pod: 'demo',
      org: 'demo',
      strong_auth: false,
    });
    for (const key of ['tenant_id', 'identity_id', 'user_name', 'jti']) expect(typeof body[key]).toBe('string');
    const token = body.access_token as string;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const payload = decodePayload(token);
    expect(payload).toMatchObject({ client_id: 'demo-client', jti: body.jti });
    expect((payload.exp as number) - (payload.iat as number)).toBe(749);

    expect(tenant.tokenRequests).toHaveLength(1);
    expect(tenant.requests).toHaveLength(0);
    expect(tenant.tokenRequests[0].body).toContain('grant_type=client_credentials');
  });

  it('accepts the parameters in the query string too', async () => {
    const res = await fetch(`${tenant.url}/oauth/token?grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
  });

  it('refuses wrong credentials with 401 invalid_client', async () => {
    const res = await fetch(`${tenant.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'demo-client', client_secret: 'nope' }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'Bad credentials' });
  });

  it('refuses other grant types', async () => {
    const res = await fetch(`${tenant.url}/oauth/token`, form({ grant_type: 'password', client_id: 'demo-client', client_secret: 'demo-secret' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});

describe('bearer check on API routes', () => {
  const list = (headers: Record<string, string> = {}): Promise<Response> => fetch(`${tenant.url}/connectors/v1?limit=1`, { headers });

  it('answers 401 without a token, with an unknown token, and after expiry', async () => {
    let res = await list();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'JWT validation failed: JWT is missing' });

    res = await list({ authorization: 'Bearer not.a.token' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'JWT validation failed: JWT is invalid' });

    const token = tenant.issueToken();
    res = await list({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);

    tenant.expireAllTokens();
    res = await list({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'JWT validation failed: JWT is expired' });

    // Tokens minted after the purge work again.
    res = await list({ authorization: `Bearer ${tenant.issueToken()}` });
    expect(res.status).toBe(200);
  });

  it('records every API request, also refused ones, without the token endpoint', async () => {
    await list();
    await list({ authorization: `Bearer ${tenant.issueToken()}` });
    expect(tenant.requests.map((r) => [r.method, r.path, r.search])).toEqual([
      ['GET', '/connectors/v1', '?limit=1'],
      ['GET', '/connectors/v1', '?limit=1'],
    ]);
    expect(tenant.requests[1].headers.authorization).toMatch(/^Bearer /);
    expect(tenant.requests[1].query).toEqual({ limit: '1' });
  });

  it('expires tokens after their lifetime', async () => {
    const shortLived = await startDemoTenant({ recordRequests: true, tokenLifetimeSeconds: 0, clientId: 'c', clientSecret: 's' });
    try {
      const res = await fetch(`${shortLived.url}/connectors/v1`, { headers: { authorization: `Bearer ${shortLived.issueToken()}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'JWT validation failed: JWT is expired' });
    } finally {
      await shortLived.close();
    }
  });
});
