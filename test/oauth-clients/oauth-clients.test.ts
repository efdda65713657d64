import { describe, expect, it } from '@jest/globals';
import { execute, parse } from 'graphql';
import { createContext } from '../../src/http/context.js';
import type { IscClient, UpstreamRequest } from '../../src/isc/client.js';
import { oauthClientFilterExpression } from '../../src/oauth-clients/oauth-clients.filters.js';
import { getOAuthClient } from '../../src/oauth-clients/oauth-clients.api.js';
import { fakeIscClient } from '../support/fake-isc-client.js';
import { OAUTH_CLIENT_PATCH_SCHEMA, oauthClientPatch } from '../../src/oauth-clients/oauth-clients.patch.js';
import { createOAuthClientBody, isHttpUrl, isRedirectUri, isValiditySeconds } from '../../src/oauth-clients/oauth-clients.validation.js';
import { buildSchema } from '../../src/schema.js';
import type { CreateOAuthClientInput } from '../../src/generated/graphql.js';
import { badInput } from '../support/errors.js';

describe('OAuthClientFilter → ISC filter expression', () => {
  it('gives no expression without conditions', () => {
    expect(oauthClientFilterExpression(undefined)).toBeUndefined();
    expect(oauthClientFilterExpression(null)).toBeUndefined();
    expect(oauthClientFilterExpression({})).toBeUndefined();
    expect(oauthClientFilterExpression({ lastUsedBefore: null, neverUsed: null })).toBeUndefined();
  });

  it('writes lastUsedBefore as an unquoted UTC timestamp with milliseconds', () => {
    // The DateTime scalar hands resolvers a Date, whatever offset the caller wrote.
    expect(oauthClientFilterExpression({ lastUsedBefore: new Date(Date.UTC(2023, 1, 5, 10, 59, 27, 214)) })).toBe(
      'lastUsed le 2023-02-05T10:59:27.214Z',
    );
    expect(oauthClientFilterExpression({ lastUsedBefore: new Date('2023-02-05T11:59:27+01:00') })).toBe('lastUsed le 2023-02-05T10:59:27.000Z');
  });

  it('neverUsed: true is `lastUsed isnull`; with lastUsedBefore the two are joined by or', () => {
    expect(oauthClientFilterExpression({ neverUsed: true })).toBe('lastUsed isnull');
    expect(oauthClientFilterExpression({ neverUsed: true, lastUsedBefore: new Date('2024-01-01T00:00:00Z') })).toBe(
      '(lastUsed le 2024-01-01T00:00:00.000Z) or (lastUsed isnull)',
    );
  });

  it('refuses neverUsed: false, since ISC cannot express it', () => {
    expect(() => oauthClientFilterExpression({ neverUsed: false })).toThrow(badInput);
  });

  it.each([
    ['an invalid Date', new Date(Number.NaN)],
    ['a year past 9999', new Date(Date.UTC(10000, 0, 1))],
  ])('refuses %s as a timestamp', (_label, value) => {
    expect(() => oauthClientFilterExpression({ lastUsedBefore: value })).toThrow(badInput);
  });
});

describe('UpdateOAuthClientInput → JSON Patch', () => {
  it('omitted sends nothing, a value replaces, null removes where ISC allows, in the schema order', () => {
    expect(
      oauthClientPatch({ enabled: false, redirectUris: null, businessName: null, homepageUrl: null, name: 'N', description: undefined }, null),
    ).toEqual([
      { op: 'remove', path: '/businessName' },
      { op: 'remove', path: '/homepageUrl' },
      { op: 'replace', path: '/name', value: 'N' },
      { op: 'remove', path: '/redirectUris' },
      { op: 'replace', path: '/enabled', value: false },
    ]);
  });

  it('covers exactly the twelve patchable fields of the facts page', () => {
    expect(Object.keys(OAUTH_CLIENT_PATCH_SCHEMA).sort()).toEqual(
      [
        'businessName',
        'homepageUrl',
        'name',
        'description',
        'accessTokenValiditySeconds',
        'refreshTokenValiditySeconds',
        'redirectUris',
        'grantTypes',
        'accessType',
        'enabled',
        'strongAuthSupported',
        'claimsSupported',
      ].sort(),
    );
  });

  it.each([
    'name',
    'description',
    'accessTokenValiditySeconds',
    'refreshTokenValiditySeconds',
    'grantTypes',
    'accessType',
    'enabled',
    'strongAuthSupported',
    'claimsSupported',
  ])('refuses null for %s (required or not nullable in ISC)', (field) => {
    expect(() => oauthClientPatch({ [field]: null }, null)).toThrow(badInput);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an empty name', { name: ' ' }],
    ['a zero validity', { accessTokenValiditySeconds: 0 }],
    ['a validity beyond int32', { refreshTokenValiditySeconds: 2 ** 31 }],
    ['an unknown grant type', { grantTypes: ['CLIENT_CREDENTIALS', 'UNKNOWN'] }],
    ['a repeated grant type', { grantTypes: ['CLIENT_CREDENTIALS', 'CLIENT_CREDENTIALS'] }],
    ['an unknown access type', { accessType: 'UNKNOWN' }],
    ['a mailto homepage', { homepageUrl: 'mailto:it@acme.example' }],
    ['a redirect URI with a fragment', { redirectUris: ['https://a.example/cb#'] }],
    ['a field that is not patchable', { type: 'PUBLIC' }],
  ])('refuses %s', (_label, input) => {
    expect(() => oauthClientPatch(input, null)).toThrow(badInput);
  });

  it('appends checked raw operations after the typed ones, with element paths on the two list fields', () => {
    expect(
      oauthClientPatch({ description: 'd' }, [
        { op: 'add', path: '/grantTypes/-', value: 'REFRESH_TOKEN' },
        { op: 'replace', path: '/redirectUris/1', value: 'com.example.app:/cb' },
        { op: 'remove', path: '/businessName' },
      ]),
    ).toEqual([
      { op: 'replace', path: '/description', value: 'd' },
      { op: 'add', path: '/grantTypes/-', value: 'REFRESH_TOKEN' },
      { op: 'replace', path: '/redirectUris/1', value: 'com.example.app:/cb' },
      { op: 'remove', path: '/businessName' },
    ]);
  });

  it.each([
    { op: 'replace', path: '/secret', value: 'x' },
    { op: 'replace', path: '/tenant', value: 'x' },
    { op: 'replace', path: '/lastUsed', value: '2024-01-01T00:00:00Z' },
    { op: 'add', path: '/name/-', value: 'x' },
    { op: 'add', path: '/grantTypes/-', value: 'IMPLICIT' },
    { op: 'add', path: '/redirectUris/-', value: 'data:text/html,hi' },
    { op: 'replace', path: '/homepageUrl', value: 'https//missing-colon.example' },
    { op: 'remove', path: '/grantTypes' },
    { op: 'remove', path: '/accessTokenValiditySeconds' },
  ])('refuses the raw operation %j', (op) => {
    expect(() => oauthClientPatch(null, [op])).toThrow(badInput);
  });

  it('refuses an update that changes nothing', () => {
    expect(() => oauthClientPatch({}, [])).toThrow(badInput);
    expect(() => oauthClientPatch(null, null)).toThrow(badInput);
  });
});

describe('value checks', () => {
  it.each([
    'https://app.acme.example/callback',
    'http://localhost:8080/callback',
    'https://app.acme.example/cb?tenant=acme',
    'http://127.0.0.1:49152/',
    'com.example.app:/oauth2redirect',
    'myapp://auth',
    'urn:ietf:wg:oauth:2.0:oob',
  ])('accepts the redirect URI %s', (uri) => {
    expect(isRedirectUri(uri)).toBeUndefined();
  });

  it.each([
    '',
    '/callback',
    'app.acme.example/callback',
    'https://app.acme.example/callback#section',
    'https://app.acme.example/callback#',
    'http:app.acme.example',
    'https://',
    'https:///path',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<b>x</b>',
    'file:///etc/passwd',
    'com.example.app:',
    'https://app.acme.example/call back',
    'https://app.acme.example/\ncallback',
    `https://app.acme.example/${'x'.repeat(2048)}`,
    42,
  ])('refuses the redirect URI %j', (uri) => {
    expect(isRedirectUri(uri)).toEqual(expect.any(String));
  });

  it('homepage URLs must be absolute http(s) URLs', () => {
    expect(isHttpUrl('https://www.acme.example')).toBeUndefined();
    expect(isHttpUrl('HTTP://www.acme.example:8080/home#about')).toBeUndefined();
    for (const bad of ['www.acme.example', '/home', 'ftp://acme.example', 'https//acme.example', 'http:acme.example', 'com.example.app:/x']) {
      expect({ bad, problem: isHttpUrl(bad) }).toEqual({ bad, problem: expect.any(String) });
    }
  });

  it('validity periods are positive 32-bit integers', () => {
    for (const ok of [1, 750, 86400, 2_147_483_647]) expect(isValiditySeconds(ok)).toBeUndefined();
    for (const bad of [0, -1, 1.5, '600', null, 2_147_483_648, Number.NaN]) {
      expect({ bad, problem: isValiditySeconds(bad) }).toEqual({ bad, problem: expect.any(String) });
    }
  });
});

describe('CreateOAuthClientInput → CreateOAuthClientRequest', () => {
  const required: CreateOAuthClientInput = {
    name: 'Batch Job',
    description: 'Nightly batch',
    accessTokenValiditySeconds: 750,
    grantTypes: ['CLIENT_CREDENTIALS'],
    accessType: 'ONLINE',
    enabled: true,
  };

  it('sends the required fields and only the optional ones given with a value', () => {
    expect(createOAuthClientBody({ ...required, homepageUrl: null, scope: ['sp:scopes:all'], internal: false })).toEqual({
      ...required,
      internal: false,
      scope: ['sp:scopes:all'],
    });
  });

  it('requires a redirect URI for the authorization-code grant', () => {
    const input = { ...required, grantTypes: ['AUTHORIZATION_CODE' as const] };
    expect(() => createOAuthClientBody(input)).toThrow(badInput);
    expect(() => createOAuthClientBody({ ...input, redirectUris: [] })).toThrow(badInput);
    expect(createOAuthClientBody({ ...input, redirectUris: ['https://a.example/cb'] }).redirectUris).toEqual(['https://a.example/cb']);
  });

  it.each<[string, Partial<CreateOAuthClientInput>]>([
    ['a blank name', { name: '\t' }],
    ['a negative validity', { accessTokenValiditySeconds: -1 }],
    ['no grant types', { grantTypes: [] }],
    ['UNKNOWN as client type', { type: 'UNKNOWN' }],
    ['a relative homepage', { homepageUrl: 'acme.example' }],
    ['an empty scope', { scope: [''] }],
  ])('refuses %s', (_label, change) => {
    expect(() => createOAuthClientBody({ ...required, ...change })).toThrow(badInput);
  });
});

describe('resolvers over a recording ISC client', () => {
  const SECRET = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';
  const stored = { id: 'c0ffee', name: 'Recorder', grantTypes: ['CLIENT_CREDENTIALS'], accessType: 'ONLINE', type: 'CONFIDENTIAL' };

  function recordingClient(): { client: IscClient; requests: UpstreamRequest[] } {
    const requests: UpstreamRequest[] = [];
    const client = fakeIscClient((request) => {
      requests.push(request);
      const body = request.method === 'POST' ? { ...stored, secret: SECRET } : request.path === 'oauth-clients' ? [stored] : stored;
      return { status: 200, headers: {}, body };
    });
    return { client, requests };
  }
  const schema = buildSchema();
  const newContext = (client: IscClient) =>
    createContext(client, { kind: 'client-credentials' }, { maxListLimit: 1000, operationTimeoutMs: 10_000, rateLimitWaitMs: 0 });

  it("asks to keep the secret on the create call only, and primes the operation's read with a copy without it", async () => {
    const { client, requests } = recordingClient();
    const ctx = newContext(client);
    const result = await execute({
      schema,
      contextValue: ctx,
      document: parse(`mutation { createOAuthClient(input: { name: "Recorder", description: "", accessTokenValiditySeconds: 60,
        grantTypes: [CLIENT_CREDENTIALS], accessType: ONLINE, enabled: true }) { id secret } }`),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ createOAuthClient: { id: 'c0ffee', secret: SECRET } });
    expect(requests.map((r) => [r.method, r.keepSecret])).toEqual([['POST', true]]);

    const primed = await getOAuthClient(ctx.upstream, 'c0ffee');
    expect(primed).toEqual(stored);
    expect(primed).not.toHaveProperty('secret');
    expect(requests).toHaveLength(1); // served from the operation's reads, no GET
    ctx.dispose();
  });

  it('never asks to keep the secret on reads, updates or deletes', async () => {
    const { client, requests } = recordingClient();
    const run = async (source: string) => {
      const ctx = newContext(client);
      try {
        return await execute({ schema, contextValue: ctx, document: parse(source) });
      } finally {
        ctx.dispose();
      }
    };
    expect((await run('{ oauthClients { id } oauthClient(id: "c0ffee") { name } }')).errors).toBeUndefined();
    expect((await run('mutation { updateOAuthClient(id: "c0ffee", input: { enabled: true }) { id } }')).errors).toBeUndefined();
    expect((await run('mutation { deleteOAuthClient(id: "c0ffee") }')).errors).toBeUndefined();
    expect(requests.map((r) => r.method).sort()).toEqual(['DELETE', 'GET', 'GET', 'PATCH']);
    expect(requests.filter((r) => r.keepSecret)).toEqual([]);
  });
});
