import { afterEach, describe, expect, it } from '@jest/globals';
import { withoutSourceAppAdminRights } from '../../src/demo-tenant/source-apps.js';
import { bearer, startTestGateway, type GraphQLResponse, type TestGateway, type UpstreamCall } from '../support/gateway.js';

/**
 * By-id reads answered from list answers the response cache already holds (source apps, connector
 * customizers, OAuth clients: ISC's lists answer the same schema as the by-id reads): the real
 * server over loopback against the demo tenant, with the exact requests the tenant received.
 */
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const APP_FIELDS = `id cloudAppId name description created modified enabled provisionRequestEnabled appCenterEnabled matchAllAccounts
  owner { id type typeRaw name } accountSource { id type typeRaw name useForPasswordManagement passwordPolicies { id type name } }`;
const CUSTOMIZER_FIELDS = 'id name imageVersion imageID tenantID created';
const CLIENT_FIELDS = `id businessName homepageUrl name description accessTokenValiditySeconds refreshTokenValiditySeconds redirectUris
  grantTypes grantTypesRaw accessType accessTypeRaw type typeRaw internal enabled strongAuthSupported claimsSupported created modified
  lastUsed metadata scope`;

interface Domain {
  /** Its name in SAIL_RESPONSE_CACHE_DOMAINS. */
  name: string;
  /** A list operation, and the ids it answered. */
  list: string;
  idsOf(data: Record<string, any>): string[];
  /** The by-id operation (`$id`) and its answer. */
  byId: string;
  itemOf(data: Record<string, any>): Record<string, unknown>;
  /** The call the by-id operation makes when nothing is cached, with `authorization`. */
  byIdCall(id: string, authorization: unknown): UpstreamCall;
  /** A write to `$id` that changes `changed(item)`. */
  write: string;
  changed(item: Record<string, unknown>): unknown;
}

const experimental = { 'x-sailpoint-experimental': 'true' };

const DOMAINS: Domain[] = [
  {
    name: 'source-apps',
    list: '{ allSourceApps(limit: 3) { items { id } } }',
    idsOf: (data) => data.allSourceApps.items.map((a: { id: string }) => a.id),
    byId: `query($id: ID!) { sourceApp(id: $id) { ${APP_FIELDS} } }`,
    itemOf: (data) => data.sourceApp,
    byIdCall: (id, authorization) => ({
      method: 'GET',
      path: '/source-apps/v1/all',
      query: { filters: `id in ("${id}")`, limit: '1' },
      headers: { accept: 'application/json', authorization, ...experimental } as UpstreamCall['headers'],
      body: '',
    }),
    write: 'mutation($id: ID!) { updateSourceApp(id: $id, input: { description: "changed by the test" }) { id } }',
    changed: (item) => item.description,
  },
  {
    name: 'connector-customizers',
    list: '{ connectorCustomizers(limit: 3) { items { id } } }',
    idsOf: (data) => data.connectorCustomizers.items.map((c: { id: string }) => c.id),
    byId: `query($id: ID!) { connectorCustomizer(id: $id) { ${CUSTOMIZER_FIELDS} } }`,
    itemOf: (data) => data.connectorCustomizer,
    byIdCall: (id, authorization) => ({
      method: 'GET',
      path: `/connector-customizers/v1/${id}`,
      query: {},
      headers: { accept: 'application/json', authorization } as UpstreamCall['headers'],
      body: '',
    }),
    write: 'mutation($id: ID!) { updateConnectorCustomizer(id: $id, input: { name: "changed by the test" }) { id } }',
    changed: (item) => item.name,
  },
  {
    name: 'oauth-clients',
    list: '{ oauthClients { id } }',
    idsOf: (data) => data.oauthClients.map((c: { id: string }) => c.id),
    byId: `query($id: ID!) { oauthClient(id: $id) { ${CLIENT_FIELDS} } }`,
    itemOf: (data) => data.oauthClient,
    byIdCall: (id, authorization) => ({
      method: 'GET',
      path: `/oauth-clients/v1/${id}`,
      query: {},
      headers: { accept: 'application/json', authorization } as UpstreamCall['headers'],
      body: '',
    }),
    write: 'mutation($id: ID!) { updateOAuthClient(id: $id, input: { description: "changed by the test" }) { id } }',
    changed: (item) => item.description,
  },
];

const cacheHits = (r: GraphQLResponse) => r.extensions?.cache?.hits as { route: string; stale: boolean }[] | undefined;

function ok<T extends GraphQLResponse>(r: T): T {
  expect(r.errors).toBeUndefined();
  return r;
}

describe.each(DOMAINS)('$name: a cached list answers the by-id reads of what it holds', (domain) => {
  it('a list, then a by-id read of an item it held: 0 ISC calls, the answer ISC gives; another caller asks ISC; after a write to the item ISC is asked', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: domain.name });
    const ids = domain.idsOf(ok(await gw.gql(domain.list)).data!);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const id = ids[1];
    gw.reset();

    const held = ok(await gw.gql(domain.byId, { id }));
    expect(gw.calls()).toEqual([]);
    expect(cacheHits(held)).toEqual([expect.objectContaining({ stale: false })]);
    const item = domain.itemOf(held.data!);
    expect(item.id).toBe(id);

    // Another caller (a token of the same OAuth client) never gets this caller's entries: ISC answers it, with the same item.
    const token = gw.tenant.issueToken();
    const other = ok(await gw.gql(domain.byId, { id }, { authorization: `Bearer ${token}` }));
    expect(gw.calls()).toEqual([domain.byIdCall(id, `Bearer ${token}`)]);
    expect(cacheHits(other)).toBeUndefined();
    expect(domain.itemOf(other.data!)).toEqual(item);

    // A write to the item: the next by-id read asks ISC and sees it.
    ok(await gw.gql(domain.write, { id }));
    gw.reset();
    const after = ok(await gw.gql(domain.byId, { id }));
    expect(gw.calls()).toEqual([domain.byIdCall(id, bearer)]);
    expect(domain.changed(domain.itemOf(after.data!))).toBe('changed by the test');
    // The others the list held are still answered from it.
    ok(await gw.gql(domain.byId, { id: ids[0] }));
    expect(gw.calls()).toHaveLength(1);
  });

  it('a list of a domain that is not cached answers no by-id read', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'connectors' });
    const [id] = domain.idsOf(ok(await gw.gql(domain.list)).data!);
    gw.reset();
    ok(await gw.gql(domain.byId, { id }));
    expect(gw.calls()).toEqual([domain.byIdCall(id, bearer)]);
  });
});

describe('source apps of a caller without the admin view', () => {
  it('the apps available to it answer its `GET /source-apps/{id}` reads: 0 ISC calls', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'source-apps' });
    const token = gw.tenant.issueToken();
    withoutSourceAppAdminRights(token);
    const as = { authorization: `Bearer ${token}` };
    // The admin view is refused once: by-id reads go one by one from then on.
    expect((await gw.gql('{ allSourceApps(limit: 1) { items { id } } }', undefined, as)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const ids = ok(await gw.gql('{ sourceApps(limit: 3) { items { id } } }', undefined, as)).data!.sourceApps.items.map((a: { id: string }) => a.id);
    expect(ids.length).toBeGreaterThanOrEqual(1);
    gw.reset();
    const held = ok(await gw.gql(`query($id: ID!) { sourceApp(id: $id) { ${APP_FIELDS} } }`, { id: ids[0] }, as));
    expect(gw.calls()).toEqual([]);
    expect(cacheHits(held)).toEqual([{ route: 'GET source-apps/{id}', ageSeconds: expect.any(Number), stale: false }]);
    // What ISC answers for that read (the gateway's own credential, whose entry is its own).
    const fresh = ok(await gw.gql(`query($id: ID!) { sourceApp(id: $id) { ${APP_FIELDS} } }`, { id: ids[0] }, { 'cache-control': 'no-cache' }));
    expect(fresh.data!.sourceApp).toEqual(held.data!.sourceApp);
  });
});
