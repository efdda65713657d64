import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { OAUTH_CLIENT_SEED, type OAuthClientRecord } from '../../src/demo-tenant/seed/oauth-clients.js';
import { PER_RESOURCE } from '../../src/isc/api-paths.js';
import { createRateGovernor } from '../../src/isc/governor.js';
import { bindUpstream, createIscClient, type Upstream } from '../../src/isc/client.js';
import {
  createOAuthClient,
  deleteOAuthClient,
  getOAuthClient,
  listOAuthClients,
  patchOAuthClient,
} from '../../src/oauth-clients/oauth-clients.api.js';
import { bearer, expectIdsKeptOnTheirRoute, useTestGateway } from '../support/gateway.js';
import { code } from '../support/errors.js';
import { captureText } from '../support/output.js';

const gw = useTestGateway();

const jsonAccept = { authorization: bearer, accept: 'application/json' };
const BASE = '/oauth-clients/v1';

const FIELDS = `id businessName homepageUrl name description accessTokenValiditySeconds refreshTokenValiditySeconds
  redirectUris grantTypes grantTypesRaw accessType accessTypeRaw type typeRaw internal enabled strongAuthSupported
  claimsSupported created modified lastUsed metadata scope`;

const KNOWN_GRANTS = ['CLIENT_CREDENTIALS', 'AUTHORIZATION_CODE', 'REFRESH_TOKEN'];

/** What the graph should show for a seed record: the read fields, enums under the UNKNOWN rule. */
function expectedClient(c: OAuthClientRecord): Record<string, unknown> {
  return {
    id: c.id,
    businessName: c.businessName,
    homepageUrl: c.homepageUrl,
    name: c.name,
    description: c.description,
    accessTokenValiditySeconds: c.accessTokenValiditySeconds,
    refreshTokenValiditySeconds: c.refreshTokenValiditySeconds,
    redirectUris: c.redirectUris,
    grantTypes: c.grantTypes.map((g) => (KNOWN_GRANTS.includes(g) ? g : 'UNKNOWN')),
    grantTypesRaw: c.grantTypes,
    accessType: c.accessType,
    accessTypeRaw: c.accessType,
    type: c.type,
    typeRaw: c.type,
    internal: c.internal,
    enabled: c.enabled,
    strongAuthSupported: c.strongAuthSupported,
    claimsSupported: c.claimsSupported,
    created: c.created,
    modified: c.modified,
    lastUsed: c.lastUsed,
    metadata: c.metadata,
    scope: c.scope,
  };
}

const seedIds = (keep: (c: OAuthClientRecord) => boolean): string[] => OAUTH_CLIENT_SEED.filter(keep).map((c) => c.id);
const ids = (list: { id: string }[]): string[] => list.map((c) => c.id);

/** A direct read of the demo tenant, bypassing the gateway: what ISC itself answers. */
async function rawUpstreamGet(id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${gw.tenant.url}${BASE}/${id}`, { headers: { authorization: `Bearer ${gw.tenant.issueToken()}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** The gateway's real ISC client, wired as src/gateway.ts wires it, against the demo tenant. */
function realUpstream(): Upstream {
  const client = createIscClient({
    baseUrl: gw.tenant.url,
    paths: PER_RESOURCE,
    timeoutMs: 5000,
    tokens: { getToken: async () => gw.tenant.issueToken(), invalidate: () => undefined },
    clientId: gw.tenant.clientId,
    governor: createRateGovernor({ limit: 100, windowMs: 10_000, maxConcurrency: 8, maxQueue: 100 }),
    retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 1000, resetTimeoutMs: 1000, rollingWindowMs: 10_000 },
  });
  return bindUpstream(client, { kind: 'client-credentials' });
}

const CREATE = `mutation($i: CreateOAuthClientInput!) { createOAuthClient(input: $i) { id secret name grantTypes accessType type
  redirectUris homepageUrl enabled created } }`;

const validCreateInput = {
  name: 'Contractor Portal',
  description: 'Web portal for contractor self-service.',
  accessTokenValiditySeconds: 900,
  grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'],
  accessType: 'OFFLINE',
  enabled: true,
  type: 'CONFIDENTIAL',
  homepageUrl: 'https://contractors.acme-corp.example',
  redirectUris: ['https://contractors.acme-corp.example/callback', 'com.acmecorp.contractors:/oauth2redirect'],
  scope: ['idn:identity:read'],
};

describe('Query.oauthClients', () => {
  it('lists every client in one GET without paging parameters', async () => {
    const r = await gw.gql(`{ oauthClients { ${FIELDS} } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.oauthClients).toEqual(OAUTH_CLIENT_SEED.map(expectedClient));
    expect(gw.calls()).toEqual([{ method: 'GET', path: BASE, query: {}, headers: jsonAccept, body: '' }]);
  });

  it('keeps an unknown grant type readable: UNKNOWN plus the raw value', async () => {
    const r = await gw.gql('{ oauthClients { grantTypes grantTypesRaw } }');
    expect(r.errors).toBeUndefined();
    const odd = (r.data!.oauthClients as { grantTypes: string[]; grantTypesRaw: string[] }[]).filter((c) => c.grantTypes.includes('UNKNOWN'));
    expect(odd.length).toBeGreaterThan(0);
    for (const c of odd) {
      const i = c.grantTypes.indexOf('UNKNOWN');
      expect(KNOWN_GRANTS).not.toContain(c.grantTypesRaw[i]);
    }
  });

  it('lastUsedBefore becomes `lastUsed le` with an unquoted UTC timestamp, encoded once', async () => {
    const r = await gw.gql('query($t: DateTime) { oauthClients(filter: { lastUsedBefore: $t }) { id lastUsed } }', {
      t: '2024-06-01T02:00:00+02:00',
    });
    expect(r.errors).toBeUndefined();
    const cutoff = Date.parse('2024-06-01T00:00:00.000Z');
    const expected = seedIds((c) => c.lastUsed !== null && Date.parse(c.lastUsed) <= cutoff);
    expect(expected.length).toBeGreaterThan(1);
    expect(ids(r.data!.oauthClients)).toEqual(expected);
    expect(gw.calls()).toEqual([
      { method: 'GET', path: BASE, query: { filters: 'lastUsed le 2024-06-01T00:00:00.000Z' }, headers: jsonAccept, body: '' },
    ]);
    expect(gw.tenant.requests[0].search).toBe('?filters=lastUsed+le+2024-06-01T00%3A00%3A00.000Z');
  });

  it('neverUsed: true becomes `lastUsed isnull`', async () => {
    const r = await gw.gql('{ oauthClients(filter: { neverUsed: true }) { id lastUsed } }');
    expect(r.errors).toBeUndefined();
    const expected = seedIds((c) => c.lastUsed === null);
    expect(expected.length).toBeGreaterThan(1);
    expect(ids(r.data!.oauthClients)).toEqual(expected);
    expect(gw.calls().map((c) => c.query)).toEqual([{ filters: 'lastUsed isnull' }]);
  });

  it('both conditions are joined with or', async () => {
    const r = await gw.gql('{ oauthClients(filter: { lastUsedBefore: "2023-12-31T23:59:59.999Z", neverUsed: true }) { id } }');
    expect(r.errors).toBeUndefined();
    const cutoff = Date.parse('2023-12-31T23:59:59.999Z');
    expect(ids(r.data!.oauthClients)).toEqual(seedIds((c) => c.lastUsed === null || Date.parse(c.lastUsed) <= cutoff));
    expect(gw.calls().map((c) => c.query.filters)).toEqual(['(lastUsed le 2023-12-31T23:59:59.999Z) or (lastUsed isnull)']);
  });

  it('rejects neverUsed: false and malformed timestamps before any upstream call', async () => {
    const never = await gw.gql('{ oauthClients(filter: { neverUsed: false }) { id } }');
    expect(never.errors).toEqual([code('BAD_USER_INPUT')]);
    for (const t of ['yesterday', '2024-06-01', '2024-06-01T00:00:00.000Z") or (name pr']) {
      const r = await gw.gql('query($t: DateTime) { oauthClients(filter: { lastUsedBefore: $t }) { id } }', { t });
      expect({ t, errors: r.errors }).toEqual({ t, errors: [code('BAD_USER_INPUT')] });
    }
    expect(gw.calls()).toEqual([]);
  });

  it('a raw filters expression reaches ISC exactly, encoded once', async () => {
    const filters = 'lastUsed le 2024-06-01T00:00:00.000Z or (lastUsed isnull)';
    const r = await gw.gql('query($f: String) { oauthClients(filters: $f) { id } }', { f: filters });
    expect(r.errors).toBeUndefined();
    const cutoff = Date.parse('2024-06-01T00:00:00.000Z');
    expect(ids(r.data!.oauthClients)).toEqual(seedIds((c) => c.lastUsed === null || Date.parse(c.lastUsed) <= cutoff));
    expect(gw.calls()).toEqual([{ method: 'GET', path: BASE, query: { filters }, headers: jsonAccept, body: '' }]);
    expect(gw.tenant.requests[0].search).toBe('?filters=lastUsed+le+2024-06-01T00%3A00%3A00.000Z+or+%28lastUsed+isnull%29');
  });

  it('the typed filter and the raw filters are joined with and', async () => {
    const r = await gw.gql(
      '{ oauthClients(filter: { lastUsedBefore: "2024-06-01T00:00:00Z", neverUsed: true }, filters: "lastUsed isnull") { id lastUsed } }',
    );
    expect(r.errors).toBeUndefined();
    const expected = seedIds((c) => c.lastUsed === null);
    expect(expected.length).toBeGreaterThan(1);
    expect(ids(r.data!.oauthClients)).toEqual(expected);
    expect(gw.calls().map((c) => c.query)).toEqual([
      { filters: '((lastUsed le 2024-06-01T00:00:00.000Z) or (lastUsed isnull)) and (lastUsed isnull)' },
    ]);
  });

  it('refuses raw filters on other fields, with unknown operators or unbalanced, before any upstream call', async () => {
    for (const filters of [
      'name eq "x"',
      'lastUsed isnull or enabled eq true',
      'lastUsed before 2024-01-01T00:00:00Z',
      '(lastUsed isnull',
      'lastUsed isnull "',
      '',
    ]) {
      const r = await gw.gql('query($f: String) { oauthClients(filters: $f) { id } }', { f: filters });
      expect({ filters, errors: r.errors }).toEqual({ filters, errors: [code('BAD_USER_INPUT')] });
    }
    expect(gw.calls()).toEqual([]);
  });
});

describe('Query.oauthClient', () => {
  it('reads one client by id', async () => {
    const seed = OAUTH_CLIENT_SEED[3];
    const r = await gw.gql(`query($id: ID!) { oauthClient(id: $id) { ${FIELDS} } }`, { id: seed.id });
    expect(r.errors).toBeUndefined();
    expect(r.data!.oauthClient).toEqual(expectedClient(seed));
    expect(gw.calls()).toEqual([{ method: 'GET', path: `${BASE}/${seed.id}`, query: {}, headers: jsonAccept, body: '' }]);
  });

  it('answers null for an unknown id, without an error', async () => {
    const r = await gw.gql('{ oauthClient(id: "0000000000000000000000000000dead") { name } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.oauthClient).toBeNull();
    expect(gw.calls().map((c) => c.path)).toEqual([`${BASE}/0000000000000000000000000000dead`]);
  });

  it('reads the same id once per operation, across aliases', async () => {
    const { id } = OAUTH_CLIENT_SEED[0];
    const r = await gw.gql('query($id: ID!) { a: oauthClient(id: $id) { name } b: oauthClient(id: $id) { scope } }', { id });
    expect(r.errors).toBeUndefined();
    expect(r.data!.a.name).toBe(OAUTH_CLIENT_SEED[0].name);
    expect(gw.calls()).toHaveLength(1);
  });

  it('keeps path injection attempts on their route', async () => {
    await expectIdsKeptOnTheirRoute(gw, 'query($id: ID!) { oauthClient(id: $id) { name } }', BASE, [
      '..',
      '%2e%2e',
      '../connectors',
      '%2E%2E%2Fconnectors',
    ]);
  });
});

describe('OAuthClient entity (federation)', () => {
  it('resolves references through the per-request loader: one GET per distinct id, in order, null when missing', async () => {
    const [a, b] = OAUTH_CLIENT_SEED;
    const r = await gw.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on OAuthClient { id name } } }', {
      r: [
        { __typename: 'OAuthClient', id: b.id },
        { __typename: 'OAuthClient', id: 'ffffffffffffffffffffffffffffffff' },
        { __typename: 'OAuthClient', id: a.id },
        { __typename: 'OAuthClient', id: b.id },
      ],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities).toEqual([{ id: b.id, name: b.name }, null, { id: a.id, name: a.name }, { id: b.id, name: b.name }]);
    expect(
      gw
        .calls()
        .map((c) => c.path)
        .sort(),
    ).toEqual([`${BASE}/${a.id}`, `${BASE}/${b.id}`, `${BASE}/ffffffffffffffffffffffffffffffff`].sort());
  });
});

describe('secret handling', () => {
  const captured = captureText();
  const output = captured.chunks;
  beforeEach(() => {
    output.length = 0;
    // Writes still reach the real streams; their text is collected too.
    captured.spyOnStandardStreams();
    // Console output is only collected (Jest would print it with a stack trace).
    captured.spyOnConsole();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('shows the secret once, in the create answer, and nowhere else: not in reads, updates or any log', async () => {
    const created = await gw.gql(CREATE, { i: { ...validCreateInput, name: 'Secret Keeper' } });
    expect(created.errors).toBeUndefined();
    const { id, secret } = created.data!.createOAuthClient as { id: string; secret: string };
    expect(secret).toMatch(/^[0-9a-f]{64}$/);

    // ISC's read answers may carry the secret: the demo tenant does, and the gateway must strip it.
    expect((await rawUpstreamGet(id)).secret).toBe(secret);

    const read = await gw.gql(`query($id: ID!) { oauthClient(id: $id) { ${FIELDS} } list: oauthClients { ${FIELDS} } }`, { id });
    expect(read.errors).toBeUndefined();
    expect(read.data!.oauthClient.id).toBe(id);
    expect(ids(read.data!.list)).toContain(id);
    const entity = await gw.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on OAuthClient { id name } } }', {
      r: [{ __typename: 'OAuthClient', id }],
    });
    expect(entity.data!._entities).toEqual([{ id, name: 'Secret Keeper' }]);
    const updated = await gw.gql(`mutation($id: ID!) { updateOAuthClient(id: $id, input: { description: "rotated" }) { ${FIELDS} } }`, { id });
    expect(updated.errors).toBeUndefined();
    for (const answer of [read, entity, updated]) expect(JSON.stringify(answer)).not.toContain(secret);

    // The type has no such field, so a query for it fails validation without reaching ISC.
    gw.reset();
    const asked = await gw.gql('query($id: ID!) { oauthClient(id: $id) { secret } }', { id });
    expect(asked.errors).toEqual([code('GRAPHQL_VALIDATION_FAILED')]);
    expect(gw.calls()).toEqual([]);

    // An error on the way (NOT_FOUND from ISC) must not drag it into a log either.
    await gw.gql('mutation { deleteOAuthClient(id: "ffffffffffffffffffffffffffffffff") }');
    console.warn('capture check', { marker: 'oauth-capture-marker' });
    expect(output.join('\n')).toContain('oauth-capture-marker'); // the spies do see what is written
    expect(output.join('\n')).not.toContain(secret);
    expect((await gw.gql('mutation($id: ID!) { deleteOAuthClient(id: $id) }', { id })).data!.deleteOAuthClient).toBe(true);
  });

  it('the client layer strips `secret` from every ISC answer except the create answer', async () => {
    const upstream = realUpstream();
    const created = await createOAuthClient(upstream, {
      name: 'Strip Check',
      description: 'client-layer check',
      accessTokenValiditySeconds: 600,
      grantTypes: ['CLIENT_CREDENTIALS'],
      accessType: 'ONLINE',
      enabled: true,
    });
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    expect((await rawUpstreamGet(created.id)).secret).toBe(created.secret);
    const answers: unknown[] = [
      await getOAuthClient(upstream, created.id),
      await listOAuthClients(upstream, undefined),
      await listOAuthClients(upstream, 'lastUsed isnull'),
      await patchOAuthClient(upstream, created.id, [{ op: 'replace', path: '/enabled', value: false }]),
    ];
    for (const answer of answers) {
      for (const client of [answer].flat() as Record<string, unknown>[]) expect(client).not.toHaveProperty('secret');
    }
    expect(JSON.stringify(answers)).not.toContain(created.secret);
    expect(output.join('\n')).not.toContain(created.secret);
    await deleteOAuthClient(upstream, created.id);
  });

  it('seed clients: ISC read answers carry their secrets, none reaches the graph', async () => {
    const seed = OAUTH_CLIENT_SEED[0];
    expect((await rawUpstreamGet(seed.id)).secret).toBe(seed.secret);
    const r = await gw.gql(`{ oauthClients { ${FIELDS} } one: oauthClient(id: "${seed.id}") { ${FIELDS} } }`);
    expect(r.errors).toBeUndefined();
    const text = JSON.stringify(r);
    for (const c of OAUTH_CLIENT_SEED) expect(text).not.toContain(c.secret);
    expect(output.join('\n')).not.toContain(seed.secret);
  });
});

describe('OAuth client mutations', () => {
  it('creates, reads, updates (typed and raw patch), deletes, and reads back null', async () => {
    const created = await gw.gql(CREATE, { i: validCreateInput });
    expect(created.errors).toBeUndefined();
    const client = created.data!.createOAuthClient;
    expect(client).toMatchObject({
      name: 'Contractor Portal',
      grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'],
      accessType: 'OFFLINE',
      type: 'CONFIDENTIAL',
      redirectUris: validCreateInput.redirectUris,
      enabled: true,
    });
    expect(client.id).toMatch(/^[0-9a-f]{32}$/);
    expect(gw.calls()).toEqual([
      {
        method: 'POST',
        path: BASE,
        query: {},
        headers: { ...jsonAccept, 'content-type': 'application/json' },
        body: JSON.stringify(validCreateInput),
      },
    ]);
    const path = `${BASE}/${client.id}`;

    gw.reset();
    const read = await gw.gql('query($id: ID!) { oauthClient(id: $id) { name description lastUsed scope homepageUrl } }', { id: client.id });
    expect(read.data!.oauthClient).toEqual({
      name: 'Contractor Portal',
      description: 'Web portal for contractor self-service.',
      lastUsed: null,
      scope: ['idn:identity:read'],
      homepageUrl: 'https://contractors.acme-corp.example',
    });
    expect(gw.calls()).toEqual([{ method: 'GET', path, query: {}, headers: jsonAccept, body: '' }]);

    gw.reset();
    const typed = await gw.gql(
      `mutation($id: ID!, $i: UpdateOAuthClientInput) { updateOAuthClient(id: $id, input: $i) {
        name homepageUrl accessTokenValiditySeconds grantTypes accessType strongAuthSupported } }`,
      {
        id: client.id,
        i: {
          claimsSupported: true,
          name: 'Contractor Portal v2',
          homepageUrl: null,
          accessTokenValiditySeconds: 600,
          grantTypes: ['AUTHORIZATION_CODE'],
          strongAuthSupported: true,
        },
      },
    );
    expect(typed.errors).toBeUndefined();
    expect(typed.data!.updateOAuthClient).toEqual({
      name: 'Contractor Portal v2',
      homepageUrl: null,
      accessTokenValiditySeconds: 600,
      grantTypes: ['AUTHORIZATION_CODE'],
      accessType: 'OFFLINE',
      strongAuthSupported: true,
    });
    expect(gw.calls()).toEqual([
      {
        method: 'PATCH',
        path,
        query: {},
        headers: { ...jsonAccept, 'content-type': 'application/json-patch+json' },
        // Operations in the patchable fields' order, whatever the input's order.
        body: JSON.stringify([
          { op: 'remove', path: '/homepageUrl' },
          { op: 'replace', path: '/name', value: 'Contractor Portal v2' },
          { op: 'replace', path: '/accessTokenValiditySeconds', value: 600 },
          { op: 'replace', path: '/grantTypes', value: ['AUTHORIZATION_CODE'] },
          { op: 'replace', path: '/strongAuthSupported', value: true },
          { op: 'replace', path: '/claimsSupported', value: true },
        ]),
      },
    ]);

    gw.reset();
    const raw = await gw.gql(
      'mutation($id: ID!, $i: UpdateOAuthClientInput, $p: [JsonPatchOperationInput!]) { updateOAuthClient(id: $id, input: $i, patch: $p) { redirectUris enabled businessName } }',
      {
        id: client.id,
        i: { businessName: 'Acme Corp Procurement' },
        p: [
          { op: 'test', path: '/enabled', value: true },
          { op: 'add', path: '/redirectUris/-', value: 'http://localhost:3000/callback' },
          { op: 'remove', path: '/redirectUris/0' },
          { op: 'replace', path: '/enabled', value: false },
        ],
      },
    );
    expect(raw.errors).toBeUndefined();
    expect(raw.data!.updateOAuthClient).toEqual({
      redirectUris: ['com.acmecorp.contractors:/oauth2redirect', 'http://localhost:3000/callback'],
      enabled: false,
      businessName: 'Acme Corp Procurement',
    });
    expect(gw.calls()).toEqual([
      {
        method: 'PATCH',
        path,
        query: {},
        headers: { ...jsonAccept, 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([
          { op: 'replace', path: '/businessName', value: 'Acme Corp Procurement' },
          { op: 'test', path: '/enabled', value: true },
          { op: 'add', path: '/redirectUris/-', value: 'http://localhost:3000/callback' },
          { op: 'remove', path: '/redirectUris/0' },
          { op: 'replace', path: '/enabled', value: false },
        ]),
      },
    ]);

    gw.reset();
    const deleted = await gw.gql('mutation($id: ID!) { deleteOAuthClient(id: $id) }', { id: client.id });
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteOAuthClient).toBe(true);
    expect(gw.calls()).toEqual([{ method: 'DELETE', path, query: {}, headers: jsonAccept, body: '' }]);

    gw.reset();
    const gone = await gw.gql('query($id: ID!) { oauthClient(id: $id) { name } }', { id: client.id });
    expect(gone.errors).toBeUndefined();
    expect(gone.data!.oauthClient).toBeNull();
    expect(gw.calls()).toEqual([{ method: 'GET', path, query: {}, headers: jsonAccept, body: '' }]);
  });

  it('creates a client-credentials client with only the required fields', async () => {
    const r = await gw.gql(CREATE, {
      i: {
        name: 'Nightly Batch',
        description: '',
        accessTokenValiditySeconds: 750,
        grantTypes: ['CLIENT_CREDENTIALS'],
        accessType: 'ONLINE',
        enabled: false,
        homepageUrl: null,
      },
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.createOAuthClient).toMatchObject({ name: 'Nightly Batch', grantTypes: ['CLIENT_CREDENTIALS'], enabled: false, homepageUrl: null });
    expect(JSON.parse(gw.calls()[0].body)).toEqual({
      name: 'Nightly Batch',
      description: '',
      accessTokenValiditySeconds: 750,
      grantTypes: ['CLIENT_CREDENTIALS'],
      accessType: 'ONLINE',
      enabled: false,
    });
  });

  it('answers NOT_FOUND with ISC trackingId for updates and deletes of a missing client', async () => {
    const u = await gw.gql('mutation { updateOAuthClient(id: "ffffffffffffffffffffffffffffffff", input: { enabled: false }) { id } }');
    expect(u.errors).toHaveLength(1);
    expect(u.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, trackingId: expect.any(String) });
    const d = await gw.gql('mutation { deleteOAuthClient(id: "ffffffffffffffffffffffffffffffff") }');
    expect(d.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
    expect(gw.calls().map((c) => c.method)).toEqual(['PATCH', 'DELETE']);
  });

  it('passes ISC 400 errors through (a failing test operation)', async () => {
    const { id } = OAUTH_CLIENT_SEED[1];
    const r = await gw.gql('mutation($id: ID!) { updateOAuthClient(id: $id, patch: [{ op: test, path: "/name", value: "not the name" }]) { id } }', {
      id,
    });
    expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', httpStatus: 400, trackingId: expect.any(String) });
    expect(r.errors![0].message).toMatch(/^ISC answered 400/);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an empty name', { name: '   ' }],
    ['a relative homepage', { homepageUrl: '/home' }],
    ['a non-http homepage', { homepageUrl: 'ftp://files.acme-corp.example' }],
    ['a redirect URI with a fragment', { redirectUris: ['https://contractors.acme-corp.example/callback#top'] }],
    ['a relative redirect URI', { redirectUris: ['/callback'] }],
    ['a javascript: redirect URI', { redirectUris: ['javascript:alert(1)'] }],
    ['a zero access-token validity', { accessTokenValiditySeconds: 0 }],
    ['a negative refresh-token validity', { refreshTokenValiditySeconds: -60 }],
    ['no grant type', { grantTypes: [] }],
    ['the UNKNOWN grant type', { grantTypes: ['UNKNOWN'] }],
    ['the UNKNOWN access type', { accessType: 'UNKNOWN' }],
    ['the UNKNOWN client type', { type: 'UNKNOWN' }],
    ['AUTHORIZATION_CODE without redirect URIs', { redirectUris: null }],
    ['a scope with a space', { scope: ['idn:identity:read idn:identity:manage'] }],
    ['a missing required field', { enabled: undefined }],
  ])('rejects a create with %s before any upstream call', async (_label, change) => {
    const r = await gw.gql(CREATE, { i: { ...validCreateInput, ...change } });
    expect(r.errors).toEqual([code('BAD_USER_INPUT')]);
    expect(gw.calls()).toEqual([]);
  });

  it.each<[string, Record<string, unknown> | null, unknown[] | null]>([
    ['nothing to change', {}, []],
    ['a null name', { name: null }, null],
    ['a null description', { description: null }, null],
    ['a null access type', { accessType: null }, null],
    ['a null access-token validity', { accessTokenValiditySeconds: null }, null],
    ['an empty grant-type list', { grantTypes: [] }, null],
    ['an ftp homepage', { homepageUrl: 'ftp://x.example' }, null],
    ['a redirect URI with a fragment', { redirectUris: ['myapp://cb#x'] }, null],
    ['a patch of the secret', null, [{ op: 'replace', path: '/secret', value: 'mine' }]],
    ['a patch of the id', null, [{ op: 'replace', path: '/id', value: 'x' }]],
    ['a patch of the tenant', null, [{ op: 'replace', path: '/tenant', value: 'other' }]],
    ['a patch of the client type', null, [{ op: 'replace', path: '/type', value: 'PUBLIC' }]],
    ['a raw zero validity', null, [{ op: 'replace', path: '/refreshTokenValiditySeconds', value: 0 }]],
    ['a raw fractional validity', null, [{ op: 'replace', path: '/accessTokenValiditySeconds', value: 1.5 }]],
    ['a raw http URI without host', null, [{ op: 'add', path: '/redirectUris/-', value: 'https:///callback' }]],
    ['a raw unknown grant type', null, [{ op: 'add', path: '/grantTypes/-', value: 'DEVICE_CODE' }]],
    ['a raw removal of the name', null, [{ op: 'remove', path: '/name' }]],
    ['a raw empty name', null, [{ op: 'replace', path: '/name', value: '' }]],
    ['a raw non-boolean', null, [{ op: 'replace', path: '/enabled', value: 'yes' }]],
  ])('rejects an update with %s before any upstream call', async (_label, input, patch) => {
    const r = await gw.gql(
      'mutation($id: ID!, $i: UpdateOAuthClientInput, $p: [JsonPatchOperationInput!]) { updateOAuthClient(id: $id, input: $i, patch: $p) { id } }',
      { id: OAUTH_CLIENT_SEED[0].id, i: input, p: patch },
    );
    expect(r.errors).toEqual([code('BAD_USER_INPUT')]);
    expect(gw.calls()).toEqual([]);
  });

  it('rejects unsafe ids on every mutation before any upstream call', async () => {
    for (const mutation of [
      'updateOAuthClient(id: "..", input: { enabled: true }) { id }',
      'deleteOAuthClient(id: "%2e%2e")',
      'deleteOAuthClient(id: "")',
    ]) {
      const r = await gw.gql(`mutation { ${mutation} }`);
      expect({ mutation, errors: r.errors }).toEqual({ mutation, errors: [code('BAD_USER_INPUT')] });
    }
    expect(gw.calls()).toEqual([]);
  });
});
