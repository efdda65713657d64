import { describe, expect, it } from '@jest/globals';
import { createOAuthClientState } from '../../src/demo-tenant/oauth-clients.js';
import { OAUTH_CLIENT_SEED } from '../../src/demo-tenant/seed/oauth-clients.js';
import { expectIscError, useDemoTenant } from '../support/demo-tenant-api.js';

/** The demo tenant's `/oauth-clients` endpoints, spoken to directly over HTTP. */

const demo = useDemoTenant();

type Json = Record<string, unknown>;

const { api, send } = demo;

const patch = (id: string, ops: unknown): Promise<Response> => send('PATCH', `/oauth-clients/${id}`, ops, 'application/json-patch+json');

const validBody = {
  name: 'Tenant Test',
  description: 'made by the demo tenant test',
  accessTokenValiditySeconds: 600,
  grantTypes: ['CLIENT_CREDENTIALS'],
  accessType: 'ONLINE',
  enabled: true,
};

describe('seed', () => {
  it('is realistic and varied: ~10 clients, every grant, access and client type, some never used, one internal', () => {
    expect(OAUTH_CLIENT_SEED.length).toBeGreaterThanOrEqual(10);
    const all = (pick: (c: (typeof OAUTH_CLIENT_SEED)[number]) => string[]) => new Set(OAUTH_CLIENT_SEED.flatMap(pick));
    for (const g of ['CLIENT_CREDENTIALS', 'AUTHORIZATION_CODE', 'REFRESH_TOKEN']) expect(all((c) => c.grantTypes)).toContain(g);
    expect(all((c) => [c.accessType])).toEqual(new Set(['ONLINE', 'OFFLINE']));
    expect(all((c) => [c.type])).toEqual(new Set(['CONFIDENTIAL', 'PUBLIC']));
    expect(OAUTH_CLIENT_SEED.filter((c) => c.lastUsed === null).length).toBeGreaterThanOrEqual(2);
    expect(OAUTH_CLIENT_SEED.some((c) => c.internal)).toBe(true);
    expect(new Set(OAUTH_CLIENT_SEED.map((c) => c.id)).size).toBe(OAUTH_CLIENT_SEED.length);
  });

  it('is deep-copied per tenant', () => {
    const a = createOAuthClientState();
    const b = createOAuthClientState();
    a.get(OAUTH_CLIENT_SEED[0].id)!.redirectUris!.push('https://changed.example/cb');
    expect(b.get(OAUTH_CLIENT_SEED[0].id)!.redirectUris).toEqual(OAUTH_CLIENT_SEED[0].redirectUris);
  });
});

describe('GET /oauth-clients', () => {
  it('answers every client, ignoring paging parameters it does not have', async () => {
    const res = await api('/oauth-clients?limit=2&offset=3');
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json[]).map((c) => c.id)).toEqual(OAUTH_CLIENT_SEED.map((c) => c.id));
  });

  it('evaluates `lastUsed le` with an unquoted timestamp and `lastUsed isnull`', async () => {
    const le = await api(`/oauth-clients?filters=${encodeURIComponent('lastUsed le 2023-09-05T23:59:59.999Z')}`);
    const expected = OAUTH_CLIENT_SEED.filter((c) => c.lastUsed !== null && c.lastUsed <= '2023-09-05T23:59:59.999Z').map((c) => c.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(((await le.json()) as Json[]).map((c) => c.id)).toEqual(expected);
    const isnull = await api(`/oauth-clients?filters=${encodeURIComponent('lastUsed isnull')}`);
    expect(((await isnull.json()) as Json[]).map((c) => c.lastUsed)).toEqual(OAUTH_CLIENT_SEED.filter((c) => c.lastUsed === null).map(() => null));
  });

  it.each([
    ['another field', 'name eq "Search Indexer"', /not supported for field "name"/],
    ['another operator', 'lastUsed ge 2024-01-01T00:00:00Z', /Operator "ge" is not supported/],
    ['broken syntax', 'lastUsed le', /Invalid filter/],
  ])('refuses %s with 400', async (_label, filters, text) => {
    await expectIscError(await api(`/oauth-clients?filters=${encodeURIComponent(filters)}`), 400, text);
  });
});

describe('POST /oauth-clients', () => {
  it('generates id and secret, applies ISC defaults, and shows the secret in this answer', async () => {
    const res = await send('POST', '/oauth-clients', validBody);
    expect(res.status).toBe(200);
    const created = (await res.json()) as Json;
    expect(created).toMatchObject({
      ...validBody,
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      secret: expect.stringMatching(/^[0-9a-f]{64}$/),
      type: 'CONFIDENTIAL',
      internal: false,
      scope: ['sp:scopes:all'],
      redirectUris: [],
    });
    expect(created).not.toHaveProperty('lastUsed');
    const again = (await (await api(`/oauth-clients/${String(created.id)}`)).json()) as Json;
    expect(again).toMatchObject({ id: created.id, lastUsed: null, created: created.created });
    expect((await api(`/oauth-clients/${String(created.id)}`, { method: 'DELETE' })).status).toBe(204);
  });

  it.each<[string, Json, RegExp]>([
    ['a missing required field', { ...validBody, enabled: undefined }, /enabled is required/],
    ['an unknown grant type', { ...validBody, grantTypes: ['IMPLICIT'] }, /grantTypes must be/],
    ['a zero validity', { ...validBody, accessTokenValiditySeconds: 0 }, /accessTokenValiditySeconds must be/],
    ['authorization code without redirect URIs', { ...validBody, grantTypes: ['AUTHORIZATION_CODE'] }, /redirectUris must not be empty/],
  ])('refuses %s with 400', async (_label, body, text) => {
    await expectIscError(await send('POST', '/oauth-clients', body), 400, text);
  });
});

describe('PATCH and DELETE /oauth-clients/{id}', () => {
  it('applies a patch over the patchable fields and bumps modified', async () => {
    const { id, modified } = OAUTH_CLIENT_SEED[5];
    const res = await patch(id, [
      { op: 'replace', path: '/enabled', value: true },
      { op: 'add', path: '/redirectUris/-', value: 'https://reports.acme-corp.example/cb' },
    ]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ enabled: true, redirectUris: ['https://reports.acme-corp.example/cb'] });
    expect(body.modified).not.toBe(modified);
  });

  it.each<[string, unknown, RegExp]>([
    ['a body that is not an array', { op: 'replace', path: '/name', value: 'x' }, /JSON array/],
    ['an unknown op', [{ op: 'merge', path: '/name', value: 'x' }], /op must be one of/],
    ['the secret', [{ op: 'replace', path: '/secret', value: 'x' }], /not patchable/],
    ['the id', [{ op: 'replace', path: '/id', value: 'x' }], /not patchable/],
    ['a move from a read-only field', [{ op: 'move', from: '/secret', path: '/description' }], /not patchable/],
    ['removing the name', [{ op: 'remove', path: '/name' }], /name must be/],
    ['an unknown access type', [{ op: 'replace', path: '/accessType', value: 'SOMETIMES' }], /accessType must be/],
  ])('refuses %s with 400 and leaves the client unchanged', async (_label, ops, text) => {
    const { id } = OAUTH_CLIENT_SEED[0];
    const before = await (await api(`/oauth-clients/${id}`)).json();
    await expectIscError(await patch(id, ops), 400, text);
    expect(await (await api(`/oauth-clients/${id}`)).json()).toEqual(before);
  });

  it('answers 404 with ErrorResponseDto for unknown ids', async () => {
    await expectIscError(await api('/oauth-clients/nope'), 404, /not found/);
    await expectIscError(await patch('nope', [{ op: 'replace', path: '/enabled', value: true }]), 404, /not found/);
    await expectIscError(await api('/oauth-clients/nope', { method: 'DELETE' }), 404, /not found/);
  });
});
